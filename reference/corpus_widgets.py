"""Widget cases for the reference corpus (the `widget` family of gen_corpus.py).

`widget_cases()` returns readable case names mapped to plain dicts that
`TypeAdapter(chatkit.widgets.WidgetRoot)` accepts. gen_corpus.py validates each one and
writes the SDK's dump to `fixtures/protocol/widget/<case>.json`; the Rust tests parse
every file and must write the same bytes back.

The inputs are deliberately untidy, so the fixtures pin down what the SDK normalises:

* props given out of declaration order (the dump uses declaration order; flex
  containers write their `BoxBase` props before `key`, `id` and `type`);
* TypedDict props (`ThemeColor`, `Spacing`, `Border`, `CardAction`, options, status,
  `XAxisConfig`, `EditableProps`) with their keys out of order;
* integers for `float | str` props (dumped as `1.0`) and `2.0` for `int | str` props;
* nested actions given only a `type` (the dump fills in the defaults);
* nulls inside payloads and free-form props (removed, except under `children`);
* nodes that fall back to free-form: unknown types, a `Text` without `value`, a `Card`
  with a bad `size`, and everything under a `Basic` root.
"""

from __future__ import annotations

from typing import Any

# Small helpers: each returns a plain dict, validated later by gen_corpus.py.


def card(*children: dict, **props: Any) -> dict:
    return {"type": "Card", "children": list(children), **props}


def text(value: str, **props: Any) -> dict:
    return {"type": "Text", "value": value, **props}


def action(action_type: str, **fields: Any) -> dict:
    """An ActionConfig as a widget author would write it: usually just a type."""
    return {"type": action_type, **fields}


def text_cases() -> dict[str, Any]:
    return {
        "text_with_every_prop_out_of_order": card(
            {
                "editable": {"required": True, "placeholder": "Name", "name": "title", "autoFocus": False},
                "maxLines": 3,
                "minLines": 1,
                "truncate": True,
                "textAlign": "center",
                "size": "lg",
                "width": 120,
                "weight": "semibold",
                "color": {"light": "#111111", "dark": "#eeeeee"},
                "lineThrough": False,
                "italic": True,
                "streaming": False,
                "value": "Every prop",
                "id": "t1",
                "key": "k1",
                "type": "Text",
            }
        ),
        "text_streaming_with_id": card(text("Streaming so f", id="answer", streaming=True)),
        "text_not_editable": card(text("Read only", editable=False, width="50%")),
        "title_with_every_prop": card(
            {
                "maxLines": 2,
                "truncate": False,
                "textAlign": "start",
                "size": "3xl",
                "weight": "bold",
                "color": "emphasis",
                "value": "Trip to Paris",
                "type": "Title",
            }
        ),
        "caption_with_every_prop": card(
            {
                "type": "Caption",
                "maxLines": 1,
                "truncate": True,
                "textAlign": "end",
                "size": "sm",
                "weight": "normal",
                "color": {"light": "gray-700", "dark": "gray-300"},
                "value": "Updated just now",
            }
        ),
        "markdown_streaming": card(
            {"streaming": True, "value": "**Bold** and `code`\n\n- one\n- two", "id": "md", "type": "Markdown"}
        ),
        "badge_with_every_prop": card(
            {"pill": True, "size": "md", "variant": "soft", "color": "discovery", "label": "Beta", "type": "Badge"}
        ),
    }


