"""Every rule says where its claim comes from, and IDs renamed before the first release keep working."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lexiam import docgen
from lexiam.rules.pack import RENAMED, all_rules
from tests.conftest import SAMPLES, run_lexiam

BAD_E9506 = SAMPLES / "cloudformation" / "E9506-rp-service-principal-unscoped" / "bad.yaml"


@pytest.mark.parametrize("meta", all_rules(), ids=lambda m: m.id)
def test_every_rule_has_a_source(meta) -> None:
    assert meta.evidence, f"{meta.id} names no source for its claim"
    for ev in meta.evidence:
        assert ev.kind in ("direct", "inferred"), (meta.id, ev.kind)
        assert ev.url.startswith("https://"), (meta.id, ev.url)
        assert ev.source and ev.section and len(ev.says) > 20, (meta.id, ev)


def test_the_docs_page_says_why_the_rule_is_right() -> None:
    pages = {path.name: text for path, text in docgen.pages().items()}
    for meta in all_rules():
        page = pages[f"{meta.id}.md"]
        section = page.split("## Why this is right", 1)[1].split("\n## ", 1)[0]
        for ev in meta.evidence:
            assert f"[{ev.source}]({ev.url})" in section and ev.kind in section


def test_explain_prints_the_sources() -> None:
    run = run_lexiam("explain", "E9507")
    assert run.code == 0
    assert "Why this is right:" in run.stdout
    assert "AWS global condition context keys" in run.stdout
    assert "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html" in run.stdout


def test_the_renamed_ids_are_declared() -> None:
    assert RENAMED == {"W9506": ("E9506",), "E9505": ("W9512", "W9513"), "E9520": ("W9528",), "E9523": ("W9530",)}


def test_an_old_id_in_metadata_keeps_suppressing_with_a_notice(tmp_path: Path) -> None:
    text = BAD_E9506.read_text(encoding="utf-8").replace(
        "  LiveAliasPolicy:\n    Type: AWS::Lex::ResourcePolicy\n",
        "  LiveAliasPolicy:\n    Type: AWS::Lex::ResourcePolicy\n"
        "    Metadata:\n      lexiam:\n        ignore:\n          - {id: W9506, reason: Connect is scoped elsewhere}\n")
    assert "W9506" in text
    (tmp_path / "stack.yaml").write_text(text, encoding="utf-8")
    run = run_lexiam("scan", "stack.yaml", "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.stdout
    found = run.json()["findings"]
    assert [(f["rule_id"], f.get("suppressed")) for f in found] == [("E9506", "Connect is scoped elsewhere")]
    assert "W9506 was renamed" in run.stderr and "name E9506 instead" in run.stderr


def test_an_old_id_on_the_command_line_ignores_its_successor() -> None:
    run = run_lexiam("scan", str(BAD_E9506), "--ignore", "W9506", "--format", "json")
    assert run.code == 0 and run.json()["findings"] == []
    assert "W9506 was renamed or split before the first release; it now means E9506" in run.stderr


def test_a_split_id_suppresses_both_halves(tmp_path: Path) -> None:
    """E9505 is still a rule and also became W9512/W9513: one comment of E9505 covers all three."""
    src = SAMPLES / "terraform" / "W9512-rp-public-principal" / "bad"
    shutil.copytree(src, tmp_path / "m")
    main = tmp_path / "m" / "main.tf"
    main.write_text(main.read_text(encoding="utf-8").replace(
        'resource "awscc_lex_resource_policy" "alias" {',
        '# lexiam:ignore E9505 the bot is public on purpose\nresource "awscc_lex_resource_policy" "alias" {'),
        encoding="utf-8")
    run = run_lexiam("scan", "m", "--format", "json", cwd=tmp_path)
    found = run.json()["findings"]
    assert found and all(f["rule_id"] == "W9512" and f.get("suppressed") for f in found), found
    assert "E9505 was renamed" in run.stderr


def test_a_format_1_baseline_with_an_old_id_matches(tmp_path: Path) -> None:
    shutil.copy(BAD_E9506, tmp_path / "stack.yaml")
    now = run_lexiam("scan", "stack.yaml", "--format", "json", cwd=tmp_path).json()["findings"]
    assert [f["rule_id"] for f in now] == ["E9506"]
    entries = [{"fingerprint": "0" * 32 + ":1", "rule_id": "W9506", "file": f["file"], "resource": f["resource"],
                "message": "written before the rename"} for f in now]
    (tmp_path / "old.json").write_text(json.dumps({"lexiam_baseline": 1, "findings": entries}), encoding="utf-8")
    run = run_lexiam("scan", "stack.yaml", "--baseline", "old.json", "--format", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["summary"]["baselined"] == 1
