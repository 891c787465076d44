"""The protocol corpus families: which SDK type each fixture directory holds.

`gen_corpus.py` (Python -> fixtures) and `check_emitted.py` (Rust output ->
Python check) both import this module, so the two directions always agree on
three things:

* the directory name of a family (`fixtures/protocol/<family>/<case>.json`),
* the pydantic type its payloads are validated and dumped with,
* how they are dumped: the server's encoding (attachment `metadata` removed)
  or the store's encoding (attachment `metadata` kept).

It also pins the SDK version: the corpus only means something for the exact
`openai-chatkit` release the Rust crate promises to match.
"""

from __future__ import annotations

import importlib.metadata
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from pydantic import TypeAdapter

    from chatkit import actions, types, widgets
except ModuleNotFoundError as error:
    # Most likely the system python was used instead of the venv's. Say so
    # plainly (exit 2, like a wrong SDK version) instead of a traceback.
    print(
        f"error: python module {error.name!r} is missing; run reference/setup-venv.sh "
        "and use the python it prints",
        file=sys.stderr,
    )
    sys.exit(2)

# The SDK release whose bytes the Rust crate must reproduce.
REQUIRED_SDK_VERSION = "1.6.5"

# reference/ lives directly under the repository root.
REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = REPO_ROOT / "fixtures" / "protocol"
# Lists every written case, family by family, so the Rust tests notice a
# deleted or stray fixture. It is the only file outside the family folders.
MANIFEST_NAME = "manifest.json"

# The context every ChatKitServer response is dumped with. Only attachments
# look at it: their serializer drops `metadata` when it is set.
SERVER_CONTEXT: dict[str, Any] = {"exclude_metadata": True}


@dataclass(frozen=True)
class Family:
    """One fixture directory and the SDK type its payloads belong to."""

    name: str
    python_type: Any
    # True for the server's wire encoding, False for the store's encoding.
    exclude_metadata: bool = True
    # Building a TypeAdapter compiles a validator; do it once per family.
    adapter: TypeAdapter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The dataclass is frozen (families are constants), hence setattr.
        object.__setattr__(self, "adapter", TypeAdapter(self.python_type))

    def dump(self, value: Any) -> bytes:
        """Encode a value exactly as the SDK does: compact JSON, no nulls."""
        context = SERVER_CONTEXT if self.exclude_metadata else None
        return self.adapter.dump_json(value, by_alias=True, exclude_none=True, context=context)

    def validate_python(self, value: Any) -> Any:
        """Turn a dict (or a model) into the SDK's value, or raise."""
        return self.adapter.validate_python(value)

    def validate_json(self, payload: bytes) -> Any:
        """Parse JSON bytes into the SDK's value, or raise ValidationError."""
        return self.adapter.validate_json(payload)


def _build_families() -> dict[str, Family]:
    """Map directory name -> Family, in the order the summary table prints."""
    families = [
        Family("request", types.ChatKitReq),
        Family("event", types.ThreadStreamEvent),
        Family("update", types.ThreadItemUpdate),
        Family("item", types.ThreadItem),
        Family("thread", types.Thread),
        Family("thread_metadata", types.ThreadMetadata),
        Family("page_threads", types.Page[types.Thread]),
        Family("page_items", types.Page[types.ThreadItem]),
        Family("attachment", types.Attachment),
        # The store keeps attachment metadata, so these skip the context.
        Family("stored_attachment", types.Attachment, exclude_metadata=False),
        Family("stored_item", types.ThreadItem, exclude_metadata=False),
        Family("task", types.Task),
        Family("source", types.Source),
        Family("workflow", types.Workflow),
        Family("structured_input", types.StructuredInput),
        Family("sync_custom_action_response", types.SyncCustomActionResponse),
        Family("transcription_result", types.TranscriptionResult),
        Family("action_config", actions.ActionConfig),
        Family("widget", widgets.WidgetRoot),
    ]
    return {family.name: family for family in families}


FAMILIES: dict[str, Family] = _build_families()


def installed_sdk_version() -> str | None:
    """The installed openai-chatkit version, or None if it is not installed.

    We ask the package metadata (what pip installed) rather than
    `chatkit.version.__version__`, because the latter silently falls back to
    "0.0.0" when the metadata is missing.
    """
    try:
        return importlib.metadata.version("openai-chatkit")
    except importlib.metadata.PackageNotFoundError:
        return None


def sdk_version_problem() -> str | None:
    """A sentence explaining why this SDK cannot be used, or None if it can."""
    version = installed_sdk_version()
    if version == REQUIRED_SDK_VERSION:
        return None
    found = "not installed" if version is None else f"version {version}"
    return (
        f"openai-chatkit {REQUIRED_SDK_VERSION} is required, found {found}; "
        "run reference/setup-venv.sh and use the python it prints"
    )
