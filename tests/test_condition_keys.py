"""IAM's global condition keys as data: the builder's --check, a saved page compared with the list, and lookups."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lexiam.rules.data.condition_keys import global_keys

REPO = Path(__file__).resolve().parents[1]
BUILDER = REPO / "rules" / "data" / "build_condition_keys.py"
CHECKED_IN = REPO / "rules" / "data" / "global_condition_keys.json"


def run_builder(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BUILDER), *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False)


def test_checked_in_keys_are_fresh() -> None:
    result = run_builder("--out", CHECKED_IN, "--check")
    assert result.returncode == 0, "run `python rules/data/build_condition_keys.py`\n" + result.stderr


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "keys.json"
    stale.write_text(CHECKED_IN.read_text(encoding="utf-8").replace("aws:AssumedRoot", "aws:Assumed"), encoding="utf-8")
    assert run_builder("--out", stale, "--check").returncode == 1
    assert run_builder("--out", stale).returncode == 0
    assert stale.read_text(encoding="utf-8") == CHECKED_IN.read_text(encoding="utf-8")


def _page(extra_request_key: str = "") -> str:
    """A saved page in the shape of the IAM User Guide's markdown: the opening table of five columns."""
    from lexiam.rules.data import build_condition_keys as b  # noqa: F401 - the module is a script, not a package

    cols = []
    for keys in b.SECTIONS.values():
        cells = [f"`{k.replace('tag-key', '*tag-key*')}`" for k in keys]
        cols.append("<br />".join(cells))
    if extra_request_key:
        cols[-1] += f"<br />`{extra_request_key}`"
    header = " | ".join(b.SECTIONS)
    rule = " | ".join("---" for _ in cols)
    return f"# AWS global condition context keys\n\nIntro.\n\n| {header} | \n| {rule} | \n| {' | '.join(cols)} | \n"


def test_a_saved_page_that_agrees(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(_page(), encoding="utf-8")
    result = run_builder("--page", page)
    assert result.returncode == 0, result.stderr


def test_a_saved_page_with_a_new_key(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(_page("aws:BrandNewKey"), encoding="utf-8")
    result = run_builder("--page", page)
    assert result.returncode == 2 and "aws:brandnewkey" in result.stderr.lower()


def test_a_page_without_the_table(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# nothing here\n", encoding="utf-8")
    assert run_builder("--page", page).returncode == 2


@pytest.mark.parametrize("key", ["aws:AssumedRoot", "aws:ChatbotSourceArn", "AWS:SourceAccount", "aws:sourcearn",
                                 "aws:SourceOrgID", "aws:VpceOrgID", "aws:PrincipalIsAWSService", "aws:referer",
                                 "aws:ResourceTag/team", "aws:PrincipalTag/cost-center", "aws:RequestTag/x"])
def test_documented_keys_are_global_whatever_their_case(key: str) -> None:
    assert global_keys().is_global(key)


@pytest.mark.parametrize("key", ["aws:PrincipalAcount", "aws:SourceVPC_id", "aws:ResourceTag", "aws:ResourceTag/",
                                 "aws:Lex", "lex:associatedIntents"])
def test_other_keys_are_not(key: str) -> None:
    assert not global_keys().is_global(key)


def test_tag_keys() -> None:
    keys = global_keys()
    assert keys.is_tag_key("aws:TagKeys") and keys.is_tag_key("AWS:RESOURCETAG/Team")
    assert not keys.is_tag_key("aws:SourceArn")
    assert keys.source_url.startswith("https://docs.aws.amazon.com/IAM/")
