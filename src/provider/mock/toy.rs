//! The toy model: a few deterministic rules that answer when no script is given, so a student
//! typing anything into a lesson sees a plausible streamed answer with no API key.
//!
//! It reads only the request, as a real model would, and answers with a [`Turn`], as a script
//! would, so the wire is the same either way:
//!
//! 1. The last input is a `function_call_output` → a message that reports the tool's output.
//! 2. The user's message names one of the request's tools (a word of the tool's name, such as
//!    "weather" for `get_weather`) → a `function_call` whose arguments are filled from the
//!    tool's JSON schema and the message ("… in Paris" gives `{"city":"Paris"}`).
//! 3. A note to keep or a question about notes: "remember X" is acknowledged, and a question
//!    with "remember" in it ("what did I ask you to remember?") is answered from the earlier
//!    user messages of the input, so a model that is sent no history remembers nothing.
//! 4. Otherwise small talk: greetings (by name, if the instructions say "name is …"), thanks,
//!    "how are you", goodbyes, and an honest fallback.
//!
//! When the request asks for reasoning (`"reasoning": {…}`), a one-part reasoning summary
//! comes first.

use serde_json::{Map, Value, json};

use super::script::{ScriptOutput, Turn};
use crate::provider::events::{InputItem, ResponsesRequest, ToolDefinition, TypedInputItem};

/// Verbs and fillers in tool names that say nothing about what the user wants.
const VAGUE_WORDS: &[&str] = &[
    "get", "set", "list", "show", "fetch", "find", "make", "create", "update", "delete", "the",
    "tool", "current", "with", "for", "run", "call", "add", "remove",
];

/// The toy model's answer to `request`.
pub fn answer(request: &ResponsesRequest) -> Turn {
    let mut output = Vec::new();
    if let Some(reply) = reply_to_tool_output(request) {
        output.push(message(reply));
        return Turn { output, fail: None };
    }
    let text = last_user_text(request);
    if request.reasoning.is_some() {
        output.push(ScriptOutput::Reasoning {
            summary: vec![format!(
                "The user wrote \"{}\". I should answer briefly and kindly.",
                text.trim()
            )],
            deltas: None,
        });
    }
    match pick_tool(&request.tools, &text) {
        Some(tool) => output.push(ScriptOutput::FunctionCall {
            name: tool.name.clone(),
            arguments: fill_arguments(&tool.parameters, &text),
            deltas: Some(3),
        }),
        None => output.push(message(notes(request, &text).unwrap_or_else(|| {
            small_talk(&text, user_name(request.instructions.as_deref()))
        }))),
    }
    Turn { output, fail: None }
}

fn message(text: String) -> ScriptOutput {
    ScriptOutput::Message {
        text: Some(text),
        deltas: None,
        annotations: Vec::new(),
        stop_after_deltas: None,
    }
}

/// Rule 1: after a tool ran, report what it returned.
fn reply_to_tool_output(request: &ResponsesRequest) -> Option<String> {
    let Some(InputItem::Typed(TypedInputItem::FunctionCallOutput(output))) = request.input.last()
    else {
        return None;
    };
    let name = request.input.iter().find_map(|item| match item {
        InputItem::Typed(TypedInputItem::FunctionCall(call)) if call.call_id == output.call_id => {
            Some(call.name.as_str())
        }
        _ => None,
    });
    Some(format!(
        "Here is what {} returned: {}",
        name.unwrap_or("the tool"),
        output.output
    ))
}

/// The text of the last user message, or `""`.
fn last_user_text(request: &ResponsesRequest) -> String {
    request
        .input
        .iter()
        .rev()
        .filter_map(InputItem::as_message)
        .find(|(role, _)| *role == "user")
        .map(|(_, content)| content.text())
        .unwrap_or_default()
}

