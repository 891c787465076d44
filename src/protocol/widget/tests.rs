//! Behaviour of the widget tree, each expectation an output observed from the Python SDK
//! (`TypeAdapter(WidgetRoot)`, `validate_json` then `dump_json(by_alias, exclude_none)`).
//! The corpus round trip (`fixtures/protocol/widget/`) covers the tidy, canonical forms; these
//! tests cover untidy input and the fallbacks.

use serde_json::json;

use super::*;
use crate::protocol::action::ActionConfig;

/// Reads `input` as a root and writes it back.
fn root(input: &str) -> String {
    let widget: WidgetRoot = serde_json::from_str(input).expect("a valid widget");
    serde_json::to_string(&widget).expect("serializes")
}

/// Reads `input` as a component and writes it back.
fn component(input: &str) -> String {
    let node: WidgetComponent = serde_json::from_str(input).expect("a valid component");
    serde_json::to_string(&node).expect("serializes")
}

#[test]
fn props_are_written_in_declaration_order_after_key_id_and_type() {
    let input = r#"{"type":"Card","children":[{"width":1,"value":"x","id":"t","type":"Text","key":"k",
        "color":{"light":"a","dark":"b"}}],"padding":2}"#;
    assert_eq!(
        root(input),
        r#"{"type":"Card","children":[{"key":"k","id":"t","type":"Text","value":"x","color":{"dark":"b","light":"a"},"width":1.0}],"padding":2.0}"#
    );
}

#[test]
fn flex_containers_write_their_layout_props_before_key_id_and_type() {
    let input = r#"{"type":"Card","children":[{"children":[],"gap":1,"type":"Box","id":"b","key":"k",
        "direction":"row","padding":1}]}"#;
    assert_eq!(
        root(input),
        r#"{"type":"Card","children":[{"children":[],"gap":1,"padding":1.0,"key":"k","id":"b","type":"Box","direction":"row"}]}"#
    );
}

#[test]
fn nested_actions_get_their_defaults_and_lose_their_nulls() {
    let input = r#"{"type":"Card","children":[{"type":"Button","onClickAction":{"type":"go",
        "payload":{"a":null,"children":null,"l":[1,null]}}}]}"#;
    assert_eq!(
        root(input),
        r#"{"type":"Card","children":[{"type":"Button","onClickAction":{"type":"go","payload":{"children":null,"l":[1]},"handler":"server","loadingBehavior":"auto","streaming":true}}]}"#
    );
}

#[test]
fn unknown_props_on_typed_components_are_kept_after_the_declared_ones() {
    // Pydantic writes {"type":"Text","value":"x"} here: it drops `foo`. We keep it, on purpose.
    let input = r#"{"foo":{"deep":[1,null]},"type":"Text","value":"x","streaming":true}"#;
    let node: WidgetComponent = serde_json::from_str(input).expect("valid");
    let WidgetComponent::Text(text) = &node else {
        panic!("expected a typed Text, got {node:?}");
    };
    assert_eq!(text.extra.get("foo"), Some(&json!({"deep": [1, null]})));
    assert_eq!(
        serde_json::to_string(&node).expect("serializes"),
        r#"{"type":"Text","value":"x","streaming":true,"foo":{"deep":[1]}}"#
    );
}

#[test]
fn an_unknown_component_is_kept_free_form_in_input_order_without_nulls() {
    let input = r#"{"type":"Card","children":[{"type":"Table","rows":[[1,null],{"a":null}],"children":null}]}"#;
    assert_eq!(
        root(input),
        r#"{"type":"Card","children":[{"type":"Table","rows":[[1],{}]}]}"#
    );
}

#[test]
fn a_component_that_does_not_validate_falls_back_to_free_form() {
    // No `value`: not a Text, so it keeps its props in input order, and `width` stays 1.
    let input = r#"{"type":"Card","children":[{"type":"Text","foo":1,"color":{"light":"a","dark":"b"}},
        {"type":"Text","value":"ok","width":1}]}"#;
    assert_eq!(
        root(input),
        r#"{"type":"Card","children":[{"type":"Text","foo":1,"color":{"light":"a","dark":"b"}},{"type":"Text","value":"ok","width":1.0}]}"#
    );
}

#[test]
fn a_card_that_does_not_validate_becomes_a_dynamic_root_with_dynamic_children() {
    let input =
        r#"{"size":"huge","type":"Card","children":[{"value":"x","type":"Text","width":1}]}"#;
    let widget: WidgetRoot = serde_json::from_str(input).expect("valid");
    assert!(matches!(widget, WidgetRoot::Dynamic(_)), "{widget:?}");
    assert_eq!(
        serde_json::to_string(&widget).expect("serializes"),
        r#"{"type":"Card","children":[{"type":"Text","value":"x","width":1}],"size":"huge"}"#
    );
}