def chart_cases() -> dict[str, Any]:
    return {
        "chart_with_three_series_kinds": card(
            {
                "aspectRatio": 2,
                "maxSize": 800,
                "minSize": "10rem",
                "width": "100%",
                "height": 240,
                "flex": 1,
                "barCategoryGap": 8,
                "barGap": 2,
                "showTooltip": True,
                "showLegend": False,
                "showYAxis": True,
                "xAxis": {"labels": {"feb": "February", "jan": "January"}, "hide": False, "dataKey": "month"},
                "series": [
                    {"color": "blue", "stack": "s1", "dataKey": "sales", "label": "Sales", "type": "bar"},
                    {
                        "curveType": "monotone",
                        "color": {"light": "red-500", "dark": "red-300"},
                        "dataKey": "costs",
                        "label": "Costs",
                        "type": "area",
                    },
                    {"curveType": "stepAfter", "dataKey": "profit", "label": "Profit", "type": "line"},
                ],
                "data": [
                    {"month": "jan", "sales": 10, "costs": 4.5, "profit": 5.5},
                    {"month": "feb", "sales": 12, "costs": 5, "profit": 7},
                ],
                "id": "chart",
                "type": "Chart",
            }
        ),
        "chart_with_x_axis_as_data_key": card(
            {
                "type": "Chart",
                "data": [{"day": "mon", "visits": 3}],
                "series": [{"type": "bar", "label": "Visits", "dataKey": "visits"}],
                "xAxis": "day",
            }
        ),
    }


def layout_cases() -> dict[str, Any]:
    return {
        "box_with_every_prop": card(
            {
                "direction": "col",
                "aspectRatio": 1.5,
                "background": {"light": "surface", "dark": "surface-elevated"},
                "radius": "lg",
                "border": {"y": {"style": "dashed", "size": 2}, "top": 1},
                "margin": {"y": 4, "x": "auto"},
                "padding": 3,
                "maxSize": 400,
                "maxWidth": "60ch",
                "maxHeight": 300,
                "minSize": 10,
                "minWidth": "2rem",
                "minHeight": 20,
                "size": "100%",
                "width": 200,
                "height": 100.5,
                "gap": 2.0,
                "flex": "1 1 auto",
                "wrap": "wrap",
                "justify": "between",
                "align": "center",
                "children": [text("Inside a box")],
                "id": "box",
                "key": "box-key",
                "type": "Box",
            }
        ),
        "box_with_single_border": card(
            {
                "type": "Box",
                "border": {"style": "solid", "color": {"light": "a", "dark": "b"}, "size": 1},
                "padding": {"left": 1, "bottom": 2, "right": 3, "top": 4},
            }
        ),
        "box_with_border_width": card({"type": "Box", "border": 2, "radius": "100%", "children": []}),
        "nested_rows_and_columns": card(
            {
                "type": "Row",
                "key": "r",
                "gap": 3,
                "align": "start",
                "children": [
                    {
                        "type": "Col",
                        "id": "left",
                        "flex": 1,
                        "children": [
                            text("Left top"),
                            {"type": "Box", "direction": "row", "children": [text("deep", width=10)]},
                        ],
                    },
                    {"type": "Spacer", "minSize": 12},
                    {"type": "Col", "children": [{"type": "Divider", "spacing": 2, "flush": True}, text("Right")]},
                ],
            }
        ),
        "divider_with_every_prop": card(
            {"flush": False, "spacing": "8px", "size": 1, "color": {"light": "subtle", "dark": "strong"}, "type": "Divider"}
        ),
        "spacer_with_min_size": card(text("a"), {"type": "Spacer", "minSize": "auto"}, text("b")),
        "transition_with_one_child": card(
            {"type": "Transition", "children": text("Animated", id="t", width=1), "key": "tr"}
        ),
    }


def media_cases() -> dict[str, Any]:
    return {
        "icons_builtin_vendor_and_lucide": card(
            {"size": "xl", "color": "success", "name": "check-circle-filled", "type": "Icon"},
            {"type": "Icon", "name": "vendor:acme-logo"},
            {"type": "Icon", "name": "lucide:rocket", "color": {"light": "blue-500", "dark": "blue-300"}},
        ),
        "image_with_every_prop": card(
            {
                "flex": 1,
                "aspectRatio": 16,
                "background": "surface-secondary",
                "margin": {"x": 2, "top": "4px"},
                "maxSize": 500,
                "maxWidth": 400,
                "maxHeight": "50vh",
                "minSize": 32,
                "minWidth": 32,
                "minHeight": 32.0,
                "size": 64,
                "width": "100%",
                "height": 64,
                "flush": True,
                "frame": True,
                "radius": "full",
                "position": "top left",
                "fit": "scale-down",
                "alt": "A cat",
                "src": "https://img.example.com/cat.png",
                "type": "Image",
            }
        ),
    }


