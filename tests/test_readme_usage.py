"""The README's usage block is the parser's usage: regenerate it from lexiam.cli.usage_block when this fails."""

from __future__ import annotations

import re

from lexiam.cli import usage_block
from tests.conftest import REPO, run_lexiam


def _block() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- usage: generated[^\n]*-->\n(.*?)<!-- usage end -->", text, re.S)
    assert m, "the README has no generated usage block"
    return "".join(line.removeprefix("    ") + "\n" for line in m.group(1).splitlines())


def test_readme_usage_block_is_the_parsers() -> None:
    assert _block() == usage_block(), "README.md's usage block is stale: paste lexiam.cli.usage_block() into it"


def test_every_flag_of_the_block_is_accepted() -> None:
    flags = set(re.findall(r"\[(--[a-z-]+)", _block()))
    assert {"--select", "--config-mode", "--stdin-filename", "--statistics", "--quiet"} <= flags
    help_text = run_lexiam("scan", "--help").stdout
    assert all(flag in help_text for flag in flags)


def test_fix_is_scan_fix_without_a_fix_option() -> None:
    usages = dict(re.findall(r"^(lexiam \w+) (.*?)(?=^lexiam |\Z)", usage_block(), re.S | re.M))
    assert "[--fix]" in usages["lexiam scan"] and "[--fix]" not in usages["lexiam fix"]
    assert "[--diff]" in usages["lexiam fix"] and "[--unsafe-fixes]" in usages["lexiam fix"]
    proc = run_lexiam("fix", "--fix", "sample_templates/")
    assert proc.code == 2 and "lexiam fix: error: unrecognized arguments: --fix" in proc.stderr