#[test]
fn children_of_a_basic_root_are_free_form() {
    let input = r#"{"type":"Basic","children":[{"value":"x","type":"Text","width":1}],"foo":null,"bar":[1,null]}"#;
    assert_eq!(
        root(input),
        r#"{"type":"Basic","children":[{"type":"Text","value":"x","width":1}],"bar":[1]}"#
    );
    assert_eq!(
        root(r#"{"type":"Basic","children":{"type":"Text","value":"x"}}"#),
        r#"{"type":"Basic","children":{"type":"Text","value":"x"}}"#
    );
}

#[test]
fn a_root_component_type_inside_a_tree_is_free_form() {
    // `Card` is a root, not one of the 24 components, so inside a tree it is dynamic.
    assert_eq!(
        component(r#"{"type":"Card","children":[{"type":"Text","value":"x","width":1}]}"#),
        r#"{"type":"Card","children":[{"type":"Text","value":"x","width":1}]}"#
    );
}

#[test]
fn an_unknown_root_type_is_rejected_naming_it() {
    let error = serde_json::from_str::<WidgetRoot>(r#"{"type":"Table","children":[]}"#)
        .expect_err("rejected");
    assert!(error.to_string().contains("`Table`"), "{error}");
    assert!(serde_json::from_str::<WidgetRoot>(r#"{"children":[]}"#).is_err());
    // A node no reading accepts (a non-string key) invalidates the whole widget.
    assert!(
        serde_json::from_str::<WidgetRoot>(
            r#"{"type":"Card","children":[{"type":"Foo","key":1}]}"#
        )
        .is_err()
    );
}

#[test]
fn lax_values_keep_a_component_typed() {
    let input =
        r#"{"type":"Text","value":"x","italic":"yes","streaming":1,"maxLines":"3","minLines":2.0}"#;
    assert_eq!(
        component(input),
        r#"{"type":"Text","value":"x","streaming":true,"italic":true,"minLines":2,"maxLines":3}"#
    );
    // 2.5 is not an int, so this Text is free-form and keeps its input order.
    assert_eq!(
        component(r#"{"type":"Text","maxLines":2.5,"value":"x"}"#),
        r#"{"type":"Text","maxLines":2.5,"value":"x"}"#
    );
}

#[test]
fn a_list_view_writes_its_limit_and_fills_item_actions() {
    let input = r#"{"limit":"auto","type":"ListView","children":[{"children":[],"onClickAction":{"type":"open"},"gap":2.0}]}"#;
    assert_eq!(
        root(input),
        r#"{"type":"ListView","children":[{"type":"ListViewItem","children":[],"onClickAction":{"type":"open","handler":"server","loadingBehavior":"auto","streaming":true},"gap":2}],"limit":"auto"}"#
    );
}

#[test]
fn builders_write_what_the_reference_writes() {
    let card: WidgetRoot = Card::new(vec![
        Text::new("Hello")
            .with_id("greeting")
            .streaming(true)
            .into(),
        Markdown::new("**bold**").into(),
        Button::new("Go")
            .with_action(ActionConfig::new("go").with_payload(json!({"to": "/home", "from": null})))
            .into(),
    ])
    .into();
    assert_eq!(
        serde_json::to_string(&card).expect("serializes"),
        r#"{"type":"Card","children":[{"id":"greeting","type":"Text","value":"Hello","streaming":true},{"type":"Markdown","value":"**bold**"},{"type":"Button","label":"Go","onClickAction":{"type":"go","payload":{"to":"/home"},"handler":"server","loadingBehavior":"auto","streaming":true}}]}"#
    );
    let list: WidgetRoot = ListView::new(vec![ListViewItem::new(vec![Text::new("Row").into()])])
        .with_limit(ListLimit::Count(5))
        .into();
    assert_eq!(
        serde_json::to_string(&list).expect("serializes"),
        r#"{"type":"ListView","children":[{"type":"ListViewItem","children":[{"type":"Text","value":"Row"}]}],"limit":5}"#
    );
}

#[test]
fn accessors_report_type_and_id() {
    let text = WidgetComponent::from(Text::new("x").with_id("t"));
    assert_eq!((text.type_name(), text.id()), ("Text", Some("t")));
    let table = WidgetComponent::from(DynamicComponent::new("Table"));
    assert_eq!((table.type_name(), table.id()), ("Table", None));
}
