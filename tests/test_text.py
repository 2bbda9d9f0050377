"""The text report for people: grouped by file, caret under the value, summary line; colour and a
progress line only on a terminal (NO_COLOR honoured)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from pathlib import Path

from tests.conftest import SAMPLES, lexiam_exe, run_lexiam

BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
GOOD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "good.yaml"


def run_on_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None, stream: str = "stdout") -> str:
    """Run lexiam with one stream (stdout or stderr) on a pseudo-terminal; return what it printed there."""
    master, slave = pty.openpty()
    other = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    other[stream] = slave
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.Popen([*lexiam_exe(), *args], cwd=cwd, env={**environ, **(env or {})}, **other)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_report_with_gutter_caret_and_summary(tmp_path: Path) -> None:
    shutil.copy(BAD_E9501, tmp_path / "a.yaml")
    shutil.copy(BAD_E9501, tmp_path / "b.yaml")
    (tmp_path / "notes.json").write_text('{"x": 1}', encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("error E9501 rp-unsupported-action: lex:CreateBotAlias cannot be used")
    assert lines[1] == "  --> a.yaml:70:17 (OrderBotPolicy)"
    assert lines[2] == "   |"
    assert lines[3].startswith("70 |               - lex:CreateBotAlias")
    caret = lines[4]
    assert caret.index("^") == lines[3].index("lex:CreateBotAlias") and caret.count("^") == len("lex:CreateBotAlias")
    assert lines[5] == "" and lines[7] == "  --> b.yaml:70:17 (OrderBotPolicy)"
    assert lines[-1] == "2 findings (2 errors) in 3 files: 2 scanned, 1 skipped."
    assert "\033[" not in run.stdout and run.stderr == ""  # no colour, no progress when piped


def test_plurals_and_counts(tmp_path: Path) -> None:
    shutil.copy(BAD_E9501, tmp_path / "a.yaml")
    assert run_lexiam("scan", "a.yaml", cwd=tmp_path).stdout.splitlines()[-1] == "1 finding (1 error) in 1 file: 1 scanned."
    shutil.copy(GOOD_E9501, tmp_path / "g.yaml")
    assert run_lexiam("scan", "g.yaml", cwd=tmp_path).stdout == "No findings in 1 file: 1 scanned.\n"
    (tmp_path / "x.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [lex\n", encoding="utf-8")
    (tmp_path / "y.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {lex\n", encoding="utf-8")
    last = run_lexiam("scan", ".", cwd=tmp_path).stdout.splitlines()[-1]
    assert last == "3 findings (3 errors) in 4 files: 2 scanned, 2 could not be read or parsed."


def test_colour_on_a_terminal_only_and_no_color(tmp_path: Path) -> None:
    shutil.copy(BAD_E9501, tmp_path / "a.yaml")
    coloured = run_on_terminal("scan", "a.yaml", cwd=tmp_path)
    assert "\033[31merror\033[0m" in coloured and "\033[1ma.yaml\033[0m" in coloured
    plain = run_on_terminal("scan", "a.yaml", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert "\033[" not in plain and "error E9501" in plain
    to_file = tmp_path / "report.txt"
    run_on_terminal("scan", "a.yaml", "--output", str(to_file), cwd=tmp_path)
    assert "\033[" not in to_file.read_text(encoding="utf-8")
    forced = run_lexiam("scan", "a.yaml", cwd=tmp_path, env={"FORCE_COLOR": "1"})  # piped, yet coloured
    assert "\033[31merror\033[0m" in forced.stdout
    both = run_lexiam("scan", "a.yaml", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\033[" not in both.stdout  # NO_COLOR wins
    dumb = run_on_terminal("scan", "a.yaml", cwd=tmp_path, env={"TERM": "dumb"})
    assert "\033[" not in dumb


def test_progress_on_a_terminal_for_long_scans(tmp_path: Path) -> None:
    for i in range(60):
        shutil.copy(GOOD_E9501, tmp_path / f"stack{i:02}.yaml")
    progress = run_on_terminal("scan", ".", cwd=tmp_path, stream="stderr")
    assert "\rlexiam: scanning 60/60 files" in progress
    assert progress.endswith("\r")  # the line is cleared at the end
    assert run_lexiam("scan", ".", cwd=tmp_path).stderr == ""  # not a terminal: no progress
    few = run_on_terminal("scan", "stack00.yaml", cwd=tmp_path, stream="stderr")
    assert few == ""  # a short scan shows none
