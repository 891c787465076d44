"""Untidy widget inputs: what the SDK makes of JSON a person or a template wrote.

`untidy_widget_cases()` maps readable case names to widget roots written the way
real input arrives: props in any order, ints where floats are declared, `"true"`
for a bool, nulls everywhere, nodes that do not validate. `gen_widget_inputs.py`
feeds each one to `TypeAdapter(chatkit.widgets.WidgetRoot).validate_json` and
records the SDK's output (or that it refused the input) in
`fixtures/widget_inputs/<case>.json`; `tests/protocol/widget_inputs.rs` checks
that the Rust widget tree turns the same input into the same bytes.

The corpus (`corpus_widgets.py`) already pins down what the SDK *writes*; these
cases pin down how it *reads*, which is where most of pydantic's rules live.
Each group below names the rule it exercises.

Two conventions make the deliberate differences from the SDK visible:

* An unknown prop on a component that stays typed starts with `MARKER`
  (`x_extra_…`). Pydantic drops such a prop; Rust keeps it, so the Rust test
  removes marked keys before it compares and, separately, checks they survived.
  A marker must therefore sit only where pydantic drops it: on a node that
  validates as its typed component. The generator refuses a case whose SDK
  output still holds a marked key. Unknown props on free-form nodes (both
  sides keep them) and inside TypedDict props (both sides drop them) use
  ordinary names.
* `box_gap_beyond_signed_64_bits` is the one case whose Rust output is asserted on its
  own (see the Rust test for why).
"""

from __future__ import annotations

from typing import Any

import corpus_widgets

# Prefix of unknown props that pydantic drops and Rust keeps (see the module doc).
MARKER = "x_extra_"

# ---------------------------------------------------------------------------
# Small builders: each returns a plain dict
# ---------------------------------------------------------------------------


def card(*children: Any, **props: Any) -> dict:
    """A Card root holding `children`, plus any root props."""
    return {"type": "Card", "children": list(children), **props}


def list_view(*children: Any, **props: Any) -> dict:
    """A ListView root holding `children`, plus any root props."""
    return {"type": "ListView", "children": list(children), **props}


def reversed_keys(value: Any) -> Any:
    """`value` with the keys of every object, at every depth, in reverse order.

    Reversing puts every pair of props out of order at once, and `type` (which
    authors write first) comes last, so this is the strongest shuffle that is
    still deterministic.
    """
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


# The smallest valid form of every typed component, in the SDK's union order.
# A ListViewItem only validates under a ListView, so it is wrapped separately.
MINIMAL_COMPONENTS: dict[str, dict] = {
    "Text": {"type": "Text", "value": "x"},
    "Title": {"type": "Title", "value": "x"},
    "Caption": {"type": "Caption", "value": "x"},
    "Chart": {"type": "Chart", "data": [], "series": [], "xAxis": "x"},
    "Badge": {"type": "Badge", "label": "x"},
    "Markdown": {"type": "Markdown", "value": "x"},
    "Box": {"type": "Box"},
    "Row": {"type": "Row"},
    "Col": {"type": "Col"},
    "Divider": {"type": "Divider"},
    "Icon": {"type": "Icon", "name": "bolt"},
    "Image": {"type": "Image", "src": "https://example.com/a.png"},
    "ListViewItem": {"type": "ListViewItem", "children": []},
    "Button": {"type": "Button"},
    "Checkbox": {"type": "Checkbox", "name": "x"},
    "Spacer": {"type": "Spacer"},
    "Select": {"type": "Select", "name": "x", "options": []},
    "DatePicker": {"type": "DatePicker", "name": "x"},
    "Form": {"type": "Form"},
    "Input": {"type": "Input", "name": "x"},
    "Label": {"type": "Label", "value": "x", "fieldName": "x"},
    "RadioGroup": {"type": "RadioGroup", "name": "x"},
    "Textarea": {"type": "Textarea", "name": "x"},
    "Transition": {"type": "Transition", "children": {"type": "Text", "value": "x"}},
}


def root_around(component: dict) -> dict:
    """The root a component validates under: a ListView for a row, else a Card."""
    if component["type"] == "ListViewItem":
        return list_view(component)
    return card(component)


