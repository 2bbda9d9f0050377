"""The one safe way lexiam writes files, and the one sanitiser for printed text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lexiam.output import OutputError, safe_write
from lexiam.sanitize import line, visible


def test_writes_atomically_without_an_execute_bit(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old")
    target.chmod(0o755)
    safe_write(target, "new\n")
    assert target.read_text() == "new\n"
    assert not stat.S_IMODE(target.stat().st_mode) & 0o111
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temporary file left


def test_never_through_a_link(tmp_path: Path) -> None:
    secret = tmp_path / "outside"
    secret.write_text("keep")
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "report.txt").symlink_to(secret)
    with pytest.raises(OutputError, match="symbolic link"):
        safe_write(tmp_path / "tree" / "report.txt", "x")
    assert secret.read_text() == "keep"


def test_never_into_git_nor_out_of_base(tmp_path: Path) -> None:
    (tmp_path / ".git" / "hooks").mkdir(parents=True)
    with pytest.raises(OutputError, match=r"\.git"):
        safe_write(tmp_path / ".git" / "hooks" / "pre-commit", "#!/bin/sh\n")
    assert not (tmp_path / ".git" / "hooks" / "pre-commit").exists()
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "up").symlink_to(tmp_path)
    with pytest.raises(OutputError, match="outside"):
        safe_write(tmp_path / "repo" / "up" / "x.txt", "x", base=tmp_path / "repo")
    with pytest.raises(OutputError, match="outside"):
        safe_write(tmp_path / "elsewhere.txt", "x", base=tmp_path / "repo")
    safe_write(tmp_path / "repo" / "new" / "dir" / "x.txt", "x", base=tmp_path / "repo")  # folders are made
    assert (tmp_path / "repo" / "new" / "dir" / "x.txt").read_text() == "x"


def test_a_name_that_is_not_utf8_is_no_crash(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff.txt")
    safe_write(tmp_path / "out.txt", f"{name}\n")
    assert (tmp_path / "out.txt").read_bytes() == b"bad\xff.txt\n"


def test_visible_escapes_what_could_repaint_a_terminal_or_forge_a_command() -> None:
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("x\n::error file=a::forged") == "x\\x0a::error file=a::forged"
    assert visible("r\r\u2028\u0085\u202e") == "r\\x0d\\u2028\\x85\\u202e"
    assert visible(os.fsdecode(b"bad\xff")) == "bad\\xff"
    assert visible("tab\tand plain text: lex:CreateBot") == "tab\tand plain text: lex:CreateBot"
    assert line("::add-mask::secret") == "\\x3a:add-mask::secret"
    assert line("  ::warning::x").strip().startswith("\\x3a")
