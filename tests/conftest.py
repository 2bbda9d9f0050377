"""Shared test helpers: the real console script, the sample templates, ../shared when present."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "sample_templates"


def lexiam_exe() -> list[str]:
    """The installed console script (what users run); falls back to ``python -m lexiam``."""
    exe = shutil.which("lexiam", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return [exe] if exe else [sys.executable, "-m", "lexiam"]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_lexiam(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None) -> Run:
    proc = subprocess.run([*lexiam_exe(), *args], capture_output=True, text=True, cwd=cwd or REPO,
                          env={**os.environ, **(env or {})}, input=input, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def lexiam():
    return run_lexiam


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


_EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def expected_findings(path: Path) -> set[tuple[str, int, int]]:
    """Markers in a sample: ``# expect: E9501 lex:CreateBot`` (column of that text on the line) or
    ``# expect: E9500 @9:7``; several separated by ``;``."""
    out: set[tuple[str, int, int]] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _EXPECT.search(line)
        if not m:
            continue
        code = line[: m.start()]
        for item in m.group(1).split(";"):
            rule, _, token = item.strip().partition(" ")
            token = token.strip()
            if token.startswith("@"):
                at_line, at_col = token[1:].split(":")
                out.add((rule, int(at_line), int(at_col)))
            else:
                col = code.index(token) + 1
                out.add((rule, lineno, col))
    return out
