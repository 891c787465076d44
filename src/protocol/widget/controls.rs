//! Control components: buttons and form inputs.
//!
//! Python counterpart: `Button`, `Checkbox`, `Select`, `DatePicker`, `Input`, `Label`,
//! `RadioGroup` and `Textarea` in `chatkit/widgets.py`. Their actions (`onClickAction`,
//! `onChangeAction`) are [`ActionConfig`]s, written with their defaults filled in.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date_time::DateTimeValue;
use super::lax;
use super::props::{Color, RadioOption, SelectOption};
use super::tokens::{
    ButtonColor, ButtonIconSize, ButtonStyle, CalendarAlign, CalendarSide, ControlSize,
    ControlVariant, Direction, FontWeight, GutterSize, HtmlInputType, InputVariant, TextAlign,
    TextSize,
};
use crate::protocol::action::ActionConfig;
use crate::protocol::icon::IconName;
use crate::protocol::literal::literal_type;

literal_type!(
    /// The `"type":"Button"` of a [`Button`].
    ButtonType = "Button"
);

/// Button component optionally wired to an action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Button {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Button"`.
    #[serde(rename = "type", default)]
    pub kind: ButtonType,
    /// Configure the button as a submit button for the nearest form.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub submit: Option<bool>,
    /// Text to display inside the button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Action dispatched on click.
    #[serde(
        rename = "onClickAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_click_action: Option<ActionConfig>,
    /// Icon shown before the label; can be used for icon-only buttons.
    #[serde(rename = "iconStart", skip_serializing_if = "Option::is_none")]
    pub icon_start: Option<IconName>,
    /// Optional icon shown after the label.
    #[serde(rename = "iconEnd", skip_serializing_if = "Option::is_none")]
    pub icon_end: Option<IconName>,
    /// Convenience preset for button style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<ButtonStyle>,
    /// Controls the size of icons within the button; accepts an icon size token.
    #[serde(rename = "iconSize", skip_serializing_if = "Option::is_none")]
    pub icon_size: Option<ButtonIconSize>,
    /// Color of the button; accepts a button color token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<ButtonColor>,
    /// Visual variant of the button; accepts a control variant token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<ControlVariant>,
    /// Controls the overall size of the button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ControlSize>,
    /// Determines if the button should be fully rounded (pill).
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pill: Option<bool>,
    /// Determines if the button should have matching width and height.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub uniform: Option<bool>,
    /// Extend the button to 100% of the available width.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub block: Option<bool>,
    /// Disable interactions and apply disabled styles.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Checkbox"` of a [`Checkbox`].
    CheckboxType = "Checkbox"
);

/// Checkbox input component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkbox {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Checkbox"`.
    #[serde(rename = "type", default)]
    pub kind: CheckboxType,
    /// The name of the form control field used when submitting forms.
    pub name: String,
    /// Optional label text rendered next to the checkbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The initial checked state of the checkbox.
    #[serde(
        rename = "defaultChecked",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_checked: Option<bool>,
    /// Action dispatched when the checked state changes.
    #[serde(
        rename = "onChangeAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_change_action: Option<ActionConfig>,
    /// Disable interactions and apply disabled styles.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Mark the checkbox as required for form submission.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Select"` of a [`Select`].
    SelectType = "Select"
);

/// Select dropdown component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Select {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Select"`.
    #[serde(rename = "type", default)]
    pub kind: SelectType,
    /// The name of the form control field used when submitting forms.
    pub name: String,
    /// List of selectable options.
    pub options: Vec<SelectOption>,
    /// Action dispatched when the value changes.
    #[serde(
        rename = "onChangeAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_change_action: Option<ActionConfig>,
    /// Placeholder text shown when no value is selected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Initial value of the select.
    #[serde(rename = "defaultValue", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Visual style of the select; accepts a control variant token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<ControlVariant>,
    /// Controls the size of the select control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ControlSize>,
    /// Determines if the select should be fully rounded (pill).
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pill: Option<bool>,
    /// Extend the select to 100% of the available width.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub block: Option<bool>,
    /// Show a clear control to unset the value.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub clearable: Option<bool>,
    /// Disable interactions and apply disabled styles.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Enables the search input. Defaults to enabling search when there are more than 15 options.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub searchable: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"DatePicker"` of a [`DatePicker`].
    DatePickerType = "DatePicker"
);

/// Date picker input component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatePicker {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"DatePicker"`.
    #[serde(rename = "type", default)]
    pub kind: DatePickerType,
    /// The name of the form control field used when submitting forms.
    pub name: String,
    /// Action dispatched when the date value changes.
    #[serde(
        rename = "onChangeAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_change_action: Option<ActionConfig>,
    /// Placeholder text shown when no date is selected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Initial value of the date picker.
    #[serde(rename = "defaultValue", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<DateTimeValue>,
    /// Earliest selectable date (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<DateTimeValue>,
    /// Latest selectable date (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<DateTimeValue>,
    /// Visual variant of the datepicker control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<ControlVariant>,
    /// Controls the size of the datepicker control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ControlSize>,
    /// Preferred side to render the calendar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<CalendarSide>,
    /// Preferred alignment of the calendar relative to the control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub align: Option<CalendarAlign>,
    /// Determines if the datepicker should be fully rounded (pill).
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pill: Option<bool>,
    /// Extend the datepicker to 100% of the available width.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub block: Option<bool>,
    /// Show a clear control to unset the value.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub clearable: Option<bool>,
    /// Disable interactions and apply disabled styles.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Input"` of a [`Input`].
    InputType = "Input"
);

