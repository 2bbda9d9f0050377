"""The real console script: commands, exit codes, formats, determinism."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SAMPLES

BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
GOOD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "good.yaml"
BAD_W9512 = SAMPLES / "cloudformation" / "W9512-rp-public-principal" / "bad.yaml"


def test_version(lexiam) -> None:
    run = lexiam("--version")
    assert run.code == 0 and run.stdout.startswith("lexiam ")


def test_rules_lists_the_catalog(lexiam) -> None:
    run = lexiam("rules", "--format", "json")
    ids = [r["id"] for r in json.loads(run.stdout)]
    for rid in ("E9500", "E9501", "E9502", "E9503", "E9504", "E9505", "E9506", "E9507", "E9508", "W9509",
                "E9511", "W9512", "W9513", "E9540", "W9541", "W9543", "I9545"):
        assert rid in ids
    assert lexiam("rules").stdout.count("\n") == len(ids)


def test_explain_by_id_and_slug(lexiam) -> None:
    by_id = lexiam("explain", "E9501")
    by_slug = lexiam("explain", "rp-unsupported-action")
    assert by_id.code == 0 and by_id.stdout == by_slug.stdout
    assert "CreateBotAlias" in by_id.stdout and "Fix:" in by_id.stdout


def test_explain_unknown_rule_is_a_usage_error(lexiam) -> None:
    run = lexiam("explain", "E1234")
    assert run.code == 2 and "unknown rule" in run.stderr


def test_exit_1_on_findings_and_0_when_clean(lexiam) -> None:
    assert lexiam("scan", str(BAD_E9501)).code == 1
    assert lexiam("scan", str(GOOD_E9501)).code == 0


def test_fail_on_threshold(lexiam) -> None:
    # W9512 is a warning: fails at the default (warning), passes with --fail-on error
    assert lexiam("scan", str(BAD_W9512)).code == 1
    assert lexiam("scan", str(BAD_W9512), "--fail-on", "error").code == 0
    assert lexiam("scan", str(BAD_E9501), "--fail-on", "none").code == 0


def test_missing_path_is_exit_2(lexiam, tmp_path: Path) -> None:
    run = lexiam("scan", str(tmp_path / "nope"))
    assert run.code == 2 and "no input could be read" in run.stderr


def test_bad_option_is_exit_2(lexiam) -> None:
    assert lexiam("scan", str(BAD_E9501), "--format", "xml").code == 2
    assert lexiam("scan", str(BAD_E9501), "--account-id", "12").code == 2
    assert lexiam("scan", str(BAD_E9501), "--ignore", "Z123").code == 2


def test_json_contract(lexiam) -> None:
    run = lexiam("scan", str(BAD_E9501), "--format", "json")
    doc = run.json()
    assert doc["tool"]["name"] == "lexiam"
    (finding,) = doc["findings"]
    assert set(finding) == {"rule_id", "slug", "severity", "message", "file", "line", "column", "end_line",
                            "end_column", "resource", "path"}
    assert finding["file"] == "sample_templates/cloudformation/E9501-rp-unsupported-action/bad.yaml"
    assert finding["resource"] == "OrderBotPolicy"
    assert finding["path"] == ["Properties", "Policy", "Statement", 0, "Action"]
    assert doc["summary"]["findings"] == 1 and doc["summary"]["errors"] == 1


def test_output_file_and_determinism(lexiam, tmp_path: Path) -> None:
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    assert lexiam("scan", str(SAMPLES), "--format", "json", "--output", str(out1)).stdout == ""
    lexiam("scan", str(SAMPLES), "--format", "json", "--output", str(out2))
    assert out1.read_bytes() == out2.read_bytes()
    findings = json.loads(out1.read_text())["findings"]
    keys = [(f["file"], f["line"], f["column"], f["rule_id"]) for f in findings]
    assert keys == sorted(keys)


def test_ignore_by_id_and_prefix(lexiam) -> None:
    assert lexiam("scan", str(BAD_E9501), "--ignore", "E9501").code == 0
    assert lexiam("scan", str(BAD_E9501), "--ignore", "W9506,E95").code == 0


def test_text_output_shows_the_line_with_a_caret(lexiam) -> None:
    run = lexiam("scan", str(BAD_E9501))
    assert "E9501 rp-unsupported-action: lex:CreateBotAlias" in run.stdout and ":70:17 (OrderBotPolicy)" in run.stdout
    assert "70 |               - lex:CreateBotAlias" in run.stdout and "^^^^" in run.stdout
    assert "1 finding (1 error) in 1 file: 1 scanned." in run.stdout


def test_python_dash_m_is_the_same_cli() -> None:
    import subprocess
    import sys
    a = subprocess.run([sys.executable, "-m", "lexiam", "scan", str(BAD_E9501), "--format", "json"],
                       capture_output=True, text=True)
    assert a.returncode == 1 and json.loads(a.stdout)["findings"][0]["rule_id"] == "E9501"


def test_non_templates_are_skipped_silently(lexiam, tmp_path: Path) -> None:
    (tmp_path / "workflow.yml").write_text("on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n")
    (tmp_path / "package.json").write_text('{"name": "x", "dependencies": {"lex": "1"}}')
    (tmp_path / "notes.txt").write_text("Resources: none")
    run = lexiam("scan", str(tmp_path), "--format", "json")
    assert run.code == 0
    doc = run.json()
    assert doc["findings"] == [] and doc["summary"]["skipped"] == 2 and doc["summary"]["scanned"] == 0


def test_unparseable_template_is_one_e9500_and_the_scan_goes_on(lexiam, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bot: {Type: AWS::Lex::Bot\n")
    (tmp_path / "ok.yaml").write_text(BAD_E9501.read_text())
    run = lexiam("scan", str(tmp_path), "--format", "json", "--root", str(tmp_path))
    by_rule = sorted((f["file"], f["rule_id"]) for f in run.json()["findings"])
    assert by_rule == [("broken.yaml", "E9500"), ("ok.yaml", "E9501")]
    e9500 = run.json()["findings"][0]
    assert e9500["line"] == 4 and "cannot parse" in e9500["message"]


def test_skips_vcs_and_vendor_folders(lexiam, tmp_path: Path) -> None:
    for d in (".git", "node_modules", ".terraform"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "t.yaml").write_text(BAD_E9501.read_text())
    assert lexiam("scan", str(tmp_path), "--format", "json").json()["summary"]["files"] == 0


def test_account_pin_turns_symbols_into_comparisons(lexiam, tmp_path: Path) -> None:
    t = tmp_path / "t.yaml"
    t.write_text("""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  P:
    Type: AWS::Lex::ResourcePolicy
    Properties:
      ResourceArn: !Sub arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/ABCDEFGHIJ/KLMNOPQRST
      Policy:
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::111122223333:role/caller"}
            Action: lex:RecognizeText
            Resource: !Sub arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/ABCDEFGHIJ/KLMNOPQRST
""")
    # unknown deploy account: a literal principal account cannot be judged
    assert lexiam("scan", str(t), "--format", "json").json()["findings"] == []
    other = lexiam("scan", str(t), "--format", "json", "--account-id", "444455556666").json()["findings"]
    assert [f["rule_id"] for f in other] == ["E9503"]
    # the message shows what is known: the pinned account, not ${AWS::AccountId}
    assert "(444455556666)" in other[0]["message"] and "${" not in other[0]["message"]
    assert lexiam("scan", str(t), "--format", "json", "--account-id", "111122223333").json()["findings"] == []
