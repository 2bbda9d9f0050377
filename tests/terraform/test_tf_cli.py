"""End to end: the real CLI on Terraform fixtures, rule IDs and positions of the findings."""

from __future__ import annotations

from tests.conftest import expected_findings, run_lexiam
from tests.terraform.conftest import FIXTURES, where

E2E = FIXTURES / "e2e"
APP = E2E / "app"


def _scan(*paths: str, cwd=E2E) -> dict:  # noqa: ANN001
    run = run_lexiam("scan", *paths, "--format", "json", "--fail-on", "none", cwd=cwd)
    assert run.code == 0, run.stderr
    return run.json()


def test_cli_reports_terraform_findings_at_their_values() -> None:
    report = _scan(".")
    got = {(f["rule_id"], f["file"], f["line"], f["column"]) for f in report["findings"] if f.get("suppressed") is None}
    expected = {(rule, f"app/{path.name}", line, col) for path in (APP / "main.tf", APP / "variables.tf")
                for rule, line, col in expected_findings(path)}
    # findings inside heredoc JSON cannot carry a marker comment: positions computed from the text
    expected |= {
        ("E9501", "app/main.tf", *where(APP / "main.tf", '"lex:ListBots"')),
        ("W9560", "app/main.tf", *where(APP / "main.tf", '"lexv2.amazonaws.com"')),
        ("E9500", "broken/main.tf", *where(E2E / "broken" / "main.tf", '"oops"')),
    }
    assert got == expected
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    assert by_rule["E9524"]["resource"] == "module.bot.aws_iam_role.bot"
    assert by_rule["E9501"]["resource"] == "awscc_lex_resource_policy.bot"
    assert report["summary"]["input_errors"] == 1


def test_cli_honours_inline_suppression_comments() -> None:
    report = _scan(".")
    suppressed = [f for f in report["findings"] if f.get("suppressed")]
    assert [(f["rule_id"], f["resource"], f["suppressed"]) for f in suppressed] == [
        ("E9540", "aws_iam_policy.suppressed", "kept for the demo")]


def test_cli_var_changes_a_terraform_finding() -> None:
    report = _scan("app", "--var", "action=lex:RecognizeText")
    rules = {(f["rule_id"], f["file"]) for f in report["findings"] if f.get("suppressed") is None}
    assert ("E9540", "app/variables.tf") not in rules


def test_cli_scans_a_plan_json() -> None:
    report = _scan("plan.json", cwd=FIXTURES / "plan")
    got = {(f["rule_id"], f["file"], f["line"]) for f in report["findings"]}
    assert ("E9501", "plan.json", 1) in got and ("E9503", "plan.json", 1) in got
    assert ("W9526", "plan.json", 1) in got


def test_a_walked_terraform_tfvars_json_is_a_variable_file_not_a_crash(tmp_path) -> None:  # noqa: ANN001
    # the folder walk hands every .json to the JSON file front ends; Terraform reads it as a variable file
    (tmp_path / "terraform.tfvars.json").write_text('{"action": "lex:*"}\n')
    (tmp_path / "main.tf").write_text('''variable "action" {}
resource "aws_lexv2models_bot" "order" {
  name = "OrderBot"
}
resource "awscc_lex_resource_policy" "bot" {
  resource_arn = aws_lexv2models_bot.order.arn
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" },
                                       Action = var.action, Resource = "*" }] })
}
''')
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    assert run.code == 0, run.stderr
    found = {(f["rule_id"], f["file"], f["line"], f["column"]) for f in run.json()["findings"]}
    assert found == {("W9509", "terraform.tfvars.json", 1, 12)}