/// Rule 2: the first tool one of whose name words appears in the message.
fn pick_tool<'a>(tools: &'a [ToolDefinition], text: &str) -> Option<&'a ToolDefinition> {
    let lower = text.to_lowercase();
    tools.iter().find(|tool| {
        tool.name
            .split(['_', '-'])
            .map(str::to_lowercase)
            .filter(|word| word.len() >= 3 && !VAGUE_WORDS.contains(&word.as_str()))
            .any(|word| lower.contains(word.trim_end_matches('s')))
    })
}

/// Arguments for a tool's object schema, every property filled (strict mode needs them all).
fn fill_arguments(schema: &Value, text: &str) -> Map<String, Value> {
    let properties = schema.get("properties").and_then(Value::as_object);
    properties
        .into_iter()
        .flatten()
        .map(|(name, property)| (name.clone(), fill_value(name, property, text)))
        .collect()
}

fn fill_value(name: &str, schema: &Value, text: &str) -> Value {
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        let lower = text.to_lowercase();
        let mentioned = options.iter().find(|option| {
            option
                .as_str()
                .is_some_and(|o| lower.contains(&o.to_lowercase()))
        });
        return mentioned
            .or(options.first())
            .cloned()
            .unwrap_or(Value::Null);
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec!["string"],
    };
    let nullable = types.contains(&"null");
    let number = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty());
    match types.iter().find(|t| **t != "null").copied() {
        Some("integer") => number.map_or(json!(1), |n| json!(n.parse::<i64>().unwrap_or(1))),
        Some("number") => number.map_or(json!(1.0), |n| json!(n.parse::<f64>().unwrap_or(1.0))),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => match subject(text) {
            Some(subject) => json!(subject),
            None if nullable && !is_free_text(name) => Value::Null,
            None => json!(text.trim()),
        },
    }
}

/// Names of string parameters that take the whole message.
fn is_free_text(name: &str) -> bool {
    matches!(
        name,
        "query" | "q" | "text" | "message" | "prompt" | "question"
    )
}

/// The words after the last "in", "for", "about", "of" or "called": "weather in Paris?" →
/// "Paris".
fn subject(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().rposition(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "in" | "for" | "about" | "of" | "called" | "named"
        )
    })?;
    let rest = words[at + 1..].join(" ");
    let rest = rest.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
    (!rest.is_empty()).then(|| rest.to_owned())
}

/// Rule 3: "remember X" is a note; a question about what to remember lists the notes of the
/// earlier user messages, oldest first, as the input holds them.
fn notes(request: &ResponsesRequest, text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(note) = note(text) {
        return Some(format!("Noted: I will remember \"{note}\"."));
    }
    if !(text.to_lowercase().contains("remember") && text.ends_with('?')) {
        return None;
    }
    let user_texts: Vec<String> = request
        .input
        .iter()
        .filter_map(InputItem::as_message)
        .filter(|(role, _)| *role == "user")
        .map(|(_, content)| content.text())
        .collect();
    // The last user message is the question itself.
    let earlier = &user_texts[..user_texts.len().saturating_sub(1)];
    let notes: Vec<String> = earlier
        .iter()
        .filter_map(|text| note(text.trim()))
        .map(|note| format!("\"{note}\""))
        .collect();
    Some(if notes.is_empty() {
        "You haven't asked me to remember anything yet.".to_owned()
    } else {
        format!("You asked me to remember: {}.", notes.join(", "))
    })
}

/// What follows "remember" at the start of a message, without a final full stop.
fn note(text: &str) -> Option<&str> {
    let head = text.get(..9)?;
    if !head.eq_ignore_ascii_case("remember ") || text.ends_with('?') {
        return None;
    }
    let note = text[9..].trim().trim_end_matches(['.', '!']);
    (!note.is_empty()).then_some(note)
}

/// The word after "name is" in the instructions, for greeting the user by name.
fn user_name(instructions: Option<&str>) -> Option<String> {
    let instructions = instructions?;
    let at = instructions.to_lowercase().find("name is ")? + "name is ".len();
    let word = instructions[at..].split_whitespace().next()?;
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    (!word.is_empty()).then(|| word.to_owned())
}

