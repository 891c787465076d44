"""Generate the reference corpus: the exact JSON bytes openai-chatkit 1.6.5 emits.

Run with the SDK's venv (see setup-venv.sh):

    target/pyenv/bin/python reference/gen_corpus.py

For every protocol variant this script builds a value, validates it with the
SDK's own pydantic types, dumps it exactly like the SDK's server does and
writes it to `fixtures/protocol/<family>/<case>.json`. The Rust test suite
then checks that parsing and re-serializing each file gives the same bytes.

Rules that keep the corpus trustworthy:

* Deterministic: fixed ids and timestamps, no now(), no uuid, no sets, so a
  second run rewrites the very same bytes (review diffs, not noise).
* Everything the SDK accepts and nothing else: each case goes through the
  family's TypeAdapter (families.py) before it is dumped.
* Fixed points only: each written payload is parsed and dumped again and must
  come out unchanged. The Rust side runs the same loop, so a payload that the
  SDK itself cannot read back would teach it the wrong thing. The few SDK
  payloads that are *not* fixed points are declared with `Lossy` below; they
  are reported on every run but not written.
* Timestamps are aware UTC datetimes, dumped as `...Z` with either no
  fraction or 6 fraction digits (pydantic never trims trailing zeros).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Callable, Literal, Union, get_args, get_origin

# families.py sits next to this script; make it importable from any cwd.
REFERENCE_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(REFERENCE_DIR))

from families import (  # noqa: E402
    FAMILIES,
    FIXTURES_DIR,
    MANIFEST_NAME,
    Family,
    sdk_version_problem,
)
from pydantic import BaseModel  # noqa: E402  (after families: it explains a missing venv)

UTC = timezone.utc

# ---------------------------------------------------------------------------
# Shared constants: timestamps, ids and tricky strings
# ---------------------------------------------------------------------------

# Zero microseconds: pydantic drops the fraction -> "2025-01-02T03:04:05Z".
T_WHOLE = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
# Non-zero microseconds: always 6 digits -> "2025-01-02T03:04:05.123456Z".
T_MICRO = datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
# Leading zeros in the fraction are kept -> ".000100Z".
T_SMALL_FRACTION = datetime(2025, 6, 7, 8, 9, 10, 100, tzinfo=UTC)
# Trailing zeros are kept too -> ".123000Z" (not ".123Z").
T_MILLIS = datetime(2025, 6, 7, 8, 9, 10, 123000, tzinfo=UTC)
# End of a year, to catch off-by-one formatting of large fields.
T_LATE = datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

THREAD_ID = "thr_corpus01"
OTHER_THREAD_ID = "thr_corpus02"

UNICODE_TEXT = "Héllo 👋 日本"
# JSON escaping edge cases in one string: a quote, a newline, a tab, a
# backslash, U+2028/U+2029 (kept raw by the SDK), a control character
# (escaped as \u0001) and DEL (kept raw).
TRICKY_TEXT = 'say "hi"\nnext line\tTab \\ slash \u2028LS \u2029PS \x01ctl \x7fdel </b>'

SDK_CANCEL_NOTE = "The user cancelled the stream. Stop responding to the prior request."

NESTED_JSON_WITH_NULLS = {
    "string": "value",
    "null": None,
    "list": [1, None, {"inner": None}],
    "object": {"flag": True, "count": 0, "ratio": 0.5},
}

# How free-form JSON numbers print: floats always keep a ".0" or an exponent,
# exponents carry a sign ("1e+16"), -0.0 keeps its sign. Integers stay within
# 64 bits (Python ints are unbounded; larger ones would not survive a typical
# 64-bit JSON number type).
NUMBER_EDGE_CASES = {
    "whole_float": 1.0,
    "negative_zero": -0.0,
    "just_below_exponent": 1e15,
    "large": 1e16,
    "huge": 1.7976931348623157e308,
    "small": 0.00001,
    "tiny": 1e-7,
    "max_u64": 2**64 - 1,
    "min_i64": -(2**63),
}


@dataclass(frozen=True)
class Lossy:
    """A case whose SDK dump cannot be read back by the SDK itself.

    Kept in the case lists to document the quirk (the run prints it), but
    never written: see the module docstring.
    """

    value: Any
    reason: str


# ---------------------------------------------------------------------------
# Small builders shared by several families (they return plain dicts that
# the TypeAdapter validates later)
# ---------------------------------------------------------------------------


def item(item_id: str, item_type: str, created_at: datetime = T_WHOLE, **fields: Any) -> dict:
    """A thread item: the common fields first, like ThreadItemBase."""
    return {
        "id": item_id,
        "thread_id": THREAD_ID,
        "created_at": created_at,
        "type": item_type,
        **fields,
    }


def thread(thread_id: str = THREAD_ID, created_at: datetime = T_WHOLE, **fields: Any) -> dict:
    """A Thread with an empty items page unless `items` is given."""
    return {
        "id": thread_id,
        "created_at": created_at,
        "items": {"data": [], "has_more": False},
        **fields,
    }


def text_part(text: str) -> dict:
    return {"type": "input_text", "text": text}


def output_text(text: str, annotations: list | None = None) -> dict:
    return {"type": "output_text", "text": text, "annotations": annotations or []}


def url_source_full() -> dict:
    return {
        "type": "url",
        "title": "ChatKit docs",
        "description": "Official guide",
        "timestamp": "2025-01-02",
        "group": "Docs",
        "url": "https://docs.example.com/chatkit?lang=en#intro",
        "attribution": "example.com",
    }


def file_source_full() -> dict:
    return {
        "type": "file",
        "title": "Quarterly report",
        "description": "Q4 numbers",
        "filename": "report-q4.pdf",
    }


def entity_source_full() -> dict:
    return {
        "type": "entity",
        "title": "Ada Lovelace",
        "description": "Customer since 2019",
        "timestamp": "yesterday",
        "group": "People",
        "id": "ent_ada",
        "icon": "profile-card",
        "label": "Customer",
        "inline_label": "Ada",
        "interactive": True,
        "data": {"crm_id": 42, "vip": None},
    }


def file_attachment(**fields: Any) -> dict:
    return {
        "type": "file",
        "id": "atc_file01",
        "name": "notes.txt",
        "mime_type": "text/plain",
        **fields,
    }


def image_attachment(**fields: Any) -> dict:
    return {
        "type": "image",
        "id": "atc_image01",
        "name": "photo.png",
        "mime_type": "image/png",
        "preview_url": "https://cdn.example.com/previews/atc_image01.png",
        **fields,
    }


def put_upload_descriptor() -> dict:
    return {
        "url": "https://uploads.example.com/v1/atc_image01",
        "method": "PUT",
        "headers": {"x-upload-token": "tok_123", "content-type": "image/png"},
    }


def card_with_text() -> dict:
    return {"type": "Card", "children": [{"type": "Text", "id": "title", "value": "Hello"}]}


def button_with_action() -> dict:
    return {
        "type": "Button",
        "id": "go",
        "label": "Go",
        "onClickAction": {"type": "navigate", "payload": {"to": "/home"}},
    }


def list_view_widget() -> dict:
    return {
        "type": "ListView",
        "limit": "auto",
        "children": [
            {
                "type": "ListViewItem",
                "key": "row-1",
                "children": [{"type": "Text", "value": "Row 1"}],
                "onClickAction": {"type": "open_row", "payload": {"row": 1}, "handler": "client"},
            }
        ],
    }


def multiple_choice_input(answer: dict | None = None, multiple: bool = False) -> dict:
    value = {
        "type": "multiple_choice",
        "id": "subject",
        "question": "Which subject?",
        "options": [{"value": "Math"}, {"value": "Science"}],
        "multiple": multiple,
    }
    if answer is not None:
        value["answer"] = answer
    return value


def freeform_input(answer: dict | None = None) -> dict:
    value = {
        "type": "freeform",
        "id": "details",
        "question": "Anything else?",
        "description": "Optional details",
    }
    if answer is not None:
        value["answer"] = answer
    return value


# ---------------------------------------------------------------------------
# Family: request (ChatKitReq) -- all 16 request types
# ---------------------------------------------------------------------------


def user_input(**fields: Any) -> dict:
    """A minimal UserMessageInput; `attachments` and `inference_options` are required."""
    return {"content": [text_part("Hello")], "attachments": [], "inference_options": {}, **fields}


def request(req_type: str, params: dict, **fields: Any) -> dict:
    return {"type": req_type, "params": params, **fields}


def thread_creation_requests() -> dict[str, Any]:
    tag = {
        "type": "input_tag",
        "id": "tag_ada",
        "text": "@Ada",
        "data": {"entity": "person", "score": None},
        "group": "People",
        "interactive": True,
    }
    return {
        "threads_create_minimal": request("threads.create", {"input": user_input()}),
        "threads_create_with_empty_content": request(
            "threads.create", {"input": user_input(content=[])}
        ),
        "threads_create_with_quoted_text_and_tool_choice": request(
            "threads.create",
            {
                "input": user_input(
                    quoted_text="the quoted part",
                    inference_options={"tool_choice": {"id": "search"}, "model": "gpt-x"},
                )
            },
        ),
        "threads_create_with_tag_and_attachments": request(
            "threads.create",
            {
                "input": user_input(
                    content=[text_part("Ask "), tag],
                    attachments=["atc_file01", "atc_image01"],
                )
            },
        ),
        "threads_create_with_minimal_tag": request(
            "threads.create",
            {
                "input": user_input(
                    content=[{"type": "input_tag", "id": "t1", "text": "#t", "data": {}}]
                )
            },
        ),
        "threads_create_with_metadata": request(
            "threads.create",
            {"input": user_input()},
            metadata={"source": "corpus", "nested": {"n": None, "list": [1, 2]}},
        ),
        "threads_add_user_message_minimal": request(
            "threads.add_user_message", {"thread_id": THREAD_ID, "input": user_input()}
        ),
        "threads_add_user_message_with_unicode_and_model_only": request(
            "threads.add_user_message",
            {
                "thread_id": THREAD_ID,
                "input": user_input(
                    content=[text_part(UNICODE_TEXT)], inference_options={"model": "gpt-x"}
                ),
            },
        ),
    }


def tool_and_structured_input_requests() -> dict[str, Any]:
    def tool_output(result: Any) -> dict:
        return request("threads.add_client_tool_output", {"thread_id": THREAD_ID, "result": result})

    def structured(submission: dict) -> dict:
        params = {"thread_id": THREAD_ID, "item_id": "si_1", "input": submission}
        return request("threads.add_structured_input", params)

    return {
        "threads_add_client_tool_output_with_object_result": tool_output({"lat": 1.5, "tz": None}),
        "threads_add_client_tool_output_with_list_result": tool_output([1, "two", None]),
        "threads_add_client_tool_output_with_string_result": tool_output("done"),
        "threads_add_client_tool_output_with_null_result": Lossy(
            tool_output(None),
            "exclude_none drops the required `result` key, so the SDK rejects its own dump",
        ),
        "threads_add_structured_input_with_defaults": structured({}),
        "threads_add_structured_input_answered": structured(
            {
                "status": "answered",
                "answers": {
                    "subject": {"values": ["Math", "Science"]},
                    "details": {"values": [], "skipped": True},
                },
            }
        ),
        "threads_add_structured_input_skipped": structured({"status": "skipped"}),
        "threads_retry_after_item": request(
            "threads.retry_after_item", {"thread_id": THREAD_ID, "item_id": "msg_user01"}
        ),
    }


def custom_action_requests() -> dict[str, Any]:
    def action_params(**fields: Any) -> dict:
        return {"thread_id": THREAD_ID, **fields}

    return {
        "threads_custom_action_without_item_id_or_payload": request(
            "threads.custom_action", action_params(action={"type": "refresh"})
        ),
        "threads_custom_action_with_null_item_id": request(
            "threads.custom_action", action_params(item_id=None, action={"type": "refresh"})
        ),
        "threads_custom_action_with_item_id_and_payload": request(
            "threads.custom_action",
            action_params(
                item_id="w_1", action={"type": "select", "payload": NESTED_JSON_WITH_NULLS}
            ),
        ),
        # Widget-side keys such as `handler` are not part of Action: ignored.
        "threads_custom_action_ignores_handler_key": request(
            "threads.custom_action",
            action_params(action={"type": "select", "payload": "x", "handler": "client"}),
        ),
        "threads_sync_custom_action_without_item_id": request(
            "threads.sync_custom_action", action_params(action={"type": "toggle"})
        ),
        "threads_sync_custom_action_with_item_id_and_payload": request(
            "threads.sync_custom_action",
            action_params(item_id="w_1", action={"type": "toggle", "payload": {"on": True}}),
        ),
    }


def simple_requests() -> dict[str, Any]:
    return {
        "threads_get_by_id": request("threads.get_by_id", {"thread_id": THREAD_ID}),
        "threads_delete": request("threads.delete", {"thread_id": THREAD_ID}),
        "threads_list_defaults": request("threads.list", {}),
        "threads_list_with_limit_order_after": request(
            "threads.list", {"limit": 5, "order": "asc", "after": OTHER_THREAD_ID}
        ),
        "items_list_defaults": request("items.list", {"thread_id": THREAD_ID}),
        "items_list_with_limit_order_after": request(
            "items.list",
            {"thread_id": THREAD_ID, "limit": 50, "order": "desc", "after": "msg_user01"},
        ),
        "items_feedback_positive": request(
            "items.feedback", {"thread_id": THREAD_ID, "item_ids": ["msg_a"], "kind": "positive"}
        ),
        "items_feedback_negative_many_items": request(
            "items.feedback",
            {"thread_id": THREAD_ID, "item_ids": ["msg_a", "msg_b"], "kind": "negative"},
        ),
        "attachments_create": request(
            "attachments.create", {"name": "photo.png", "size": 2048, "mime_type": "image/png"}
        ),
        "attachments_delete": request("attachments.delete", {"attachment_id": "atc_file01"}),
        "threads_update_title": request(
            "threads.update", {"thread_id": THREAD_ID, "title": UNICODE_TEXT}
        ),
        "threads_update_empty_title": request(
            "threads.update", {"thread_id": THREAD_ID, "title": ""}
        ),
        "input_transcribe": request(
            "input.transcribe", {"audio_base64": "UklGRg==", "mime_type": "audio/webm;codecs=opus"}
        ),
    }


def request_cases() -> dict[str, Any]:
    return {
        **thread_creation_requests(),
        **tool_and_structured_input_requests(),
        **custom_action_requests(),
        **simple_requests(),
    }


# ---------------------------------------------------------------------------
# Family: event (ThreadStreamEvent) -- all 12 event types
# ---------------------------------------------------------------------------


def thread_events() -> dict[str, Any]:
    def event(kind: str, **thread_fields: Any) -> dict:
        return {"type": kind, "thread": thread(**thread_fields)}

    return {
        "thread_created_without_title": event("thread.created", created_at=T_MICRO),
        "thread_created_with_title_and_empty_image_domains": event(
            "thread.created", title="New chat", allowed_image_domains=[]
        ),
        "thread_updated_with_title_and_image_domains": event(
            "thread.updated",
            title="Renamed",
            allowed_image_domains=["cdn.example.com", "img.example.org"],
        ),
        "thread_updated_locked_with_reason": event(
            "thread.updated", status={"type": "locked", "reason": "Under review"}
        ),
        "thread_updated_locked_without_reason": event("thread.updated", status={"type": "locked"}),
        "thread_updated_closed_with_reason": event(
            "thread.updated", title="Done", status={"type": "closed", "reason": "Resolved"}
        ),
        "thread_updated_closed_without_reason": event("thread.updated", status={"type": "closed"}),
    }


def item_events() -> dict[str, Any]:
    return {
        "thread_item_added_empty_assistant_message": {
            "type": "thread.item.added",
            "item": item("msg_asst01", "assistant_message", content=[]),
        },
        "thread_item_added_widget": {
            "type": "thread.item.added",
            "item": item("w_1", "widget", widget=card_with_text()),
        },
        "thread_item_done_user_message": {
            "type": "thread.item.done",
            "item": item(
                "msg_user01",
                "user_message",
                T_MICRO,
                content=[text_part("hi")],
                inference_options={},
            ),
        },
        "thread_item_done_client_tool_call_pending": {
            "type": "thread.item.done",
            "item": item(
                "tc_1",
                "client_tool_call",
                call_id="call_1",
                name="get_location",
                arguments={"a": 1},
            ),
        },
        "thread_item_replaced_structured_input_answered": {
            "type": "thread.item.replaced",
            "item": item(
                "si_1",
                "structured_input",
                status="answered",
                inputs=[multiple_choice_input({"values": ["Math"], "skipped": False})],
            ),
        },
        "thread_item_updated_text_delta": {
            "type": "thread.item.updated",
            "item_id": "msg_asst01",
            "update": {
                "type": "assistant_message.content_part.text_delta",
                "content_index": 0,
                "delta": UNICODE_TEXT,
            },
        },
        "thread_item_updated_workflow_task_added": {
            "type": "thread.item.updated",
            "item_id": "wf_1",
            "update": {
                "type": "workflow.task.added",
                "task_index": 0,
                "task": {"type": "thought", "content": "Thinking..."},
            },
        },
        "thread_item_removed": {"type": "thread.item.removed", "item_id": "msg_asst01"},
    }


def stream_control_events() -> dict[str, Any]:
    def progress(**fields: Any) -> dict:
        return {"type": "progress_update", "text": "Searching the web…", **fields}

    return {
        "stream_options_allow_cancel": {
            "type": "stream_options",
            "stream_options": {"allow_cancel": True},
        },
        "stream_options_disallow_cancel": {
            "type": "stream_options",
            "stream_options": {"allow_cancel": False},
        },
        "progress_update_without_icon": progress(),
        "progress_update_with_named_icon": progress(icon="search"),
        "progress_update_with_lucide_icon": progress(icon="lucide:loader-circle"),
        "progress_update_with_vendor_icon": progress(icon="vendor:acme-spinner"),
        "client_effect_with_default_data": {"type": "client_effect", "name": "confetti"},
        "client_effect_with_nested_nulls": {
            "type": "client_effect",
            "name": "highlight",
            "data": NESTED_JSON_WITH_NULLS,
        },
        "client_effect_with_number_edge_cases": {
            "type": "client_effect",
            "name": "numbers",
            "data": NUMBER_EDGE_CASES,
        },
    }


def error_and_notice_events() -> dict[str, Any]:
    cases: dict[str, Any] = {
        "error_custom_with_message_and_retry": {
            "type": "error",
            "code": "custom",
            "message": "Quota exceeded",
            "allow_retry": True,
        },
        "error_custom_defaults": {"type": "error"},
        "error_stream_error_with_retry": {
            "type": "error",
            "code": "stream.error",
            "allow_retry": True,
        },
    }
    for level in ("info", "warning", "danger"):
        message = f"A **{level}** notice. [Details](https://example.com/{level})"
        cases[f"notice_{level}_with_title"] = {
            "type": "notice",
            "level": level,
            "message": message,
            "title": level.title(),
        }
        cases[f"notice_{level}_without_title"] = {
            "type": "notice",
            "level": level,
            "message": message,
        }
    return cases


def event_cases() -> dict[str, Any]:
    return {
        **thread_events(),
        **item_events(),
        **stream_control_events(),
        **error_and_notice_events(),
    }


# ---------------------------------------------------------------------------
# Family: update (ThreadItemUpdate) -- all 10 update types
# ---------------------------------------------------------------------------


def assistant_message_updates() -> dict[str, Any]:
    def annotation_added(annotation: dict, annotation_index: int) -> dict:
        return {
            "type": "assistant_message.content_part.annotation_added",
            "content_index": 0,
            "annotation_index": annotation_index,
            "annotation": annotation,
        }

    return {
        "content_part_added_empty": {
            "type": "assistant_message.content_part.added",
            "content_index": 0,
            "content": output_text(""),
        },
        "content_part_text_delta_with_escapes": {
            "type": "assistant_message.content_part.text_delta",
            "content_index": 1,
            "delta": TRICKY_TEXT,
        },
        "content_part_annotation_added_url_source_with_index": annotation_added(
            {"type": "annotation", "source": url_source_full(), "index": 12}, 0
        ),
        "content_part_annotation_added_file_source_without_index": annotation_added(
            {"source": {"type": "file", "title": "Notes", "filename": "notes.md"}}, 1
        ),
        "content_part_annotation_added_entity_source": annotation_added(
            {"source": entity_source_full(), "index": 0}, 2
        ),
        "content_part_done_with_annotation": {
            "type": "assistant_message.content_part.done",
            "content_index": 0,
            "content": output_text(
                "See the docs.",
                [{"source": {"type": "url", "title": "Docs", "url": "https://ex.com"}}],
            ),
        },
    }


def widget_and_workflow_updates() -> dict[str, Any]:
    return {
        "widget_streaming_text_value_delta_in_progress": {
            "type": "widget.streaming_text.value_delta",
            "component_id": "title",
            "delta": "llo",
            "done": False,
        },
        "widget_streaming_text_value_delta_done": {
            "type": "widget.streaming_text.value_delta",
            "component_id": "title",
            "delta": "!",
            "done": True,
        },
        "widget_component_updated_button": {
            "type": "widget.component.updated",
            "component_id": "go",
            "component": button_with_action(),
        },
        "widget_root_updated_card_with_text": {
            "type": "widget.root.updated",
            "widget": card_with_text(),
        },
        "workflow_task_added_thought": {
            "type": "workflow.task.added",
            "task_index": 0,
            "task": {"type": "thought", "status_indicator": "loading", "content": "Let me think."},
        },
        "workflow_task_updated_web_search": {
            "type": "workflow.task.updated",
            "task_index": 1,
            "task": {
                "type": "web_search",
                "status_indicator": "complete",
                "queries": ["rust serde"],
            },
        },
    }


def generated_image_updates() -> dict[str, Any]:
    image = {"id": "img_1", "url": "https://cdn.example.com/img_1.png"}
    return {
        "generated_image_updated_without_progress": {
            "type": "generated_image.updated",
            "image": image,
        },
        "generated_image_updated_with_fractional_progress": {
            "type": "generated_image.updated",
            "image": image,
            "progress": 0.25,
        },
        # A whole float still prints with ".0" (pydantic writes 1.0, not 1).
        "generated_image_updated_with_whole_progress": {
            "type": "generated_image.updated",
            "image": image,
            "progress": 1.0,
        },
    }


def update_cases() -> dict[str, Any]:
    return {
        **assistant_message_updates(),
        **widget_and_workflow_updates(),
        **generated_image_updates(),
    }


# ---------------------------------------------------------------------------
# Family: item (ThreadItem) -- all 11 variants
# ---------------------------------------------------------------------------


def user_message_items() -> dict[str, Any]:
    tag = {
        "type": "input_tag",
        "id": "tag_1",
        "text": "@Ada",
        "data": {"id": 7},
        "group": "People",
        "interactive": True,
    }
    attachments = [
        file_attachment(thread_id=THREAD_ID),
        image_attachment(upload_descriptor=put_upload_descriptor(), thread_id=THREAD_ID),
        # The server encoding strips attachment metadata (see stored_item).
        file_attachment(
            id="atc_file02",
            name="data.csv",
            mime_type="text/csv",
            metadata={"secret": "s3://bucket/key"},
        ),
    ]
    return {
        "user_message_text_only": item(
            "msg_user01", "user_message", content=[text_part("hi")], inference_options={}
        ),
        "user_message_with_text_and_tag": item(
            "msg_user02",
            "user_message",
            T_MICRO,
            content=[text_part("Call "), tag],
            inference_options={},
        ),
        "user_message_with_attachments_quote_and_options": item(
            "msg_user03",
            "user_message",
            content=[text_part("See attached")],
            attachments=attachments,
            quoted_text="quoted bit",
            inference_options={"tool_choice": {"id": "search"}, "model": "gpt-x"},
        ),
        "user_message_with_unicode_and_escapes": item(
            "msg_user04",
            "user_message",
            T_SMALL_FRACTION,
            content=[text_part(UNICODE_TEXT), text_part(TRICKY_TEXT)],
            quoted_text=UNICODE_TEXT,
            inference_options={},
        ),
    }


def assistant_message_items() -> dict[str, Any]:
    annotations = [
        {"source": url_source_full(), "index": 3},
        {"source": file_source_full()},
        {"source": entity_source_full(), "index": 0},
        {
            "source": {
                "type": "entity",
                "title": "Acme",
                "id": "ent_acme",
                "icon": "vendor:acme-logo",
            }
        },
    ]
    return {
        "assistant_message_plain": item(
            "msg_asst01", "assistant_message", content=[output_text("Hello! How can I help?")]
        ),
        "assistant_message_empty_content": item("msg_asst02", "assistant_message", content=[]),
        "assistant_message_with_all_annotation_sources": item(
            "msg_asst03",
            "assistant_message",
            T_MILLIS,
            content=[output_text(UNICODE_TEXT, annotations)],
        ),
        "assistant_message_with_multiple_parts": item(
            "msg_asst04",
            "assistant_message",
            content=[output_text("Part one."), output_text(TRICKY_TEXT)],
        ),
    }


def client_tool_call_items() -> dict[str, Any]:
    def tool_call(item_id: str, **fields: Any) -> dict:
        return item(
            item_id,
            "client_tool_call",
            call_id="call_1",
            name="get_location",
            arguments={"precise": True, "hint": None},
            **fields,
        )

    return {
        "client_tool_call_pending": tool_call("tc_1"),
        # `output: null` is dropped by exclude_none: no `output` key at all.
        "client_tool_call_completed_with_null_output": tool_call(
            "tc_2", status="completed", output=None
        ),
        "client_tool_call_completed_with_string_output": tool_call(
            "tc_3", status="completed", output="Paris"
        ),
        "client_tool_call_completed_with_object_output": tool_call(
            "tc_4",
            status="completed",
            output={"city": "Paris", "zip": None, "coords": [48.85, 2.35]},
        ),
    }


def widget_and_image_items() -> dict[str, Any]:
    return {
        "widget_card_with_copy_text": item(
            "w_1", "widget", widget=card_with_text(), copy_text="Hello"
        ),
        "widget_list_view_without_copy_text": item("w_2", "widget", widget=list_view_widget()),
        "generated_image_without_image": item("img_item1", "generated_image"),
        "generated_image_with_image": item(
            "img_item2",
            "generated_image",
            image={"id": "img_1", "url": "https://cdn.example.com/img_1.png"},
        ),
    }


def structured_input_items() -> dict[str, Any]:
    return {
        "structured_input_pending": item(
            "si_1", "structured_input", inputs=[multiple_choice_input(), freeform_input()]
        ),
        "structured_input_answered_multiple_choice_multiple": item(
            "si_2",
            "structured_input",
            status="answered",
            inputs=[
                multiple_choice_input({"values": ["Math", "Custom answer"]}, multiple=True),
                freeform_input({"values": ["more"], "skipped": False}),
            ],
        ),
        "structured_input_skipped": item(
            "si_3",
            "structured_input",
            status="skipped",
            inputs=[
                multiple_choice_input({"values": [], "skipped": True}),
                freeform_input({"skipped": True}),
            ],
        ),
    }


def workflow_and_task_items() -> dict[str, Any]:
    cases: dict[str, Any] = {
        "workflow_custom_expanded_with_custom_summary": item(
            "wf_1",
            "workflow",
            workflow={
                "type": "custom",
                "tasks": [
                    {
                        "type": "custom",
                        "title": "Step 1",
                        "icon": "check",
                        "status_indicator": "complete",
                    }
                ],
                "summary": {"title": "Did things", "icon": "sparkle"},
                "expanded": True,
            },
        ),
        "workflow_reasoning_with_duration_summary": item(
            "wf_2",
            "workflow",
            T_LATE,
            workflow={
                "type": "reasoning",
                "tasks": [{"type": "thought", "content": "Consider the options."}],
                "summary": {"duration": 12},
            },
        ),
    }
    for task in all_task_kinds_minimal():
        cases[f"task_item_{task['type']}"] = item(f"task_{task['type']}", "task", task=task)
    return cases


def marker_and_hidden_items() -> dict[str, Any]:
    return {
        "end_of_turn": item("eot_1", "end_of_turn"),
        "hidden_context_item_with_nested_json": item(
            "hcx_1", "hidden_context_item", content={"memory": NESTED_JSON_WITH_NULLS}
        ),
        "hidden_context_item_with_string": item(
            "hcx_2", "hidden_context_item", content="plain note"
        ),
        "sdk_hidden_context_cancel_note": item(
            "shcx_1", "sdk_hidden_context", T_MICRO, content=SDK_CANCEL_NOTE
        ),
    }


def item_cases() -> dict[str, Any]:
    return {
        **user_message_items(),
        **assistant_message_items(),
        **client_tool_call_items(),
        **widget_and_image_items(),
        **structured_input_items(),
        **workflow_and_task_items(),
        **marker_and_hidden_items(),
    }


# ---------------------------------------------------------------------------
# Families: thread, thread_metadata, page_threads, page_items
# ---------------------------------------------------------------------------


def sample_items() -> list[dict]:
    return [
        item("msg_user01", "user_message", content=[text_part("hi")], inference_options={}),
        item("msg_asst01", "assistant_message", T_MICRO, content=[output_text("hello")]),
    ]


def thread_cases() -> dict[str, Any]:
    return {
        "thread_without_title": thread(),
        "thread_with_title": thread(title="Trip planning", created_at=T_MICRO),
        "thread_locked_with_reason": thread(status={"type": "locked", "reason": "Read only"}),
        "thread_closed_without_reason": thread(status={"type": "closed"}),
        "thread_with_empty_image_domains": thread(allowed_image_domains=[]),
        "thread_with_image_domains": thread(allowed_image_domains=["cdn.example.com"]),
        "thread_with_items_page_has_more": thread(
            title=UNICODE_TEXT,
            items={"data": sample_items(), "has_more": True, "after": "msg_asst01"},
        ),
        "thread_with_items_page_complete": thread(
            items={"data": sample_items(), "has_more": False}
        ),
    }


def thread_metadata_cases() -> dict[str, Any]:
    return {
        "thread_metadata_minimal": {"id": THREAD_ID, "created_at": T_WHOLE},
        # ThreadMetadata.metadata is the store's own field: it is kept.
        "thread_metadata_with_title_and_metadata": {
            "id": THREAD_ID,
            "created_at": T_MICRO,
            "title": "Trip planning",
            "metadata": {"owner": "user_1", "previous_response_id": None, "tags": ["a", "b"]},
        },
        "thread_metadata_closed_with_image_domains": {
            "id": OTHER_THREAD_ID,
            "created_at": T_LATE,
            "status": {"type": "closed", "reason": "Archived"},
            "allowed_image_domains": ["cdn.example.com"],
            "metadata": {"k": 1},
        },
    }


def page_threads_cases() -> dict[str, Any]:
    threads = [thread(title="First"), thread(OTHER_THREAD_ID, T_MICRO)]
    return {
        "page_threads_empty": {"data": [], "has_more": False},
        "page_threads_has_more_with_after": {
            "data": threads,
            "has_more": True,
            "after": OTHER_THREAD_ID,
        },
        "page_threads_last_page": {"data": threads, "has_more": False},
    }


def page_items_cases() -> dict[str, Any]:
    return {
        "page_items_empty": {"data": [], "has_more": False},
        "page_items_has_more_with_after": {
            "data": sample_items(),
            "has_more": True,
            "after": "msg_asst01",
        },
        "page_items_last_page": {"data": sample_items()[:1], "has_more": False},
    }


# ---------------------------------------------------------------------------
# Families: attachment (server encoding) and stored_attachment / stored_item
# ---------------------------------------------------------------------------


def attachment_cases() -> dict[str, Any]:
    post_descriptor = {
        "url": "https://uploads.example.com/v1/atc_file01",
        "method": "POST",
        "headers": {},
    }
    return {
        "file_minimal": file_attachment(),
        "file_with_thread_id": file_attachment(thread_id=THREAD_ID),
        "file_with_post_upload_descriptor_empty_headers": file_attachment(
            upload_descriptor=post_descriptor
        ),
        # No `headers` key in the input: the default {} is still emitted.
        "file_with_post_upload_descriptor_default_headers": file_attachment(
            upload_descriptor={
                "url": "https://uploads.example.com:8443/v1/upload?sig=abc%20def&x=1",
                "method": "POST",
            }
        ),
        "image_minimal": image_attachment(),
        "image_with_put_upload_descriptor_and_headers": image_attachment(
            upload_descriptor=put_upload_descriptor(), thread_id=THREAD_ID
        ),
        # AnyUrl normalizes a bare host by adding "/": the fixture has it.
        "image_with_bare_host_urls": image_attachment(
            preview_url="https://cdn.example.com",
            upload_descriptor={
                "url": "https://uploads.example.com",
                "method": "PUT",
                "headers": {"x-k": "v"},
            },
        ),
        "file_with_metadata_excluded": file_attachment(
            metadata={"storage_key": "k1", "owner": None}
        ),
        "image_with_metadata_excluded": image_attachment(metadata={"width": 640}),
    }


def stored_attachment_cases() -> dict[str, Any]:
    return {
        "file_without_metadata": file_attachment(thread_id=THREAD_ID),
        "file_with_nested_metadata": file_attachment(metadata={"storage": NESTED_JSON_WITH_NULLS}),
        "file_with_empty_metadata": file_attachment(metadata={}),
        "image_with_metadata_and_upload_descriptor": image_attachment(
            upload_descriptor=put_upload_descriptor(),
            thread_id=THREAD_ID,
            metadata={"width": 640, "height": 480, "exif": None},
        ),
    }


def stored_item_cases() -> dict[str, Any]:
    attachments = [
        file_attachment(thread_id=THREAD_ID, metadata={"storage": NESTED_JSON_WITH_NULLS}),
        image_attachment(thread_id=THREAD_ID, metadata={"width": 640}),
        file_attachment(id="atc_file02", name="plain.txt"),
    ]
    return {
        "user_message_with_attachment_metadata": item(
            "msg_user01",
            "user_message",
            T_MICRO,
            content=[text_part("files")],
            attachments=attachments,
            inference_options={},
        ),
        "user_message_without_attachments": item(
            "msg_user02", "user_message", content=[text_part("hi")], inference_options={}
        ),
        # The store also holds hidden items, which the server never sends.
        "hidden_context_item": item("hcx_1", "hidden_context_item", content={"note": None}),
        "sdk_hidden_context_cancel_note": item(
            "shcx_1", "sdk_hidden_context", content=SDK_CANCEL_NOTE
        ),
    }


# ---------------------------------------------------------------------------
# Families: task, source, workflow, structured_input
# ---------------------------------------------------------------------------


def all_task_kinds_minimal() -> list[dict]:
    """One task of each kind with only the required fields."""
    return [
        {"type": "custom"},
        {"type": "web_search"},
        {"type": "thought", "content": "Hmm."},
        {"type": "file"},
        {"type": "image"},
    ]


def task_cases() -> dict[str, Any]:
    cases: dict[str, Any] = {f"{task['type']}_minimal": task for task in all_task_kinds_minimal()}
    cases.update(
        {
            "custom_full_loading": {
                "type": "custom",
                "status_indicator": "loading",
                "title": "Fetching",
                "icon": "globe",
                "content": "Calling API",
            },
            "custom_with_lucide_icon_complete": {
                "type": "custom",
                "status_indicator": "complete",
                "icon": "lucide:database",
            },
            "web_search_with_queries_and_sources": {
                "type": "web_search",
                "status_indicator": "complete",
                "title": "Searched the web",
                "title_query": "chatkit rust",
                "queries": ["chatkit rust", "chatkit protocol"],
                "sources": [
                    url_source_full(),
                    {"type": "url", "title": "Bare", "url": "https://ex.com"},
                ],
            },
            "thought_with_title_none_indicator": {
                "type": "thought",
                "status_indicator": "none",
                "title": "Reasoning",
                "content": TRICKY_TEXT,
            },
            "file_with_sources": {
                "type": "file",
                "status_indicator": "loading",
                "title": "Reading files",
                "sources": [
                    file_source_full(),
                    {"type": "file", "title": "a", "filename": "a.txt"},
                ],
            },
            "image_with_title": {
                "type": "image",
                "status_indicator": "complete",
                "title": "Drawing",
            },
        }
    )
    return cases


def source_cases() -> dict[str, Any]:
    return {
        "url_minimal": {"type": "url", "title": "Example", "url": "https://ex.com"},
        "url_full": url_source_full(),
        "file_minimal": {"type": "file", "title": "Notes", "filename": "notes.md"},
        "file_full": {**file_source_full(), "timestamp": "2025-01-02T03:04:05Z", "group": "Files"},
        "entity_minimal": {"type": "entity", "title": "Acme", "id": "ent_acme"},
        "entity_full": entity_source_full(),
    }


def workflow_cases() -> dict[str, Any]:
    thought = {"type": "thought", "content": "Step by step."}
    return {
        "custom_empty_tasks_no_summary": {"type": "custom", "tasks": []},
        "reasoning_empty_tasks_expanded": {"type": "reasoning", "tasks": [], "expanded": True},
        "custom_with_custom_summary_and_icon": {
            "type": "custom",
            "tasks": [thought, {"type": "image"}],
            "summary": {"title": "Made an image", "icon": "images"},
            "expanded": False,
        },
        "custom_with_custom_summary_without_icon": {
            "type": "custom",
            "tasks": [thought],
            "summary": {"title": "Thought"},
        },
        "reasoning_with_duration_summary": {
            "type": "reasoning",
            "tasks": [thought],
            "summary": {"duration": 0},
        },
    }


def structured_input_cases() -> dict[str, Any]:
    return {
        "multiple_choice_without_answer": multiple_choice_input(),
        "multiple_choice_multiple_with_answer": multiple_choice_input(
            {"values": ["Math", "Science"]}, multiple=True
        ),
        "freeform_minimal": {"type": "freeform", "id": "q", "question": "Why?"},
        "freeform_with_description_and_skipped_answer": freeform_input(
            {"values": [], "skipped": True}
        ),
    }


# ---------------------------------------------------------------------------
# Families: small response bodies and ActionConfig
# ---------------------------------------------------------------------------


def sync_custom_action_response_cases() -> dict[str, Any]:
    return {
        "with_updated_widget_item": {
            "updated_item": item("w_1", "widget", widget=card_with_text(), copy_text="Hello"),
        },
        "without_updated_item": {},
    }


def transcription_result_cases() -> dict[str, Any]:
    return {
        "plain_text": {"text": "turn on the lights"},
        "unicode_text": {"text": UNICODE_TEXT},
        "empty_text": {"text": ""},
    }


def action_config_cases() -> dict[str, Any]:
    cases: dict[str, Any] = {
        "defaults_only": {"type": "submit"},
        "all_fields_set": {
            "type": "submit",
            "payload": {"form": {"name": "Ada", "age": None}},
            "handler": "client",
            "loadingBehavior": "container",
            "streaming": False,
        },
    }
    for behavior in ("auto", "none", "self"):
        cases[f"loading_behavior_{behavior}"] = {
            "type": "submit",
            "payload": [1, 2],
            "loadingBehavior": behavior,
        }
    return cases


# ---------------------------------------------------------------------------
# Family: widget (cases owned by corpus_widgets.py, written by someone else)
# ---------------------------------------------------------------------------


def widget_cases() -> dict[str, Any] | None:
    """The widget cases from corpus_widgets.py, or None if it does not exist yet."""
    try:
        import corpus_widgets
    except ModuleNotFoundError as error:
        # Only a missing corpus_widgets is expected; a missing import *inside*
        # that module is a real bug and must surface.
        if error.name != "corpus_widgets":
            raise
        return None
    return corpus_widgets.widget_cases()


# Family name -> function returning {case name: value}. The widget family is
# handled separately because its cases may not exist yet.
CASE_BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "request": request_cases,
    "event": event_cases,
    "update": update_cases,
    "item": item_cases,
    "thread": thread_cases,
    "thread_metadata": thread_metadata_cases,
    "page_threads": page_threads_cases,
    "page_items": page_items_cases,
    "attachment": attachment_cases,
    "stored_attachment": stored_attachment_cases,
    "stored_item": stored_item_cases,
    "task": task_cases,
    "source": source_cases,
    "workflow": workflow_cases,
    "structured_input": structured_input_cases,
    "sync_custom_action_response": sync_custom_action_response_cases,
    "transcription_result": transcription_result_cases,
    "action_config": action_config_cases,
}

# Families whose every `type` variant must appear at least once.
# (The widget family is another engineer's; it is not checked here.)
COVERAGE_CHECKED = {
    "request",
    "event",
    "update",
    "item",
    "attachment",
    "stored_attachment",
    "task",
    "source",
    "workflow",
    "structured_input",
}

CASE_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def variant_tags(python_type: Any) -> list[str]:
    """All values the `type` field can take in a (union of) pydantic model(s)."""
    origin = get_origin(python_type)
    if origin is Annotated:
        return variant_tags(get_args(python_type)[0])
    if origin in (Union, UnionType):
        return [tag for member in get_args(python_type) for tag in variant_tags(member)]
    if isinstance(python_type, type) and issubclass(python_type, BaseModel):
        field = python_type.model_fields.get("type")
        if field is not None and get_origin(field.annotation) is Literal:
            return [str(tag) for tag in get_args(field.annotation)]
    return []


def remove_owned_files() -> None:
    """Delete the manifest and `<family>/*.json`, so stale cases vanish.

    Only files this script writes are removed; anything else a person put
    under fixtures/protocol/ is left alone.
    """
    (FIXTURES_DIR / MANIFEST_NAME).unlink(missing_ok=True)
    for name in FAMILIES:
        family_dir = FIXTURES_DIR / name
        if not family_dir.is_dir():
            continue
        for path in sorted(family_dir.glob("*.json")):
            path.unlink()
        if not any(family_dir.iterdir()):
            family_dir.rmdir()


def encode_case(family: Family, case: str, value: Any) -> bytes:
    """Validate, dump and check that the dump is a fixed point of the SDK."""
    if not CASE_NAME.match(case):
        raise ValueError(f"{family.name}/{case}: case names must be snake_case")
    payload = family.dump(family.validate_python(value))
    again = family.dump(family.validate_json(payload))
    if again != payload:
        raise ValueError(
            f"{family.name}/{case}: dump changes when read back:\n{payload!r}\n{again!r}"
        )
    return payload


def is_fixed_point(family: Family, value: Any) -> bool:
    """Whether the SDK can read back its own dump of `value` unchanged."""
    payload = family.dump(family.validate_python(value))
    try:
        return family.dump(family.validate_json(payload)) == payload
    except ValueError:  # pydantic's ValidationError is a ValueError
        return False


def report_lossy(family: Family, case: str, lossy: Lossy) -> None:
    """Print a declared SDK quirk; fail if the quirk has disappeared."""
    if is_fixed_point(family, lossy.value):
        raise ValueError(f"{family.name}/{case} is declared Lossy but round-trips now: write it")
    dumped = family.dump(family.validate_python(lossy.value)).decode()
    print(f"note: not written {family.name}/{case}: {lossy.reason}\n      SDK dump: {dumped}")


def write_family(family: Family, cases: dict[str, Any]) -> list[str]:
    """Write one family's cases; return the names of the cases written."""
    family_dir = FIXTURES_DIR / family.name
    family_dir.mkdir(parents=True, exist_ok=True)
    seen_tags: list[str] = []
    written: list[str] = []
    for case, value in cases.items():
        if isinstance(value, Lossy):
            report_lossy(family, case, value)
            continue
        payload = encode_case(family, case, value)
        (family_dir / f"{case}.json").write_bytes(payload)
        seen_tags.append(json.loads(payload).get("type"))
        written.append(case)
    check_coverage(family, seen_tags)
    return written


