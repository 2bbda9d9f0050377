"""``--format sarif`` and ``--sarif-file``: SARIF 2.1.0 that validates and that GitHub code scanning takes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, run_lexiam
from tests.sarif_validation import check_sarif, check_sarif_text, schema_errors

BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
BAD_W9509 = SAMPLES / "cloudformation" / "W9509-rp-wildcard-action" / "bad.yaml"


def sarif(*args: str, cwd: Path | None = None) -> dict:
    run = run_lexiam("scan", *args, "--format", "sarif", "--fail-on", "none", cwd=cwd)
    assert run.code == 0, run.stderr
    return check_sarif_text(run.stdout)


def test_the_schema_rejects_a_broken_log() -> None:
    assert schema_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # driver.name is required
    assert schema_errors({"version": "2.0.0", "runs": []})


@pytest.fixture(scope="module")
def samples_sarif() -> str:
    run = run_lexiam("scan", str(SAMPLES), "--format", "sarif", "--fail-on", "none")
    assert run.code == 0, run.stderr
    return run.stdout


def test_samples_as_sarif(samples_sarif: str) -> None:
    doc = check_sarif_text(samples_sarif)
    js = run_lexiam("scan", str(SAMPLES), "--format", "json", "--fail-on", "none").json()
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "lexiam" and driver["version"] and driver["informationUri"].startswith("https://")
    catalog = run_lexiam("rules", "--format", "json").json()
    assert [r["id"] for r in driver["rules"]] == [r["id"] for r in catalog]
    assert run["automationDetails"]["id"].startswith("lexiam/")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.as_uri() + "/"
    assert len(run["results"]) == len(js["findings"]) > 10
    for res, f in zip(run["results"], js["findings"]):
        assert res["ruleId"] == f["rule_id"]
        assert driver["rules"][res["ruleIndex"]]["id"] == f["rule_id"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        assert res["message"]["text"] == f["message"]
        phys = res["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"] == {"uri": f["file"], "uriBaseId": "%SRCROOT%"}
        region = phys["region"]
        assert (region["startLine"], region["startColumn"]) == (f["line"], f["column"])
        if f["end_column"] > f["column"] or f["end_line"] > f["line"]:
            assert (region["endLine"], region["endColumn"]) == (f["end_line"], f["end_column"])
        if f["resource"]:
            assert res["locations"][0]["logicalLocations"] == [{"name": f["resource"], "kind": "resource"}]
        assert len(res["partialFingerprints"]["lexiamFinding/v1"]) > 32


def test_rule_descriptors() -> None:
    doc = sarif(str(BAD_E9501))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    e9501 = rules["E9501"]
    assert e9501["name"] == "rp-unsupported-action"
    assert e9501["shortDescription"]["text"] and e9501["fullDescription"]["text"]
    assert "Fix" in e9501["help"]["text"] and "**Fix:**" in e9501["help"]["markdown"]
    assert e9501["helpUri"].endswith("/E9501.md")
    assert e9501["defaultConfiguration"]["level"] == "error"
    assert "resource-policy" in e9501["properties"]["tags"]
    assert "security-severity" not in e9501["properties"]
    assert rules["W9509"]["defaultConfiguration"]["level"] == "warning"
    security = [r for r in rules.values() if "security" in r["properties"]["tags"]]
    assert security and all(isinstance(r["properties"]["security-severity"], str) for r in security)
    assert float(rules["E9505"]["properties"]["security-severity"]) > 0


def test_fingerprints_survive_added_lines(tmp_path: Path) -> None:
    target = tmp_path / "stack.yaml"
    shutil.copy(BAD_W9509, target)
    before = sarif(str(target), cwd=tmp_path)["runs"][0]["results"]
    target.write_text("# a comment\n# another\n\n" + BAD_W9509.read_text(encoding="utf-8"), encoding="utf-8")
    after = sarif(str(target), cwd=tmp_path)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    lines = [(r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in before + after]
    assert lines[len(before):] == [n + 3 for n in lines[: len(before)]]


def test_identical_findings_get_distinct_fingerprints(tmp_path: Path) -> None:
    text = BAD_E9501.read_text(encoding="utf-8")
    twice = text.replace("- lex:CreateBotAlias", "- lex:CreateBotAlias\n              - lex:CreateBotAlias", 1)
    assert twice != text
    (tmp_path / "t.yaml").write_text(twice, encoding="utf-8")
    results = sarif("t.yaml", cwd=tmp_path)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["lexiamFinding/v1"] for r in results]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_suppressed_findings_are_kept_with_a_justification(tmp_path: Path) -> None:
    text = BAD_E9501.read_text(encoding="utf-8")
    marker = "    Type: AWS::Lex::ResourcePolicy\n"
    assert text.count(marker) == 1
    text = text.replace(marker, marker + "    Metadata:\n      lexiam:\n        ignore:\n"
                        "          - id: E9501\n            reason: tracked in TICKET-1\n")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    (res,) = sarif("t.yaml", cwd=tmp_path)["runs"][0]["results"]
    assert res["suppressions"] == [{"kind": "inSource", "justification": "tracked in TICKET-1"}]


def test_sarif_file_beside_another_format_and_category(tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    run = run_lexiam("scan", str(BAD_E9501), "--sarif-file", str(out), "--sarif-category", "stacks/prod")
    assert run.code == 1 and "E9501" in run.stdout  # the text report on stdout
    doc = check_sarif(json.loads(out.read_text(encoding="utf-8")))
    assert doc["runs"][0]["automationDetails"]["id"] == "lexiam/stacks/prod/"
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["E9501"]


def test_clean_and_unreadable_inputs_are_valid_sarif(tmp_path: Path) -> None:
    good = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "good.yaml"
    assert sarif(str(good))["runs"][0]["results"] == []
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [lex\n", encoding="utf-8")
    (res,) = sarif("broken.yaml", cwd=tmp_path)["runs"][0]["results"]
    assert res["ruleId"] == "E9500" and res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yaml"


def test_file_outside_the_root_and_odd_names(tmp_path: Path) -> None:
    odd = tmp_path / "my stack #1.yaml"
    shutil.copy(BAD_E9501, odd)
    inside = sarif(str(odd), cwd=tmp_path)["runs"][0]["results"][0]
    assert inside["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20stack%20%231.yaml"
    outside = sarif(str(odd), "--root", str(REPO))["runs"][0]["results"][0]
    art = outside["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art["uri"].startswith("file:///") and "uriBaseId" not in art


def test_sarif_is_byte_identical_across_runs(samples_sarif: str) -> None:
    again = run_lexiam("scan", str(SAMPLES), "--format", "sarif", "--fail-on", "none")
    assert again.stdout == samples_sarif