/// Rule 4: small talk.
fn small_talk(text: &str, name: Option<String>) -> String {
    let lower = text.trim().to_lowercase();
    let first = lower
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let who = name.as_ref().map(|n| format!(", {n}")).unwrap_or_default();
    if lower.is_empty() {
        "I didn't catch that. Could you say it again?".to_owned()
    } else if matches!(
        first,
        "hi" | "hello" | "hey" | "hiya" | "howdy" | "greetings"
    ) {
        format!("Hello{who}! How can I help you today?")
    } else if lower.contains("how are you") {
        "I'm doing well, thanks for asking! What can I do for you?".to_owned()
    } else if lower.contains("thank") {
        "You're welcome! Anything else I can help with?".to_owned()
    } else if matches!(first, "bye" | "goodbye") || lower.contains("see you") {
        format!("Goodbye{who}! Have a great day.")
    } else if lower.contains("my name") {
        match name {
            Some(name) => format!("Your name is {name}."),
            None => "I don't know your name yet. What is it?".to_owned(),
        }
    } else if lower.contains("your name") || lower.contains("who are you") {
        "I'm the mock model of chatkit-rs: a few rules that run offline. Set OPENAI_API_KEY to \
         talk to a real model."
            .to_owned()
    } else if lower.ends_with('?') {
        format!(
            "Good question! I'm a small offline mock model, so I can't really answer \"{}\". \
             Set OPENAI_API_KEY to ask a real model.",
            text.trim()
        )
    } else {
        format!(
            "You said: \"{}\". I'm the offline mock model, so I can only follow a few simple \
             rules.",
            text.trim()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weather_tool() -> ToolDefinition {
        ToolDefinition {
            name: "get_weather".to_owned(),
            parameters: json!({"type":"object","properties":{"city":{"type":"string"}},
                "required":["city"],"additionalProperties":false}),
            strict: true,
            kind: "function".to_owned(),
            description: None,
        }
    }

    #[test]
    fn asks_for_the_weather_tool_with_the_city() {
        let request = ResponsesRequest {
            input: vec![InputItem::user_text("What's the weather in Paris?")],
            tools: vec![weather_tool()],
            ..ResponsesRequest::default()
        };
        let turn = answer(&request);
        let ScriptOutput::FunctionCall {
            name, arguments, ..
        } = &turn.output[0]
        else {
            panic!("expected a function call, got {turn:?}");
        };
        assert_eq!(name, "get_weather");
        assert_eq!(Value::Object(arguments.clone()), json!({"city": "Paris"}));
    }

    #[test]
    fn remembers_only_the_notes_it_was_sent() {
        let asked = |input: Vec<InputItem>| {
            let request = ResponsesRequest {
                input,
                ..ResponsesRequest::default()
            };
            notes(&request, &last_user_text(&request))
        };
        let note = InputItem::user_text("Remember that I take my tea without sugar.");
        let question = InputItem::user_text("What did I ask you to remember?");
        assert_eq!(
            asked(vec![note.clone()]).as_deref(),
            Some("Noted: I will remember \"that I take my tea without sugar\".")
        );
        assert_eq!(
            asked(vec![note, question.clone()]).as_deref(),
            Some("You asked me to remember: \"that I take my tea without sugar\".")
        );
        assert_eq!(
            asked(vec![question]).as_deref(),
            Some("You haven't asked me to remember anything yet.")
        );
        assert_eq!(asked(vec![InputItem::user_text("hello")]), None);
    }

    #[test]
    fn greets_by_the_name_in_the_instructions() {
        let reply = small_talk("hello!", user_name(Some("The user's name is Ada.")));
        assert_eq!(reply, "Hello, Ada! How can I help you today?");
    }
}