def snake_case(type_name: str) -> str:
    """`DatePicker` -> `date_picker`, for case names."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in type_name).lstrip("_")


# ---------------------------------------------------------------------------
# The groups
# ---------------------------------------------------------------------------


def corpus_input_cases() -> dict[str, Any]:
    """The corpus inputs as written, and again with every object's keys reversed.

    Rule: a typed component dumps its fields in declaration order (`key`, `id`,
    `type`, then its own props; flex containers put their `BoxBase` props
    first), whatever order they arrived in. A free-form node writes the fields
    `DynamicWidgetComponent` declares (`key`, `id`, `type`, `children`) first
    and its other props in input order. The corpus inputs cover every component
    and root type; the corpus fixtures only hold their output, so here Rust
    reads the input too.
    """
    cases: dict[str, Any] = {}
    for name, value in corpus_widgets.widget_cases().items():
        cases[f"corpus_{name}"] = value
        cases[f"corpus_{name}_keys_reversed"] = reversed_keys(value)
    return cases


def key_order_cases() -> dict[str, Any]:
    """Every component type in its smallest form, written `type` last.

    Rule: as for the corpus cases, declaration order wins for typed nodes. These
    add `key` and `id` (written first by `WidgetComponentBase`) to each type.
    """
    cases: dict[str, Any] = {}
    for type_name, component in MINIMAL_COMPONENTS.items():
        shuffled = reversed_keys({**component, "id": "the-id", "key": "the-key"})
        cases[f"{snake_case(type_name)}_with_type_last"] = root_around(shuffled)
    cases["box_with_layout_props_scattered"] = card(
        {"children": [], "gap": 1, "type": "Box", "id": "b", "key": "k", "direction": "row", "padding": 1}
    )
    return cases


def unknown_prop_cases() -> dict[str, Any]:
    """An unknown prop, marked with `MARKER`, on every typed component and root.

    Rule: typed components use pydantic's default `extra="ignore"`, so the SDK
    drops props it does not declare. Rust keeps them (a deliberate difference),
    which is why they carry the marker. The prop is written first so that Rust
    must also move it after the declared props.
    """
    extra = {f"{MARKER}hint": "from a newer client"}
    cases: dict[str, Any] = {}
    for type_name, component in MINIMAL_COMPONENTS.items():
        cases[f"{snake_case(type_name)}_with_unknown_prop"] = root_around({**extra, **component})
    cases["card_root_with_unknown_prop"] = {**extra, **card({"type": "Text", "value": "x"})}
    cases["list_view_root_with_unknown_prop"] = {**extra, **list_view()}
    cases["unknown_props_at_three_depths"] = card(
        {
            f"{MARKER}outer": 1,
            "type": "Box",
            "children": [{"type": "Text", "value": "x", f"{MARKER}inner": {"nested": [1, None]}}],
        },
        **{f"{MARKER}root": True},
    )
    return cases


def number_form_cases() -> dict[str, Any]:
    """Ints for float props, floats for int props, and the other number unions.

    Rule: in a smart-mode union (`float | str`, `int | str`) pydantic tries an
    exact type match first, then lax conversion. So an int in `float | str` is
    dumped as a float (`1.0`), a whole float in `int | str` as an int (`2`), a
    numeric string stays a string, and a fractional float in `int | str` matches
    nothing, which makes the whole node free-form. `ListView.limit` is
    `int | Literal["auto"]`, with no plain `str`, so there `"5"` is read as 5.
    """
    cases: dict[str, Any] = {}
    for name, value in {
        "whole_float": 2.0,
        "fractional_float": 2.5,
        "bool": True,
        "numeric_string": "2",
        "tiny_float": 1e-05,
        "huge_whole_float": 1e16,
    }.items():
        # Layout props written after `type` show whether the node stayed typed:
        # a typed Box writes them before `type`, a free-form one after.
        cases[f"box_gap_{name}"] = card({"type": "Box", "gap": value})
    for name, value in {
        "int": 1,
        "bool": True,
        "numeric_string": "2",
        "tiny_float": 1e-05,
        "huge_float": 1e16,
        "float_with_rounding_error": 0.30000000000000004,
        "int_beyond_signed_64_bits": 12345678901234567890,
    }.items():
        cases[f"box_height_{name}"] = card({"type": "Box", "height": value})
    cases["image_margin_and_height_whole_floats"] = card(
        {"type": "Image", "src": "s", "margin": 2.0, "height": 3.0}
    )
    cases["image_margin_fractional_float"] = card({"type": "Image", "src": "s", "margin": 2.5})
    for name, value in {
        "auto": "auto",
        "numeric_string": "5",
        "numeric_string_with_fraction_zero": "5.0",
        "whole_float": 5.0,
        "bool": True,
        "other_string": "x",
        "fractional_float": 5.5,
    }.items():
        cases[f"list_view_limit_{name}"] = {"type": "ListView", "children": [], "limit": value}
    return cases


def lax_bool_cases() -> dict[str, Any]:
    """Values pydantic's lax mode does and does not read as a bool.

    Rule: a bool prop accepts `true`/`false`, the ints 0 and 1, the floats 0.0
    and 1.0, and the strings `0 1 f t n y no off on yes false true` in any case.
    Anything else fails, and the node falls back to free-form. The props are
    written `type` last, so a typed result and a free-form one differ in order.
    """
    values = {
        "string_true": "true",
        "string_capitalised_true": "True",
        "string_yes": "yes",
        "string_on": "on",
        "string_t": "t",
        "string_one": "1",
        "string_zero": "0",
        "string_off": "off",
        "string_n": "n",
        "string_with_leading_space": " true",
        "string_two": "2",
        "int_zero": 0,
        "int_one": 1,
        "int_two": 2,
        "float_zero": 0.0,
        "float_one": 1.0,
        "float_one_and_a_half": 1.5,
    }
    cases = {
        f"text_italic_{name}": card({"italic": value, "value": "x", "type": "Text"})
        for name, value in values.items()
    }
    # Root props are read the same way.
    cases["card_as_form_yes_and_collapsed_zero"] = card(asForm="yes", collapsed=0)
    return cases


def lax_int_cases() -> dict[str, Any]:
    """Values pydantic's lax mode does and does not read as an int.

    Rule: an int prop accepts whole floats, bools, and strings holding an int
    (surrounding whitespace, a sign, single underscores between digits, and a
    `.0` fraction are allowed). A fraction, an exponent, hex, or a whole float
    beyond the 64-bit range fails, and the node falls back to free-form.
    """
    values = {
        "numeric_string": "3",
        "padded_string": " 3 ",
        "string_with_fraction_zero": "3.0",
        "string_with_fraction": "3.5",
        "string_with_plus_sign": "+3",
        "negative_string": "-3",
        "string_with_underscore": "3_000",
        "string_with_exponent": "1e3",
        "hex_string": "0x10",
        "whole_float": 3.0,
        "negative_zero_float": -0.0,
        "float_beyond_int_range": 1e20,
        "bool": True,
        "string_with_leading_underscore": "_3",
        "string_with_double_underscore": "3__0",
    }
    return {
        f"text_max_lines_{name}": card({"maxLines": value, "value": "x", "type": "Text"})
        for name, value in values.items()
    }


def editable_cases() -> dict[str, Any]:
    """`Text.editable`, declared `Literal[False] | EditableProps`.

    Rule: a `Literal[False]` matches `false` and, in lax mode, `0`; it does not
    match `true` or the string `"false"`. `EditableProps` needs its `name`.
    """
    values = {
        "false": False,
        "true": True,
        "int_zero": 0,
        "string_false": "false",
        "props_with_name": {"name": "n"},
        "props_without_name": {"required": True},
    }
    return {
        f"text_editable_{name}": card({"editable": value, "value": "x", "type": "Text"})
        for name, value in values.items()
    }


def date_cases() -> dict[str, Any]:
    """`DatePicker.defaultValue`, a `datetime`, given in the forms pydantic parses.

    Rule: pydantic reads RFC 3339 with or without an offset (naive stays naive),
    a bare date (midnight), a space or lowercase `t` as separator, missing
    seconds, extra fraction digits (cut to microseconds), and Unix seconds or
    milliseconds as numbers or numeric strings (read as UTC). It dumps
    ISO 8601 with `Z` for UTC and six fraction digits unless they are zero.
    """
    values = {
        "date_only": "2025-01-02",
        "naive": "2025-01-02T03:04:05",
        "utc_z": "2025-01-02T03:04:05Z",
        "half_second_with_offset": "2025-01-02T03:04:05.5+02:00",
        "space_separator_no_seconds": "2025-01-02 03:04",
        "unix_seconds": 1700000000,
        "not_a_date": "bad",
        "naive_with_zero_fraction": "2025-01-02T03:04:05.000000",
        "zero_offset": "2025-01-02T03:04:05+00:00",
        "negative_half_hour_offset": "2025-01-02T03:04:05-05:30",
        "seven_fraction_digits": "2025-01-02T03:04:05.1234567Z",
        "lowercase_t_and_z": "2025-01-02t03:04:05z",
        "unix_milliseconds": 1700000000000,
        "unix_seconds_with_fraction": 1700000000.5,
        "unix_seconds_as_string": "1700000000",
        "utc_no_seconds": "2025-01-02T03:04Z",
    }
    return {
        f"date_picker_default_{name}": card({"defaultValue": value, "name": "d", "type": "DatePicker"})
        for name, value in values.items()
    }


def typed_dict_cases() -> dict[str, Any]:
    """TypedDict props (status, border, spacing, colours, series, axis, options).

    Rule: a TypedDict dumps its keys in declaration order and drops keys it does
    not declare (the `stray` keys here; both sides drop them, so they carry no
    marker). A union of TypedDicts takes the first that validates, so a status
    with both `icon` and `favicon` reads as the favicon kind. A value that
    fails every member makes the component free-form.
    """
    statuses = {
        "icon": {"icon": "bolt", "text": "t"},
        "unknown_icon": {"icon": "nope", "text": "t"},
        "favicon_and_frame": {"frame": True, "favicon": "u", "text": "t"},
        "icon_and_favicon": {"icon": "bolt", "favicon": "u", "text": "t"},
        "stray_key": {"text": "t", "stray": 1},
    }
    borders = {
        "width_only": 2,
        "single_border": {"style": "solid", "color": {"light": "a", "dark": "b"}, "size": 1},
        "per_edge": {"y": {"size": 2, "style": "dashed"}, "top": 1},
        "edge_and_size_mixed": {"top": 1, "size": 2},
        "empty": {},
        "edge_as_string": {"top": "x"},
        "size_as_string": {"size": "3"},
        "edge_as_bool": {"top": True},
        "size_as_bool": {"size": True},
        "single_border_with_stray_key": {"stray": 1, "style": "dotted", "size": 1},
    }
    paddings = {
        "mixed_edges": {"y": 1, "x": "2px", "top": 3},
        "stray_key": {"y": 1, "stray": 3},
        "empty": {},
        "bool": True,
        "numeric_string": "3",
    }
    cases: dict[str, Any] = {}
    cases.update({f"card_status_{n}": card(status=v) for n, v in statuses.items()})
    cases.update({f"box_border_{n}": card({"type": "Box", "border": v}) for n, v in borders.items()})
    cases.update({f"box_padding_{n}": card({"type": "Box", "padding": v}) for n, v in paddings.items()})
    cases["card_background_with_stray_key"] = card(background={"light": "a", "dark": "b", "stray": 1})
    cases["card_background_missing_dark"] = card(background={"light": "a"})
    cases["chart_series_and_axis_with_stray_keys"] = card(
        {
            "type": "Chart",
            "data": [],
            "series": [{"dataKey": "v", "label": "L", "type": "line", "stack": "s", "stray": 1}],
            "xAxis": {"dataKey": "x", "stray": 2},
        }
    )
    cases["select_options_out_of_order_with_stray_key"] = card(
        {"type": "Select", "name": "s", "options": [{"stray": 1, "disabled": True, "label": "L", "value": "v"}]}
    )
    cases["radio_options_out_of_order_with_stray_key"] = card(
        {"type": "RadioGroup", "name": "r", "options": [{"stray": 1, "disabled": False, "value": "v", "label": "L"}]}
    )
    cases["text_editable_props_out_of_order_with_stray_key"] = card(
        {"type": "Text", "value": "x", "editable": {"stray": 1, "required": True, "autoComplete": "off", "name": "n"}}
    )
    cases["card_confirm_out_of_order_with_stray_key"] = card(
        confirm={"stray": 1, "action": {"type": "go"}, "label": "OK"}
    )
    cases["chart_series_without_label"] = chart_with_series({"dataKey": "v", "type": "bar"})
    cases["chart_series_without_type"] = chart_with_series({"dataKey": "v", "label": "L"})
    cases["chart_axis_labels_not_strings"] = card(
        {"type": "Chart", "data": [], "series": [], "xAxis": {"dataKey": "x", "labels": {"a": 1}}}
    )
    return cases


def chart_with_series(series: dict) -> dict:
    """A Card holding a Chart with no data and one series."""
    return card({"type": "Chart", "data": [], "series": [series], "xAxis": "x"})


def chart_with_data(data: list) -> dict:
    """A Card holding a bar Chart over `data`."""
    return card(
        {"type": "Chart", "data": data, "series": [{"dataKey": "v", "type": "bar", "label": "V"}], "xAxis": "x"}
    )


def chart_data_cases() -> dict[str, Any]:
    """`Chart.data`, declared `list[dict[str, str | int | float]]`.

    Rule: each value is read by the smart union `str | int | float`: exact types
    are kept (`1` stays `1`, `1.0` stays `1.0`), a bool is read as the int 1,
    and a list matches nothing, which makes the Chart free-form.
    """
    return {
        "chart_data_of_every_scalar_type": chart_with_data(
            [{"x": "a", "v": 1, "w": 1.0, "b": True, "s": "1", "f": 2.5}]
        ),
        "chart_data_with_a_list_value": chart_with_data([{"x": "a", "v": [1]}]),
    }


def action_config_cases() -> dict[str, Any]:
    """Nested ActionConfigs given only their `type`.

    Rule: `ActionConfig` fields with defaults (`handler`, `loadingBehavior`,
    `streaming`) are set on validation and dumped, since `exclude_none` only
    drops `None`; the dump also puts them in declaration order. An action with
    no `type` fails, and so its component or root is free-form.
    """
    go = {"type": "go"}
    return {
        "button_action_with_only_type": card({"onClickAction": go, "type": "Button"}),
        "checkbox_action_with_only_type": card({"onChangeAction": go, "name": "c", "type": "Checkbox"}),
        "select_action_with_only_type": card({"onChangeAction": go, "options": [], "name": "s", "type": "Select"}),
        "date_picker_action_with_only_type": card({"onChangeAction": go, "name": "d", "type": "DatePicker"}),
        "radio_group_action_with_only_type": card({"onChangeAction": go, "name": "r", "type": "RadioGroup"}),
        "form_action_with_only_type": card({"onSubmitAction": go, "children": [], "type": "Form"}),
        "list_view_item_action_with_only_type": list_view({"onClickAction": go, "children": [], "type": "ListViewItem"}),
        "card_confirm_and_cancel_actions_with_only_type": card(
            confirm={"action": go, "label": "OK"}, cancel={"label": "No", "action": {"type": "stop"}}
        ),
        "action_defaults_given_out_of_order": card(
            {"type": "Button", "onClickAction": {"streaming": False, "handler": "client", "type": "go"}}
        ),
        "card_confirm_action_without_type": {
            "type": "Card",
            "children": [],
            "confirm": {"action": {"typo": "ok"}, "label": "OK"},
        },
    }


def null_cases() -> dict[str, Any]:
    """Nulls at every depth.

    Rule: the SDK dumps with `exclude_none`, and `WidgetComponentBase` then runs
    `_drop_none`, which removes `None` from every dict and list below a node,
    inside payloads and free-form props too, except a key named `children`. An
    optional prop given `null` is the same as a missing one. A `null` where a
    node is required (an item of `children`) is rejected (see `rejected_cases`).
    """
    return {
        "button_action_payload_with_nulls": card(
            {"type": "Button", "onClickAction": {"type": "go", "payload": {"a": None, "children": None, "l": [1, None]}}}
        ),
        "unknown_component_with_null_rows_and_children": card(
            {"type": "Table", "rows": [[1, None], {"a": None}], "children": None}
        ),
        "text_key_and_id_null": card({"type": "Text", "value": "x", "key": None, "id": None}),
        "select_option_description_null": card(
            {"type": "Select", "name": "n", "options": [{"value": "v", "label": "l", "description": None}]}
        ),
        "radio_group_options_null": card({"type": "RadioGroup", "name": "n", "options": None}),
        "card_status_icon_null": card(status={"text": "t", "icon": None}),
        "chart_series_label_null": chart_with_series({"dataKey": "v", "type": "bar", "label": None}),
        "chart_data_value_null": chart_with_data([{"x": "a", "v": None}]),
        "box_border_edge_null": card({"type": "Box", "border": {"top": None}}),
        "box_padding_null": card({"type": "Box", "padding": None}),
        "basic_root_with_null_props": {
            "type": "Basic",
            "children": [{"value": "x", "type": "Text", "width": 1}],
            "dropped": None,
            "list": [1, None],
        },
        "transition_children_null": card({"type": "Transition", "children": None}),
        "card_children_null": {"type": "Card", "children": None},
        "every_optional_prop_of_a_button_null": card(
            {
                "type": "Button",
                "label": None,
                "onClickAction": None,
                "iconStart": None,
                "style": None,
                "size": None,
                "disabled": None,
                "key": None,
                "id": None,
            }
        ),
    }


def fallback_cases() -> dict[str, Any]:
    """Invalid typed nodes, which the SDK keeps free-form, with their children.

    Rule: `WidgetComponent` is `StrictWidgetComponent | DynamicWidgetComponent`.
    A node whose `type` names a component but which fails that component's
    validation (a required prop missing, a value outside its `Literal`) is read
    as `DynamicWidgetComponent`: `key`, `id`, `type`, `children` first, its
    other props in input order, unknown props kept, and its children free-form
    too. A bad child does not spoil its typed parent. A Card or ListView root
    that fails becomes a `DynamicWidgetRoot` in the same way. (A ListView's
    rows are declared `ListViewItem`, whose `type` has a default, so a row
    without `type` is still typed.)
    """
    return {
        "text_without_value_keeps_unknown_prop": card(
            {"type": "Text", "unknown": 1, "color": {"light": "a", "dark": "b"}}
        ),
        "card_with_bad_size_and_typed_looking_child": {
            "size": "huge",
            "type": "Card",
            "children": [{"value": "x", "type": "Text", "width": 1}],
        },
        "box_with_one_bad_child_among_good": card(
            {
                "type": "Box",
                "children": [{"type": "Text", "unknown": 1, "width": 1}, {"type": "Text", "value": "ok", "width": 1}],
                "gap": 1,
            }
        ),
        "list_view_with_text_child": {"type": "ListView", "children": [{"type": "Text", "value": "x", "width": 1}]},
        "list_view_item_with_bad_child": {
            "type": "ListView",
            "children": [{"type": "ListViewItem", "children": [{"type": "Text", "width": 1}], "gap": 2.0}],
        },
        "list_view_item_without_type": {"type": "ListView", "children": [{"children": [], "gap": 2.0}]},
        "list_view_item_without_children": {"type": "ListView", "children": [{"type": "ListViewItem", "gap": 2.0}]},
        "transition_without_children": card({"type": "Transition", "unknown": 1}),
        "icon_with_unknown_name": card({"type": "Icon", "name": "nope", "size": "xl"}),
        "icon_with_empty_vendor_name": card({"type": "Icon", "name": "vendor:"}),
    }


def basic_root_cases() -> dict[str, Any]:
    """Basic roots: always free-form, and so is everything under them.

    Rule: `BasicRoot` extends `DynamicWidgetComponent`, whose `children` are
    `DynamicWidgetComponent`s, so a `Text` under a Basic root is not typed:
    after `key`, `id`, `type` and `children`, its props keep their input order
    and their number forms.
    """
    return {
        "basic_root_with_typed_looking_children": {
            "type": "Basic",
            "children": [
                {"width": 1, "value": "x", "type": "Text"},
                {"gap": 2.0, "children": [{"label": "b", "type": "Badge"}], "type": "Row"},
            ],
        },
        "basic_root_without_children": {"type": "Basic"},
        "basic_root_with_props_before_type": {"id": "b", "theme": "dark", "key": "k", "type": "Basic"},
    }


def single_child_cases() -> dict[str, Any]:
    """`children` given as one object rather than a list.

    Rule: a typed container declares `children: list[...]`, so one object fails
    and the container is free-form (`DynamicWidgetComponent.children` accepts a
    single node). `Transition` declares a single child and rejects a list.
    """
    return {
        "card_with_single_child_object": {"type": "Card", "children": {"value": "x", "type": "Text"}},
        "box_with_single_child_object": card({"type": "Box", "children": {"value": "x", "type": "Text"}}),
        "unknown_component_with_single_child": card(
            {"type": "Foo", "children": {"type": "Text", "value": "v", "width": 1}}
        ),
        "transition_with_child_list": card(
            {"type": "Transition", "children": [{"type": "Text", "value": "v", "width": 1}]}
        ),
    }


def unknown_component_cases() -> dict[str, Any]:
    """Components whose `type` names no typed component.

    Rule: they are read as `DynamicWidgetComponent`: `key`, `id` and `type`
    must be strings (they are declared on the base) and are written first,
    everything else is kept in input order, and a Card inside a Card is just
    another unknown type.
    """
    return {
        "unknown_component_props_before_type": card({"rows": 2, "id": "t", "type": "Table", "key": "k"}),
        "card_inside_card": card(card({"type": "Text", "value": "inner", "width": 1})),
        "unknown_component_with_nested_unknown": card(
            {"type": "Foo", "children": [{"type": "Bar", "n": 1.0, "children": []}]}
        ),
    }


def big_integer_cases() -> dict[str, Any]:
    """An integer beyond the signed 64-bit range in an `int | str` prop.

    Rule: pydantic ints are unbounded. Rust holds typed ints in an `i64`, so it
    keeps this node free-form (`type` first, the number exact) where the SDK
    types it and writes the layout prop `gap` before `type`: our one known
    divergence, asserted by its own Rust test.
    """
    return {"box_gap_beyond_signed_64_bits": card({"type": "Box", "gap": 12345678901234567890})}


def rejected_cases() -> dict[str, Any]:
    """Inputs the SDK rejects outright (its fixture records `"sdk": null`).

    Rule: a root must be an object whose `type` is `Card`, `ListView` or
    `Basic`; every node needs a string `type`; and a node's `key` must be a
    string. A `null` or a string where a node belongs matches no union member.
    """
    return {
        "root_with_unknown_type": {"type": "Foo", "children": []},
        "root_without_type": {"children": []},
        "root_with_integer_type": {"type": 3, "children": []},
        "root_not_an_object": "Card",
        "root_null": None,
        "card_with_null_child": card(None),
        "unknown_component_with_null_child": card({"type": "Foo", "children": [None]}),
        "unknown_component_with_string_children": card({"type": "Foo", "children": "x"}),
        "unknown_component_with_integer_key": card({"type": "Foo", "key": 1}),
        "child_without_type": card({"children": []}),
        "child_with_integer_type": card({"type": 3}),
    }


def untidy_widget_cases() -> dict[str, object]:
    """Every case, group by group: case name -> untidy widget root input."""
    groups = [
        corpus_input_cases(),
        key_order_cases(),
        unknown_prop_cases(),
        number_form_cases(),
        lax_bool_cases(),
        lax_int_cases(),
        editable_cases(),
        date_cases(),
        typed_dict_cases(),
        chart_data_cases(),
        action_config_cases(),
        null_cases(),
        fallback_cases(),
        basic_root_cases(),
        single_child_cases(),
        unknown_component_cases(),
        big_integer_cases(),
        rejected_cases(),
    ]
    cases: dict[str, object] = {}
    for group in groups:
        duplicates = cases.keys() & group.keys()
        if duplicates:
            raise ValueError(f"case names used twice: {sorted(duplicates)}")
        cases.update(group)
    return cases