def check_coverage(family: Family, seen_tags: list[str]) -> None:
    """Fail if a variant of the family's union has no case at all."""
    if family.name not in COVERAGE_CHECKED:
        return
    missing = [tag for tag in variant_tags(family.python_type) if tag not in seen_tags]
    if missing:
        raise ValueError(f"{family.name}: no case for variant(s) {missing}")


def write_manifest(written: dict[str, list[str]]) -> None:
    """Record family -> sorted case names (sorted keys too: stable diffs)."""
    manifest = {family: sorted(cases) for family, cases in sorted(written.items())}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (FIXTURES_DIR / MANIFEST_NAME).write_text(text, encoding="utf-8")


def print_table(written: dict[str, list[str]]) -> None:
    width = max(len(name) for name in written)
    print(f"{'family':<{width}}  files")
    for name, cases in written.items():
        print(f"{name:<{width}}  {len(cases):>5}")
    total = sum(len(cases) for cases in written.values())
    print(f"{'total':<{width}}  {total:>5}")


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    remove_owned_files()
    written: dict[str, list[str]] = {}
    for name, build in CASE_BUILDERS.items():
        written[name] = write_family(FAMILIES[name], build())
    widgets = widget_cases()
    if widgets is None:
        print("note: reference/corpus_widgets.py not found; widget family skipped")
    else:
        written["widget"] = write_family(FAMILIES["widget"], widgets)
    write_manifest(written)
    print_table(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
