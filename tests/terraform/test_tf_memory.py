"""A Terraform folder's parse is freed as soon as its unit is extracted, and not redone for nothing.

A big repository is scanned folder by folder; what one folder's analysis leaves behind must not wait
for the cycle collector (the CLI runs it seldom: most of what a scan allocates is not cyclic), and a
child module's own task must not parse again what its caller's task parsed.
"""

from __future__ import annotations

import collections
import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from lexiam.engine import Options, scan
from lexiam.terraform import sources
from tests.terraform.conftest import FIXTURES

ROOT = FIXTURES / "modules" / "root"
T = TypeVar("T")


def _cycles_left_by(run: Callable[[], T]) -> tuple[T, collections.Counter[str]]:
    """What ``run`` returns, and the kinds of objects it left in reference cycles (collected with the
    cycle collector off while it ran, so nothing is freed behind our back).  ``run`` is run once
    before: what the first run imports and builds for good (classes, module tables) is not a leak."""
    run()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.garbage.clear()
        result = run()
        gc.collect()
        kinds = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    return result, kinds


def test_a_module_and_its_children_leave_no_cycles() -> None:
    result, cycles = _cycles_left_by(lambda: scan([ROOT], Options(root=ROOT, jobs=1)))
    assert result.findings  # the scan did analyse the module and its children
    assert cycles == {}


def test_a_file_that_does_not_parse_leaves_no_cycles(tmp_path: Path) -> None:
    # the parser's exception holds its traceback, whose frames hold the parse: the error kept for the
    # report must not keep them
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "lex" {\n  name = "lex"\n  broken = = 1\n}\n')
    (tmp_path / "ok.tf").write_text('resource "aws_lexv2models_bot" "b" {\n  name = "b"\n}\n')
    result, cycles = _cycles_left_by(lambda: scan([tmp_path], Options(root=tmp_path, jobs=1)))
    assert [f.rule_id for f in result.findings] == ["E9500"]
    assert cycles == {}


def test_a_child_module_is_parsed_once_for_its_caller_and_its_own_task(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    shutil.copytree(ROOT, root)
    parses: collections.Counter[str] = collections.Counter()
    real_parse = sources.parse_file

    def counting_parse(text: str, rel: str):  # noqa: ANN202 - ParsedFile
        parses[rel] += 1
        return real_parse(text, rel)

    monkeypatch.setattr(sources, "parse_file", counting_parse)
    monkeypatch.setattr(sources, "_PARSE_CACHE", {})  # the tree cache alone could hide a second parse
    monkeypatch.setattr(sources, "_PARSE_CACHE_TEXT", 0)
    monkeypatch.setattr(sources, "_OUTCOMES", {})
    result = scan([root], Options(root=root, jobs=1))
    statuses = {f.file: (f.status, f.reason) for f in result.files}
    assert statuses["modules/bot/main.tf"] == ("scanned", "analysed as module.bot of .")
    assert parses["modules/bot/main.tf"] == 1, parses
    assert max(parses.values()) == 1, parses


def test_a_changed_text_is_parsed_again(tmp_path: Path) -> None:
    rel = "changed/main.tf"
    good = 'locals {\n  a = 1\n}\n'
    assert sources.parse_error(tmp_path / "main.tf", rel, good) is None
    error = sources.parse_error(tmp_path / "main.tf", rel, good.replace("= 1", "= = 1"))
    assert error is not None and error.line == 2
    assert sources.parse_error(tmp_path / "main.tf", rel, good) is None
