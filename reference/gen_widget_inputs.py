"""Record what the SDK makes of each untidy widget input.

Run with the SDK's venv (see setup-venv.sh):

    target/pyenv/bin/python reference/gen_widget_inputs.py

For every case of `widget_inputs.untidy_widget_cases()` this script writes
`fixtures/widget_inputs/<case>.json`:

    {
      "input": "<the input exactly as json.dumps writes it>",
      "sdk": "<TypeAdapter(WidgetRoot).validate_json(input), dumped as the server does>"
    }

with `"sdk": null` when the SDK rejects the input. Both are JSON *strings*, so
the input's key order and number forms (`1` vs `1.0`) reach the Rust test
untouched, and the SDK's output can be compared byte for byte. Each file is
`json.dumps(..., indent=2, ensure_ascii=False)` plus exactly one trailing
newline, so a second run rewrites the very same bytes; CI checks that.

`tests/protocol/widget_inputs.rs` reads these files. The widget corpus
(`gen_corpus.py`, family `widget`) is the other half: it pins the SDK's output
for tidy inputs, these pin how it reads untidy ones.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, get_args

# families.py and widget_inputs.py sit next to this script; make them importable from any cwd.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from families import FAMILIES, REPO_ROOT, sdk_version_problem  # noqa: E402
from pydantic import ValidationError  # noqa: E402  (after families: it explains a missing venv)
from widget_inputs import MARKER, MINIMAL_COMPONENTS, untidy_widget_cases  # noqa: E402

from chatkit import widgets  # noqa: E402

OUTPUT_DIR = REPO_ROOT / "fixtures" / "widget_inputs"
CASE_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
# The widget family's adapter and dump settings: the same bytes the server sends.
WIDGET = FAMILIES["widget"]


def sdk_output(input_text: str) -> str | None:
    """The SDK's dump of the widget `input_text` holds, or None if it rejects it."""
    try:
        value = WIDGET.validate_json(input_text)
    except ValidationError:
        return None
    return WIDGET.dump(value).decode()


def marked_keys(value: Any) -> list[str]:
    """Every object key at any depth of `value` that starts with MARKER."""
    if isinstance(value, dict):
        own = [key for key in value if key.startswith(MARKER)]
        return own + [key for child in value.values() for key in marked_keys(child)]
    if isinstance(value, list):
        return [key for child in value for key in marked_keys(child)]
    return []


def encode_case(case: str, value: object) -> tuple[str, bool]:
    """The fixture text for one case, and whether the SDK accepted the input."""
    if not CASE_NAME.match(case):
        raise ValueError(f"{case}: case names must be snake_case")
    input_text = json.dumps(value)
    sdk = sdk_output(input_text)
    # A marked prop promises "pydantic drops this"; if the SDK kept one, the
    # node it sits on is free-form and the case must use an ordinary name.
    kept = marked_keys(json.loads(sdk)) if sdk is not None else []
    if kept:
        raise ValueError(f"{case}: the SDK kept marked props {kept}; the node is free-form")
    fixture = {"input": input_text, "sdk": sdk}
    return json.dumps(fixture, indent=2, ensure_ascii=False) + "\n", sdk is not None


def check_every_component_is_covered() -> None:
    """Fail if the SDK has a typed component that MINIMAL_COMPONENTS lacks.

    The key-order and unknown-prop groups are built from that table, so a new
    component in a future SDK would otherwise go untested without a sound.
    """
    union = get_args(widgets.StrictWidgetComponent)[0]
    sdk_types = {member.model_fields["type"].default for member in get_args(union)}
    missing = sorted(sdk_types - MINIMAL_COMPONENTS.keys())
    if missing:
        raise ValueError(f"widget_inputs.MINIMAL_COMPONENTS lacks {missing}")


def remove_owned_files() -> None:
    """Delete `fixtures/widget_inputs/*.json`, so a renamed case leaves nothing stale."""
    for path in sorted(OUTPUT_DIR.glob("*.json")):
        path.unlink()


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    check_every_component_is_covered()
    # Encode everything before touching the directory: a failing case then
    # leaves the previous fixtures in place.
    encoded = {case: encode_case(case, value) for case, value in untidy_widget_cases().items()}
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    remove_owned_files()
    for case, (text, _) in encoded.items():
        (OUTPUT_DIR / f"{case}.json").write_text(text, encoding="utf-8")
    accepted = sum(1 for _, ok in encoded.values() if ok)
    print(f"{len(encoded)} widget inputs: {accepted} accepted, {len(encoded) - accepted} rejected by the SDK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
