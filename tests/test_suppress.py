"""Suppressions written in templates: CloudFormation Metadata (lexiam and cfn-lint), Terraform comments.

Suppressed findings are never dropped: counted in every summary, listed in JSON (``suppressed``) and
SARIF (``suppressions``), shown in the text report with ``--show-suppressed``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from lexiam.directives import parse_comment
from lexiam.model import Finding, Suppression
from lexiam.suppress import NO_REASON, Stage, apply
from lexiam.values import Location
from tests.conftest import SAMPLES, run_lexiam
from tests.sarif_validation import check_sarif_text

CFN_BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
TF_BAD = SAMPLES / "terraform" / "E9501-rp-unsupported-action" / "bad" / "main.tf"
POLICY = "    Type: AWS::Lex::ResourcePolicy\n"


def cfn(tmp_path: Path, resource_metadata: str = "", template_metadata: str = "") -> str:
    text = CFN_BAD.read_text(encoding="utf-8")
    assert text.count(POLICY) == 1 and text.count("\nResources:\n") == 1
    if resource_metadata:
        text = text.replace(POLICY, POLICY + "    Metadata:\n" + resource_metadata)
    if template_metadata:
        text = text.replace("\nResources:\n", "\nMetadata:\n" + template_metadata + "Resources:\n")
    (tmp_path / "stack.yaml").write_text(text, encoding="utf-8")
    return "stack.yaml"


def scan_json(tmp_path: Path, *args: str) -> dict:
    run = run_lexiam("scan", *args, "--format", "json", cwd=tmp_path)
    doc = run.json()
    assert run.code == (1 if doc["summary"]["findings"] else 0)
    return doc


@pytest.mark.parametrize("resource, template, reason, origin", [
    ("      lexiam:\n        ignore:\n          - id: E9501\n            reason: the pipeline strips it\n", "",
     "the pipeline strips it", "metadata"),
    ("      lexiam:\n        ignore: [E95]\n", "", NO_REASON, "metadata"),
    ("", "  lexiam:\n    ignore:\n      - {id: E9501, reason: template-wide}\n", "template-wide", "metadata"),
    ("      cfn-lint:\n        config:\n          ignore_checks: [E9501]\n", "", NO_REASON, "cfn-lint"),
    ("", "  cfn-lint:\n    config:\n      ignore_checks:\n        - E9501\n", NO_REASON, "cfn-lint"),
], ids=["resource", "resource-prefix", "template", "cfn-lint-resource", "cfn-lint-template"])
def test_cloudformation_metadata(tmp_path: Path, resource: str, template: str, reason: str, origin: str) -> None:
    name = cfn(tmp_path, resource, template)
    doc = scan_json(tmp_path, name)
    (f,) = doc["findings"]
    assert f["rule_id"] == "E9501" and f["suppressed"] == reason and f["suppressed_by"] == origin
    assert doc["summary"]["findings"] == 0 and doc["summary"]["suppressed"] == 1
    # --no-inline-ignores turns every suppression off
    off = scan_json(tmp_path, name, "--no-inline-ignores")
    assert "suppressed" not in off["findings"][0] and off["summary"]["findings"] == 1


def test_another_rule_id_does_not_suppress(tmp_path: Path) -> None:
    name = cfn(tmp_path, "      lexiam:\n        ignore: [{id: W9509, reason: other}]\n")
    assert "suppressed" not in scan_json(tmp_path, name)["findings"][0]


def test_every_format_keeps_suppressed_findings(tmp_path: Path) -> None:
    name = cfn(tmp_path, "      lexiam:\n        ignore: [{id: E9501, reason: accepted risk}]\n")
    text = run_lexiam("scan", name, cwd=tmp_path)
    assert text.code == 0 and "E9501" not in text.stdout and "1 suppressed" in text.stdout
    shown = run_lexiam("scan", name, "--show-suppressed", cwd=tmp_path)
    assert "E9501" in shown.stdout and "(suppressed: accepted risk)" in shown.stdout
    sarif = check_sarif_text(run_lexiam("scan", name, "--format", "sarif", cwd=tmp_path).stdout)
    assert sarif["runs"][0]["results"][0]["suppressions"][0]["justification"] == "accepted risk"


# -- Terraform comments -------------------------------------------------------------------------

def test_comment_grammar() -> None:
    d = parse_comment('  "lex:CreateBot", # lexiam:ignore E9501 the pipeline strips it')
    assert (d.rules, d.reason, d.file_wide, d.problem) == (("E9501",), "the pipeline strips it", False, "")
    assert parse_comment("// lexiam:ignore E9501,w9509 -- legacy bot").rules == ("E9501", "W9509")
    assert parse_comment("// lexiam:ignore E9501,w9509 -- legacy bot").reason == "legacy bot"
    assert parse_comment("# lexiam:ignore=E9501 same as a blank").rules == ("E9501",)
    assert parse_comment("# lexiam:ignore: E9501 E9502 two").rules == ("E9501", "E9502")
    assert parse_comment("# lexiam:ignore E9501").reason == ""
    assert parse_comment("# lexiam:ignore-file W9541 legacy").file_wide
    assert parse_comment("resource {") is None
    assert "did you mean 'lexiam:ignore'" in parse_comment("# lexiam: ignore E9501").problem
    assert parse_comment("# lexiam:ignore because").problem


def test_stage_matches_by_line_resource_and_file() -> None:
    at = Location("main.tf", 2, 1)
    written = [Suppression("E9501", "by line", "comment", at, line=3),
               Suppression("W95", "by resource", "comment", at, resource="x.y"),
               Suppression("E9508", "", "comment", at)]
    found = [Finding("E9501", "s", "error", "m", "main.tf", 3, 3, 3, 4, resource="other"),
             Finding("W9509", "s", "warning", "m", "main.tf", 9, 3, 9, 4, resource="x.y"),
             Finding("E9508", "s", "error", "m", "main.tf", 20, 1, 20, 2),
             Finding("E9501", "s", "error", "m", "other.tf", 3, 3, 3, 4)]
    out = apply(found, written, Stage(known=["E9501", "E9508", "W9509"])).findings
    assert [f.suppressed for f in out] == ["by line", "by resource", NO_REASON, None]
    assert {f.suppressed_by for f in out[:3]} == {"comment"}


def test_a_resource_suppression_covers_its_instances_and_parts() -> None:
    # a comment on a block covers every instance count / for_each makes of it, whatever the instance key
    # holds (a dot, a bracket, a quote), and the parts of each (a bot's test alias); not another block
    at = Location("main.tf", 2, 1)
    written = [Suppression("W9563", "all of them", "comment", at, resource="aws_lambda_permission.allow"),
               Suppression("W9563", "in the module", "comment", at, resource='module.bot["a.b"].awscc_lex_bot.x')]
    resources = ['aws_lambda_permission.allow["orders"]', 'aws_lambda_permission.allow["a.b].\\"c"]',
                 "aws_lambda_permission.allow[0]", 'module.bot["a.b"].awscc_lex_bot.x["k"].TestBotAlias',
                 'aws_lambda_permission.allowed["orders"]', 'module.bot["a"].awscc_lex_bot.x']
    found = [Finding("W9563", "s", "warning", "m", "main.tf", 9, 3, 9, 4, resource=r) for r in resources]
    out = apply(found, written, Stage(known=["W9563"])).findings
    assert [f.suppressed for f in out] == ["all of them"] * 3 + ["in the module", None, None]


needs_terraform = pytest.mark.skipif(
    importlib.util.find_spec("lexiam.terraform") is None or not TF_BAD.is_file(),
    reason="the Terraform front end is not in this checkout")


def _tf(tmp_path: Path, edit) -> Path:
    lines = [re.sub(r"\s*# expect:.*$", "", line) for line in TF_BAD.read_text(encoding="utf-8").splitlines()]
    (tmp_path / "main.tf").write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return tmp_path


def _at(lines: list[str], needle: str) -> int:
    (index,) = [i for i, line in enumerate(lines) if needle in line]
    return index


@needs_terraform
@pytest.mark.parametrize("where", ["line-above", "line-end", "block-above", "block-end"])
def test_terraform_comments_end_to_end(tmp_path: Path, where: str) -> None:
    comment = "# lexiam:ignore E9501 removed by the deploy pipeline"

    def edit(lines: list[str]) -> list[str]:
        action = _at(lines, '"lex:CreateBotAlias"')
        block = _at(lines, 'resource "awscc_lex_resource_policy"')
        if where == "line-above":
            lines.insert(action, "          " + comment)
        elif where == "line-end":
            lines[action] += "  " + comment
        elif where == "block-above":
            lines.insert(block, comment)
        else:
            end = next(i for i in range(block, len(lines)) if lines[i] == "}")
            lines[end] += "  " + comment
        return lines

    folder = _tf(tmp_path, edit)
    doc = scan_json(folder, ".")
    (f,) = [f for f in doc["findings"] if f["rule_id"] == "E9501"]
    assert f["suppressed"] == "removed by the deploy pipeline"
    assert doc["summary"]["suppressed"] == 1
    off = scan_json(folder, ".", "--no-inline-ignores")
    assert not [f for f in off["findings"] if "suppressed" in f]


@needs_terraform
def test_terraform_comment_on_another_block_does_not_suppress(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        lines.insert(_at(lines, 'resource "awscc_lex_bot_alias"'), "# lexiam:ignore E9501 wrong block")
        return lines

    doc = scan_json(_tf(tmp_path, edit), ".")
    assert [f for f in doc["findings"] if f["rule_id"] == "E9501" and "suppressed" not in f]