def control_cases() -> dict[str, Any]:
    return {
        "button_with_every_prop": card(
            {
                "disabled": False,
                "block": True,
                "uniform": False,
                "pill": True,
                "size": "lg",
                "variant": "outline",
                "color": "caution",
                "iconSize": "2xl",
                "style": "primary",
                "iconEnd": "chevron-right",
                "iconStart": "lucide:send",
                "onClickAction": action("send"),
                "label": "Send",
                "submit": False,
                "id": "send",
                "type": "Button",
            }
        ),
        "button_action_payload_nulls_removed": card(
            {
                "type": "Button",
                "label": "Go",
                "onClickAction": action(
                    "navigate",
                    payload={"to": "/home", "from": None, "children": None, "trail": [1, None, {"x": None}]},
                    streaming=False,
                    loadingBehavior="self",
                    handler="client",
                ),
            }
        ),
        "form_with_inputs": card(
            {
                "direction": "col",
                "onSubmitAction": action("save_profile", payload={"user": 7}),
                "gap": 2,
                "children": [
                    {"fieldName": "email", "value": "Email", "type": "Label", "size": "sm", "weight": "medium", "textAlign": "start", "color": "secondary"},
                    {
                        "pill": False,
                        "gutterSize": "md",
                        "size": "md",
                        "variant": "outline",
                        "disabled": False,
                        "autoFocus": True,
                        "autoSelect": False,
                        "allowAutofillExtensions": True,
                        "placeholder": "you@example.com",
                        "pattern": ".+@.+",
                        "required": True,
                        "defaultValue": "ada@example.com",
                        "inputType": "email",
                        "name": "email",
                        "type": "Input",
                    },
                    {
                        "allowAutofillExtensions": False,
                        "maxRows": 8,
                        "autoResize": True,
                        "rows": 3,
                        "gutterSize": "2xs",
                        "size": "sm",
                        "variant": "soft",
                        "disabled": False,
                        "autoFocus": False,
                        "autoSelect": True,
                        "placeholder": "Tell us more",
                        "pattern": ".*",
                        "required": False,
                        "defaultValue": "",
                        "name": "bio",
                        "type": "Textarea",
                    },
                    {
                        "required": True,
                        "disabled": False,
                        "onChangeAction": action("toggle_terms"),
                        "defaultChecked": False,
                        "label": "I agree",
                        "name": "terms",
                        "type": "Checkbox",
                    },
                    {"type": "Button", "submit": True, "label": "Save"},
                ],
                "id": "profile",
                "type": "Form",
            },
            asForm=True,
        ),
        "select_with_options": card(
            {
                "searchable": True,
                "disabled": False,
                "clearable": True,
                "block": False,
                "pill": False,
                "size": "sm",
                "variant": "ghost",
                "defaultValue": "fr",
                "placeholder": "Country",
                "onChangeAction": action("pick_country"),
                "options": [
                    {"description": "Europe", "disabled": False, "label": "France", "value": "fr"},
                    {"label": "Japan", "value": "jp"},
                ],
                "name": "country",
                "type": "Select",
            }
        ),
        "date_picker_with_every_prop": card(
            {
                "disabled": False,
                "clearable": True,
                "block": True,
                "pill": False,
                "align": "end",
                "side": "bottom",
                "size": "md",
                "variant": "soft",
                "max": "2025-12-31T23:59:59Z",
                "min": "2025-01-01",
                "defaultValue": "2025-06-07T08:09:10.500000+02:00",
                "placeholder": "Pick a day",
                "onChangeAction": action("pick_date", payload={"field": "start"}),
                "name": "start",
                "type": "DatePicker",
            }
        ),
        "radio_group_with_options": card(
            {
                "required": True,
                "disabled": False,
                "direction": "row",
                "defaultValue": "s",
                "onChangeAction": action("pick_size"),
                "ariaLabel": "Size",
                "options": [{"disabled": True, "value": "s", "label": "Small"}, {"value": "l", "label": "Large"}],
                "name": "size",
                "type": "RadioGroup",
            }
        ),
    }


