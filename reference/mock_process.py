"""The Rust mock provider as a child process, for the recorders that drive the SDK against it.

`record_agent_transcripts.py` and `record_lesson04.py` both run the Python SDK (and the Agents
SDK) against `target/debug/mock-provider`: this module finds that binary and starts it on a
free port, so the two recorders cannot drift apart on how.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from families import REPO_ROOT

_LISTENING = "mock provider listening on "


def mock_binary(argv: list[str]) -> Path | None:
    """The binary named on the command line, else `$CARGO_TARGET_DIR/debug/mock-provider`
    (`target/` by default); `None`, with the reason on stderr, if it is not there."""
    default = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target")) / "debug" / "mock-provider"
    binary = Path(argv[1]) if len(argv) > 1 else default
    if not binary.exists():
        print(f"{binary} not found; run `cargo build --bin mock-provider` first", file=sys.stderr)
        return None
    return binary


def start_mock(binary: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """Starts the mock on a free port with `args`; returns the process and its base URL,
    which it prints on its first line."""
    mock = subprocess.Popen([str(binary), "--port", "0", *args], stdout=subprocess.PIPE, text=True)
    assert mock.stdout is not None
    line = mock.stdout.readline()
    if not line.startswith(_LISTENING):
        mock.kill()
        raise RuntimeError(f"the mock did not start: {line!r}")
    return mock, line[len(_LISTENING):].strip()
