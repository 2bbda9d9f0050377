"""``--write-baseline`` records today's findings; ``--baseline`` reports only the new ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import SAMPLES, run_lexiam
from tests.sarif_validation import check_sarif_text

BAD_W9541 = SAMPLES / "cloudformation" / "W9541-lex-v1-action" / "bad.yaml"  # two findings
BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"


def _setup(tmp_path: Path) -> Path:
    shutil.copy(BAD_W9541, tmp_path / "stack.yaml")
    run = run_lexiam("scan", "stack.yaml", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert run.code == 0 and "wrote 2 findings to the baseline" in run.stderr
    assert "W9541" in run.stdout  # the report is still printed
    return tmp_path / "baseline.json"


def test_baseline_file(tmp_path: Path) -> None:
    doc = json.loads(_setup(tmp_path).read_text(encoding="utf-8"))
    assert doc["lexiam_baseline"] == 2
    assert [(e["rule_id"], e["file"]) for e in doc["findings"]] == [("W9541", "stack.yaml")] * 2
    assert len({e["fingerprint"] for e in doc["findings"]}) == 2


def test_baselined_findings_are_left_out_and_counted(tmp_path: Path) -> None:
    _setup(tmp_path)
    run = run_lexiam("scan", "stack.yaml", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    doc = run.json()
    assert run.code == 0 and doc["findings"] == []
    assert doc["summary"]["baselined"] == 2 and doc["summary"]["findings"] == 0
    text = run_lexiam("scan", "stack.yaml", "--baseline", "baseline.json", cwd=tmp_path)
    assert text.code == 0 and "2 baselined" in text.stdout


def test_added_lines_do_not_make_a_finding_new(tmp_path: Path) -> None:
    _setup(tmp_path)
    stack = tmp_path / "stack.yaml"
    stack.write_text("# owned by the bots team\n\n# reviewed 2024\n" + stack.read_text(encoding="utf-8"), encoding="utf-8")
    run = run_lexiam("scan", "stack.yaml", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["findings"] == [] and run.json()["summary"]["baselined"] == 2


def test_a_new_finding_is_reported(tmp_path: Path) -> None:
    _setup(tmp_path)
    stack = tmp_path / "stack.yaml"
    text = stack.read_text(encoding="utf-8")
    assert "- lex:PostText" in text
    stack.write_text(text.replace("- lex:PostText", "- lex:PostText\n              - lex:GetBots", 1), encoding="utf-8")
    shutil.copy(BAD_E9501, tmp_path / "other.yaml")
    run = run_lexiam("scan", ".", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    new = [(f["rule_id"], f["file"]) for f in run.json()["findings"]]
    assert run.code == 1 and ("E9501", "other.yaml") in new and ("W9541", "stack.yaml") in new
    assert run.json()["summary"]["baselined"] == 2
    sarif = check_sarif_text(run_lexiam("scan", ".", "--baseline", "baseline.json", "--format", "sarif", cwd=tmp_path).stdout)
    assert len(sarif["runs"][0]["results"]) == len(new)


def test_baseline_in_the_config(tmp_path: Path) -> None:
    _setup(tmp_path)
    (tmp_path / ".lexiam.yaml").write_text("baseline: baseline.json\n", encoding="utf-8")
    assert run_lexiam("scan", "stack.yaml", cwd=tmp_path).code == 0


def test_bad_baselines_are_usage_errors(tmp_path: Path) -> None:
    shutil.copy(BAD_W9541, tmp_path / "stack.yaml")
    run = run_lexiam("scan", "stack.yaml", "--baseline", "missing.json", cwd=tmp_path)
    assert run.code == 2 and "cannot read the baseline" in run.stderr
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    assert "is not JSON" in run_lexiam("scan", "stack.yaml", "--baseline", "bad.json", cwd=tmp_path).stderr
    (tmp_path / "other.json").write_text('{"findings": []}', encoding="utf-8")
    assert "not a lexiam baseline" in run_lexiam("scan", "stack.yaml", "--baseline", "other.json", cwd=tmp_path).stderr
    run = run_lexiam("scan", "stack.yaml", "--write-baseline", str(tmp_path / "stack.yaml" / "b.json"), cwd=tmp_path)
    assert run.code == 2 and "cannot write the baseline" in run.stderr  # a file where a folder should be


def test_fingerprints_ignore_the_message(tmp_path: Path) -> None:
    """Rewording every message (or learning a new action for a did-you-mean) keeps every fingerprint."""
    import dataclasses

    from lexiam.baseline import fingerprints
    from lexiam.engine import Options, scan

    result = scan([SAMPLES], Options(root=SAMPLES.parent, jobs=1))
    assert len(result.findings) > 50
    reworded = [dataclasses.replace(f, message=f.message.upper() + " (reworded)") for f in result.findings]
    assert fingerprints(reworded) == fingerprints(result.findings)
    # ... while what identifies a finding does count
    moved = [dataclasses.replace(f, subject=f.subject + "x") for f in result.findings]
    assert not set(fingerprints(moved)) & set(fingerprints(result.findings))


def test_a_format_1_baseline_still_matches_renamed_rules(tmp_path: Path) -> None:
    """A baseline written before the first release (fingerprints over the message, old rule IDs) matches
    its findings by rule, file and resource; an ID renamed since matches what it became."""
    from lexiam.rules.pack import RENAMED

    shutil.copy(BAD_W9541, tmp_path / "stack.yaml")
    now = run_lexiam("scan", "stack.yaml", "--format", "json", cwd=tmp_path).json()["findings"]
    old_ids = {new: old for old, news in RENAMED.items() for new in news}
    entries = [{"fingerprint": "0" * 32 + ":1", "rule_id": old_ids.get(f["rule_id"], f["rule_id"]), "file": f["file"],
                "resource": f["resource"], "message": "an older wording"} for f in now]
    (tmp_path / "old.json").write_text(json.dumps({"lexiam_baseline": 1, "findings": entries}), encoding="utf-8")
    run = run_lexiam("scan", "stack.yaml", "--baseline", "old.json", "--format", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["findings"] == [] and run.json()["summary"]["baselined"] == len(now)


def test_a_baseline_nested_too_deeply_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copy(BAD_W9541, tmp_path / "stack.yaml")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    run = run_lexiam("scan", "stack.yaml", "--baseline", "deep.json", cwd=tmp_path)
    assert run.code == 2 and "nested too deeply" in run.stderr