def root_cases() -> dict[str, Any]:
    return {
        "card_minimal": card(text("Hello")),
        "card_with_key_and_id": {"children": [], "id": "card-1", "key": "k", "type": "Card"},
        "card_with_confirm_cancel_and_status": {
            "theme": "dark",
            "cancel": {"action": action("cancel_booking"), "label": "Cancel"},
            "confirm": {"action": action("confirm_booking", payload={"booking": 12, "note": None}), "label": "Book"},
            "collapsed": False,
            "status": {"frame": True, "favicon": "https://example.com/favicon.ico", "text": "Flight found"},
            "padding": {"x": 4, "y": 2},
            "size": "md",
            "background": {"light": "#ffffff", "dark": "#000000"},
            "children": [text("Paris, 10:40")],
            "asForm": False,
            "type": "Card",
        },
        "card_with_icon_status": card(text("Done"), status={"icon": "check", "text": "Booked"}, padding=2),
        "list_view_with_items": {
            "theme": "light",
            "status": {"icon": "lucide:list", "text": "3 results"},
            "limit": "auto",
            "children": [
                {
                    "align": "center",
                    "gap": 2,
                    "onClickAction": action("open_row", payload={"row": 1}),
                    "children": [{"type": "Icon", "name": "document"}, text("Report.pdf")],
                    "key": "row-1",
                    "type": "ListViewItem",
                },
                {"type": "ListViewItem", "children": [text("Notes.md")], "onClickAction": action("open_row")},
                {"type": "ListViewItem", "children": []},
            ],
            "type": "ListView",
        },
        "list_view_with_count_limit": {"type": "ListView", "limit": 2, "children": [{"type": "ListViewItem", "children": [text("a")]}]},
        "basic_root_with_dynamic_children": {
            "extra_prop": {"kept": True, "dropped": None},
            "children": [
                # Under a Basic root nothing is typed: key order and the int stay.
                {"value": "not typed here", "type": "Text", "width": 1},
                {"type": "Row", "children": [{"type": "Badge", "label": "x"}], "gap": 2.0},
            ],
            "id": "basic",
            "key": "b",
            "type": "Basic",
        },
        "basic_root_with_single_child": {"type": "Basic", "children": {"type": "Caption", "value": "only one"}},
    }


def fallback_cases() -> dict[str, Any]:
    """Nodes the SDK keeps free-form: dynamic components and roots."""
    return {
        "unknown_component_table": card(
            {
                "rows": [["a", 1, None], {"cell": None, "ok": True}],
                "columns": ["name", "count"],
                "type": "Table",
                "id": "tbl",
                "children": [text("typed?", width=1)],
            }
        ),
        "text_without_value_stays_dynamic": card({"type": "Text", "size": "lg", "width": 1}, text("fine", width=1)),
        "card_with_bad_size_becomes_dynamic_root": {
            "size": "huge",
            "type": "Card",
            "children": [text("child of a dynamic root", width=1)],
        },
        "list_view_with_text_child_becomes_dynamic_root": {"type": "ListView", "children": [text("not a row")]},
        "card_inside_card_is_dynamic": card(card(text("inner", width=1))),
    }


def widget_cases() -> dict[str, object]:
    return {
        **text_cases(),
        **chart_cases(),
        **layout_cases(),
        **media_cases(),
        **control_cases(),
        **root_cases(),
        **fallback_cases(),
    }
