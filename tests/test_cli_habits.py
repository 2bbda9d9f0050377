"""The command line as users of ruff, cfn-lint and checkov expect it (issue 17): each test is one habit or one
silent mistake that now says so, through the real console script."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lexiam.model import FileResult, Finding, ScanResult
from lexiam.report import sarif as sarif_report
from lexiam.report import text as text_report
from tests.conftest import SAMPLES, lexiam_exe, run_lexiam

BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
W9509 = SAMPLES / "cloudformation" / "W9509-rp-wildcard-action" / "bad.yaml"
BROKEN = "AWSTemplateFormatVersion: '2010-09-09'\nResources: [{Type: AWS::Lex::Bot\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copy(BAD, tmp_path / "bot.yaml")
    shutil.copy(W9509, tmp_path / "wild.yaml")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def rules(run) -> list[str]:  # noqa: ANN001
    return sorted(f["rule_id"] for f in run.json()["findings"])


# --- habits ----------------------------------------------------------------------------------------

def test_no_command_and_no_path_scan_the_current_folder(tree: Path) -> None:
    expected = run_lexiam("scan", ".", "--format", "json", cwd=tree).stdout
    assert run_lexiam("--format", "json", cwd=tree).stdout == expected
    assert run_lexiam("scan", "--format", "json", cwd=tree).stdout == expected
    assert run_lexiam(".", "--format", "json", cwd=tree).stdout == expected
    bare = run_lexiam(cwd=tree)
    assert bare.code == 1 and "E9501" in bare.stdout
    assert run_lexiam("rules", cwd=tree).stdout.startswith("E9500")  # a command is still a command


def test_select_beside_ignore_and_e9500_always_kept(tree: Path) -> None:
    assert rules(run_lexiam("--select", "W", "--format", "json", cwd=tree)) == ["E9500", "W9509"]
    assert rules(run_lexiam("--select", "E9501", "--format", "json", cwd=tree)) == ["E9500", "E9501"]
    assert rules(run_lexiam("--select", "E95", "--ignore", "E9501", "--format", "json", cwd=tree)) == ["E9500"]
    assert rules(run_lexiam("--select", "W", "--ignore", "E9500", "--format", "json", cwd=tree)) == ["W9509"]
    run = run_lexiam("--select", "X12", cwd=tree)
    assert run.code == 2 and "X12: no rule has this ID or prefix" in run.stderr


def test_output_format_is_an_alias_of_format(tree: Path) -> None:
    alias = run_lexiam("--output-format", "json", cwd=tree).stdout
    assert alias == run_lexiam("--format", "json", cwd=tree).stdout and json.loads(alias)["findings"]


def test_stdin_with_and_without_a_file_name(tmp_path: Path) -> None:
    text = BAD.read_text(encoding="utf-8")
    run = run_lexiam("scan", "-", "--format", "json", input=text, cwd=tmp_path)
    assert run.code == 1 and {f["file"] for f in run.json()["findings"]} == {"-"}
    run = run_lexiam("scan", "-", "--stdin-filename", "infra/bot.yaml", input=text, cwd=tmp_path)
    assert "--> infra/bot.yaml:70:17" in run.stdout and "70 |               - lex:CreateBotAlias" in run.stdout
    tf = (SAMPLES / "terraform" / "E9501-rp-unsupported-action" / "bad" / "main.tf")
    if tf.is_file():
        run = run_lexiam("scan", "-", "--stdin-filename", "main.tf", "--format", "json",
                         input=tf.read_text(encoding="utf-8"), cwd=tmp_path)
        assert "E9501" in rules(run) and {f["file"] for f in run.json()["findings"]} == {"main.tf"}
    assert run_lexiam("scan", "-", "other.yaml", input="", cwd=tmp_path).code == 2
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_scan_errors_print_the_usage_of_scan(tree: Path) -> None:
    run = run_lexiam("scan", ".", "--no-such-flag", cwd=tree)
    assert run.code == 2 and run.stderr.startswith("usage: lexiam scan ") and "--no-such-flag" in run.stderr
    run = run_lexiam("scan", ".", "--region", "mars-1", cwd=tree)
    assert run.code == 2 and run.stderr.startswith("usage: lexiam scan ") and "not an AWS region name" in run.stderr


@pytest.mark.parametrize("region, ok", [("eu-west-1", True), ("us-gov-west-1", True), ("cn-north-1", True),
                                        ("us-isob-east-1", True), ("eusc-de-east-1", True), ("ap-southeast-5", True),
                                        ("mars-1", False), ("eu-west", False), ("EU-WEST-1", False), ("eu-west-1 ", False)])
def test_region_is_checked(tree: Path, region: str, ok: bool) -> None:
    run = run_lexiam("scan", "bot.yaml", "--region", region, cwd=tree)
    assert (run.code != 2) is ok, run.stderr


def test_a_missing_var_file_is_a_usage_error(tree: Path) -> None:
    run = run_lexiam("scan", ".", "--var-file", "missing.tfvars", cwd=tree)
    assert run.code == 2 and "missing.tfvars" in run.stderr and "usage: lexiam scan" in run.stderr


def test_configuration_is_found_from_the_scanned_path(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    shutil.copy(BAD, project / "bot.yaml")
    (project / ".lexiam.yaml").write_text("fail-on: none\n", encoding="utf-8")
    assert run_lexiam("scan", "project", cwd=tmp_path).code == 0  # the config beside the scanned folder
    assert run_lexiam("scan", "project/bot.yaml", cwd=tmp_path).code == 0
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(BAD, other / "bot.yaml")
    assert run_lexiam("scan", "project", "other", cwd=tmp_path).code == 1  # they share tmp_path: no config there


# --- the text reports ------------------------------------------------------------------------------

def test_quiet_concise_and_statistics(tree: Path) -> None:
    quiet = run_lexiam("--quiet", cwd=tree).stdout
    assert "E9501" in quiet and "finding" not in quiet.splitlines()[-1]
    assert run_lexiam("-q", "--select", "I", "--ignore", "E9500", cwd=tree).stdout == ""
    concise = run_lexiam("--format", "concise", cwd=tree).stdout.splitlines()
    assert concise[0].startswith("bot.yaml:70:17: error E9501 rp-unsupported-action: lex:CreateBotAlias")
    assert concise[-1] == "3 findings (2 errors, 1 warning) in 3 files: 2 scanned, 1 could not be read or parsed."
    stats = run_lexiam("--statistics", "--format", "concise", "-q", cwd=tree).stdout.splitlines()
    assert stats[-3:] == ["1  E9500  input-error            error", "1  E9501  rp-unsupported-action  error",
                          "1  W9509  rp-wildcard-action     warning"]
    warn = run_lexiam("--statistics", "--format", "json", cwd=tree)
    assert "--statistics applies to the text and concise formats" in warn.stderr


def test_a_minified_template_is_cut_around_the_caret(tmp_path: Path) -> None:
    doc = {"Resources": {f"Pad{i}": {"Type": "AWS::SNS::Topic"} for i in range(60)}}
    doc["Resources"]["Policy"] = {"Type": "AWS::Lex::ResourcePolicy", "Properties": {
        "ResourceArn": {"Fn::GetAtt": ["Bot", "Arn"]}, "Policy": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "lex:CreateBot",
            "Resource": "*"}]}}}
    doc["Resources"]["Bot"] = {"Type": "AWS::Lex::Bot", "Properties": {"Name": "b", "RoleArn": "x"}}
    (tmp_path / "min.json").write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    out = run_lexiam("scan", "min.json", "--select", "E9501", cwd=tmp_path).stdout.splitlines()
    source = next(ln for ln in out if ln.startswith("1 | "))
    caret = out[out.index(source) + 1]
    assert len(source) <= 4 + len(text_report.CUT) * 2 + text_report.WINDOW
    assert source[4:].startswith("...") and source.endswith("...")
    assert source[caret.index("^"):].startswith('"lex:CreateBot"')


def test_a_file_refused_for_its_size_is_not_read_again_for_the_report(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b'{"Resources": {"lex": 1, "pad": "' + b"x" * 3000 + b'"}}')
    finding = Finding("E9500", "input-error", "error", "file is 3040 bytes, over the limit", "big.json", 1, 1, 1, 1)
    context: dict[str, object] = {"root": str(tmp_path), "max_file_bytes": 1000}
    report = text_report.render(ScanResult([finding], [FileResult("big.json", "error", "too big")]), context)
    assert context["_sources"].reads == 0 and "x" * 50 not in report  # type: ignore[attr-defined]
    context["max_file_bytes"] = 1 << 20
    report = text_report.render(ScanResult([finding], [FileResult("big.json", "error", "")]), context)
    assert context["_sources"].reads == 1 and "1 | " in report  # type: ignore[attr-defined]


def test_the_catalog_keeps_its_columns_and_a_closed_pipe_is_no_traceback() -> None:
    lines = run_lexiam("rules").stdout.splitlines()
    starts = {ln.index(ln.split()[3]) for ln in lines}  # the title column
    assert len(starts) == 1
    for _ in range(5):
        proc = subprocess.run(" ".join([*lexiam_exe(), "rules"]) + " | head -2", shell=True, capture_output=True,
                              text=True, timeout=120)
        assert proc.stdout.count("\n") == 2 and "Traceback" not in proc.stderr and "Error" not in proc.stderr
    proc = subprocess.run(" ".join([*lexiam_exe(), "scan", str(SAMPLES)]) + " | head -1", shell=True,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


# --- SARIF -------------------------------------------------------------------------------------------

def test_sarif_says_which_files_could_not_be_read(tree: Path) -> None:
    doc = json.loads(run_lexiam("--format", "sarif", cwd=tree).stdout)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
    assert note["message"]["text"].startswith("broken.yaml: could not be read or parsed")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yaml"
    (tree / "broken.yaml").unlink()
    clean = json.loads(run_lexiam("--format", "sarif", cwd=tree).stdout)["runs"][0]["invocations"][0]
    assert clean == {"executionSuccessful": True}


def test_sarif_results_are_capped_at_githubs_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_report, "MAX_RESULTS", 3)
    findings = [Finding("W9509", "w", "warning", f"m{i}", "a.yaml", i + 1, 1, i + 1, 2) for i in range(4)]
    findings.insert(2, Finding("E9501", "e", "error", "m", "a.yaml", 3, 5, 3, 6))
    doc = sarif_report.document(ScanResult(findings, [FileResult("a.yaml", "scanned")]), [], ".", "iac")
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["W9509", "W9509", "E9501"]  # the error is kept, order stays
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"].startswith("2 of 5 results were left out")


# --- suppressions that do nothing say so -------------------------------------------------------------------

@pytest.mark.parametrize("edit, message", [
    (("- lex:CreateBotAlias  # expect: E9501 lex:CreateBotAlias", "- lex:CreateBotAlias  # lexiam:ignore E9501 why"),
     "a lexiam:ignore comment suppresses nothing in a CloudFormation template"),
    (("    Type: AWS::Lex::ResourcePolicy\n", "    Type: AWS::Lex::ResourcePolicy\n    Metadata:\n      lexiam:\n"
      "        ignores: [E9501]\n"), "'lexiam: ignores' is no suppression; did you mean 'lexiam: ignore'?"),
])
def test_cloudformation_suppressions_that_do_nothing_say_so(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    text = BAD.read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / "t.yaml").write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    found = run_lexiam("scan", "t.yaml", "--format", "json", cwd=tmp_path).json()["findings"]
    assert "E9501" in [f["rule_id"] for f in found]  # nothing was suppressed
    (unused,) = [f for f in found if f["rule_id"] == "I9590"]
    assert message in unused["message"] and unused["severity"] == "info"
