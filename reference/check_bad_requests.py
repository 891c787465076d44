"""Checks `fixtures/bad_requests.json` against the Python SDK itself.

The Rust test `tests/protocol/bad_requests.rs` asserts how *our* decoder treats each body in
that table. This script proves what the table says about the *reference*: every case marked
`"reference": "rejects"` must fail `TypeAdapter(ChatKitReq).validate_json`, and every case
marked `"reference": "accepts"` must pass it. The cases where the two columns disagree are the
places we chose to be stricter (or, once, looser) than the SDK; the README lists each of them.

Usage: python reference/check_bad_requests.py   (exit 1 on any claim the SDK contradicts)
"""

from __future__ import annotations

import json
import sys

from pydantic import TypeAdapter, ValidationError

from chatkit.types import ChatKitReq
from families import REPO_ROOT, sdk_version_problem

TABLE = REPO_ROOT / "fixtures" / "bad_requests.json"


def reference_accepts(adapter: TypeAdapter, body: str) -> bool:
    """Whether the SDK's own request model validates this body."""
    try:
        adapter.validate_json(body)
    except ValidationError:
        return False
    return True


def main() -> int:
    problem = sdk_version_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    adapter = TypeAdapter(ChatKitReq)
    cases = json.loads(TABLE.read_text(encoding="utf-8"))
    wrong = []
    for case in cases:
        claimed = case["reference"] == "accepts"
        if reference_accepts(adapter, case["body"]) != claimed:
            wrong.append(
                f"{case['name']}: the table says the SDK {case['reference']} it, but it does not"
            )
    for line in wrong:
        print(line)
    print(f"{len(cases)} request cases checked against the SDK, {len(wrong)} wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