/// Single-line text input component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Input"`.
    #[serde(rename = "type", default)]
    pub kind: InputType,
    /// The name of the form control field used when submitting forms.
    pub name: String,
    /// Native input type.
    #[serde(rename = "inputType", skip_serializing_if = "Option::is_none")]
    pub input_type: Option<HtmlInputType>,
    /// Initial value of the input.
    #[serde(rename = "defaultValue", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Mark the input as required for form submission.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<bool>,
    /// Regex pattern for input validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Placeholder text shown when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Allow password managers / autofill extensions to appear.
    #[serde(
        rename = "allowAutofillExtensions",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_autofill_extensions: Option<bool>,
    /// Select all contents of the input when it mounts.
    #[serde(
        rename = "autoSelect",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_select: Option<bool>,
    /// Autofocus the input when it mounts.
    #[serde(
        rename = "autoFocus",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_focus: Option<bool>,
    /// Disable interactions and apply disabled styles.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Visual style of the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<InputVariant>,
    /// Controls the size of the input control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ControlSize>,
    /// Controls gutter on the edges of the input; overrides value from `size`.
    #[serde(rename = "gutterSize", skip_serializing_if = "Option::is_none")]
    pub gutter_size: Option<GutterSize>,
    /// Determines if the input should be fully rounded (pill).
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pill: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Label"` of a [`Label`].
    LabelType = "Label"
);

/// Form label associated with a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Label"`.
    #[serde(rename = "type", default)]
    pub kind: LabelType,
    /// Text content of the label.
    pub value: String,
    /// Name of the field this label describes.
    #[serde(rename = "fieldName")]
    pub field_name: String,
    /// Size of the label text; accepts a text size token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<TextSize>,
    /// Font weight; accepts a font weight token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<FontWeight>,
    /// Horizontal text alignment.
    #[serde(rename = "textAlign", skip_serializing_if = "Option::is_none")]
    pub text_align: Option<TextAlign>,
    /// Text color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"RadioGroup"` of a [`RadioGroup`].
    RadioGroupType = "RadioGroup"
);

/// Grouped radio input control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RadioGroup {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"RadioGroup"`.
    #[serde(rename = "type", default)]
    pub kind: RadioGroupType,
    /// The name of the form control field used when submitting forms.
    pub name: String,
    /// Array of options to render as radio items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<RadioOption>>,
    /// Accessible label for the radio group; falls back to `name`.
    #[serde(rename = "ariaLabel", skip_serializing_if = "Option::is_none")]
    pub aria_label: Option<String>,
    /// Action dispatched when the selected value changes.
    #[serde(
        rename = "onChangeAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_change_action: Option<ActionConfig>,
    /// Initial selected value of the radio group.
    #[serde(rename = "defaultValue", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Layout direction of the radio items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Disable interactions and apply disabled styles for the entire group.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Mark the group as required for form submission.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Textarea"` of a [`Textarea`].
    TextareaType = "Textarea"
);

/// Multiline text input component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Textarea {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Textarea"`.
    #[serde(rename = "type", default)]
    pub kind: TextareaType,
    /// The name of the form control field used when submitting forms.
    pub name: String,
    /// Initial value of the textarea.
    #[serde(rename = "defaultValue", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Mark the textarea as required for form submission.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<bool>,
    /// Regex pattern for input validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Placeholder text shown when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Select all contents of the textarea when it mounts.
    #[serde(
        rename = "autoSelect",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_select: Option<bool>,
    /// Autofocus the textarea when it mounts.
    #[serde(
        rename = "autoFocus",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_focus: Option<bool>,
    /// Disable interactions and apply disabled styles.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Visual style of the textarea.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<InputVariant>,
    /// Controls the size of the textarea control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ControlSize>,
    /// Controls gutter on the edges of the textarea; overrides value from `size`.
    #[serde(rename = "gutterSize", skip_serializing_if = "Option::is_none")]
    pub gutter_size: Option<GutterSize>,
    /// Initial number of visible rows.
    #[serde(
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub rows: Option<i64>,
    /// Automatically grow/shrink to fit content.
    #[serde(
        rename = "autoResize",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_resize: Option<bool>,
    /// Maximum number of rows when auto-resizing.
    #[serde(
        rename = "maxRows",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_rows: Option<i64>,
    /// Allow password managers / autofill extensions to appear.
    #[serde(
        rename = "allowAutofillExtensions",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_autofill_extensions: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

impl Button {
    /// A button labelled `label`, with no action yet.
    pub fn new(label: impl Into<String>) -> Self {
        Button {
            label: Some(label.into()),
            ..Button::default()
        }
    }

    /// The same button, firing `action` when clicked.
    pub fn with_action(mut self, action: ActionConfig) -> Self {
        self.on_click_action = Some(action);
        self
    }
}
