"""Check JSON written by the Rust test suite against the Python SDK, byte for byte.

Usage (with the SDK's venv, see setup-venv.sh):

    target/pyenv/bin/python reference/check_emitted.py [DIR]

DIR (default: target/protocol-emitted under the repository root) has the
corpus layout, `<family>/<case>.json`. gen_corpus.py checks the direction
Python -> Rust; this script checks Rust -> Python: for each file it

1. validates the bytes with the family's SDK type (so Rust cannot emit
   something the SDK would reject), then
2. dumps the parsed value again exactly as the corpus does and requires the
   result to equal the file's bytes (so field order, escaping, number and
   timestamp formatting all match).

Exit status: 0 when every payload is identical, 1 when anything failed or
DIR holds no payload at all (an empty run must not look green), 2 when the
installed SDK is not the version the corpus is pinned to.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# families.py sits next to this script; make it importable from any cwd.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from families import FAMILIES, MANIFEST_NAME, REPO_ROOT, sdk_version_problem  # noqa: E402
from pydantic import ValidationError  # noqa: E402  (after families: it explains a missing venv)

USAGE = "usage: check_emitted.py [DIR]   (default: target/protocol-emitted)"
DEFAULT_DIR = REPO_ROOT / "target" / "protocol-emitted"

# How many bytes of context to show on each side of the first difference.
EXCERPT_RADIUS = 40


@dataclass
class Failure:
    """One problem found in DIR, printed at the end."""

    where: str  # family/case, or the offending path
    message: str


def show_char(char: str) -> str:
    """One character as it should appear in a report.

    Characters a terminal would hide or mangle (raw newline, tab, U+2028,
    control characters) become ⟨U+XXXX⟩; bytes that are not valid UTF-8
    become ⟨0xNN⟩. Everything else, including the backslashes of JSON
    escapes such as \\n, is shown as is, so the text reads like the JSON.
    """
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an invalid byte, via surrogateescape
        return f"⟨0x{code - 0xDC00:02X}⟩"
    if char.isprintable():
        return char
    return f"⟨U+{code:04X}⟩"


def show(raw: bytes) -> str:
    """Bytes as readable text (see show_char)."""
    return "".join(show_char(c) for c in raw.decode("utf-8", errors="surrogateescape"))


def display_width(text: str) -> int:
    """Terminal columns taken by `text`: wide CJK and emoji take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def char_start(raw: bytes, index: int) -> int:
    """Move `index` back to the first byte of the UTF-8 character it is in,
    so that excerpts never cut a character in half."""
    while 0 < index < len(raw) and raw[index] & 0b1100_0000 == 0b1000_0000:
        index -= 1
    return index


def first_difference(left: bytes, right: bytes) -> int:
    """Index of the first differing byte (the shorter length if one is a prefix)."""
    for index, (a, b) in enumerate(zip(left, right)):
        if a != b:
            return index
    return min(len(left), len(right))


def excerpt(raw: bytes, position: int) -> tuple[str, int]:
    """Text around byte `position` and the display column where it starts."""
    position = char_start(raw, position)
    start = char_start(raw, max(0, position - EXCERPT_RADIUS))
    end = char_start(raw, position + EXCERPT_RADIUS)
    before = ("…" if start > 0 else "") + show(raw[start:position])
    after = show(raw[position:end]) + ("…" if end < len(raw) else "")
    return before + after, display_width(before)


def describe_mismatch(rust: bytes, python: bytes) -> str:
    """A multi-line explanation: both payloads, then a pointer at the first difference."""
    position = first_difference(rust, python)
    # Both excerpts start at the same byte offset, but escaping can make the
    # text before the difference longer in one of them: each gets its caret.
    rust_text, rust_column = excerpt(rust, position)
    python_text, python_column = excerpt(python, position)
    return "\n".join(
        [
            f"  rust   ({len(rust)} bytes): {show(rust)}",
            f"  python ({len(python)} bytes): {show(python)}",
            f"  first difference at byte {position}:",
            f"    rust:   {rust_text}",
            f"            {' ' * rust_column}^",
            f"    python: {python_text}",
            f"            {' ' * python_column}^",
        ]
    )


def check_payload(family_name: str, path: Path) -> Failure | None:
    """Validate one file and compare it with the SDK's own dump of it."""
    where = f"{family_name}/{path.stem}"
    family = FAMILIES[family_name]
    rust = path.read_bytes()
    try:
        value = family.validate_json(rust)
    except ValidationError as error:
        return Failure(where, f"the SDK rejects it:\n{error}\n  rust: {show(rust)}")
    python = family.dump(value)
    if python != rust:
        return Failure(
            where, "bytes differ from the SDK's dump\n" + describe_mismatch(rust, python)
        )
    return None


def check_family_dir(family_dir: Path) -> tuple[int, list[Failure]]:
    """Check every payload of one family directory; return (count, failures)."""
    if family_dir.name not in FAMILIES:
        known = ", ".join(FAMILIES)
        return 0, [Failure(str(family_dir), f"unknown family directory (known: {known})")]
    checked, failures = 0, []
    for path in sorted(family_dir.iterdir()):
        if not (path.is_file() and path.suffix == ".json"):
            failures.append(Failure(str(path), "not a <case>.json file"))
            continue
        checked += 1
        failure = check_payload(family_dir.name, path)
        if failure:
            failures.append(failure)
    return checked, failures


def check_dir(root: Path) -> tuple[int, list[Failure]]:
    """Check the whole tree; return (payloads checked, failures)."""
    checked, failures = 0, []
    for entry in sorted(root.iterdir()):
        # The corpus keeps a case list beside the families; it is not a payload.
        if entry.name == MANIFEST_NAME and entry.is_file():
            continue
        if not entry.is_dir():
            failures.append(
                Failure(str(entry), "stray file: payloads live in <family>/<case>.json")
            )
            continue
        count, family_failures = check_family_dir(entry)
        checked += count
        failures.extend(family_failures)
    return checked, failures


def parse_args(argv: list[str]) -> Path | None:
    """The directory to check, or None after printing usage."""
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(USAGE, file=sys.stderr)
        return None
    return Path(argv[0]) if argv else DEFAULT_DIR


def main(argv: list[str]) -> int:
    problem = sdk_version_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    root = parse_args(argv)
    if root is None:
        return 2
    if not root.is_dir():
        print(f"FAIL: {root} is not a directory (did the Rust tests run?)")
        return 1
    checked, failures = check_dir(root)
    for failure in failures:
        print(f"FAIL {failure.where}: {failure.message}\n")
    if failures:
        print(f"{len(failures)} failure(s), {checked} payload(s) checked")
        return 1
    if checked == 0:
        print(f"FAIL: no payloads found under {root}; an empty run proves nothing")
        return 1
    print(f"{checked} payloads checked, all identical")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
