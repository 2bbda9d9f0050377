"""Every row of the syntax table in docs/usage/suppressions.md, through the real CLI.

The table and these tests are kept together: a row without a test (or a test of a row that is gone)
fails ``test_every_row_of_the_table_is_tested``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lexiam.model import Finding, Suppression
from lexiam.suppress import NO_REASON, Stage, apply
from lexiam.values import Location
from tests.conftest import REPO, run_lexiam

TABLE = REPO / "docs" / "usage" / "suppressions.md"

CFN = """AWSTemplateFormatVersion: "2010-09-09"
{template_metadata}Resources:
  BotPolicy:
    Type: AWS::Lex::ResourcePolicy
{resource_metadata}    Properties:
      ResourceArn: arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ
      Policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::123456789012:role/caller
            Action:
              - lex:CreateBot
              - lex:ListBots
            Resource: arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ
"""

TF = """{above}resource "awscc_lex_resource_policy" "bot" {{{first}
  resource_arn = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ AWS = "arn:aws:iam::123456789012:role/caller" }}
      Action = [
{before_create}        "lex:CreateBot",{create}
{before_list}        "lex:ListBots",{list}
      ]
      Resource = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ"
    }}]
  }})
}}{last}
"""


def _cfn(tmp_path: Path, resource: str = "", template: str = "") -> dict[str, list[dict]]:
    (tmp_path / "main.tf").unlink(missing_ok=True)
    (tmp_path / "stack.yaml").write_text(CFN.format(template_metadata=template, resource_metadata=resource))
    return _scan(tmp_path)


def _tf(tmp_path: Path, **comments: str) -> dict[str, list[dict]]:
    slots = {k: "" for k in ("above", "first", "before_create", "create", "before_list", "list", "last")}
    slots.update(comments)
    (tmp_path / "stack.yaml").unlink(missing_ok=True)
    (tmp_path / "main.tf").write_text(TF.format(**slots))
    return _scan(tmp_path)


def _scan(tmp_path: Path, *args: str) -> dict[str, list[dict]]:
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", *args, cwd=tmp_path)
    assert run.code == 0, run.stderr
    out: dict[str, list[dict]] = {}
    for f in run.json()["findings"]:
        out.setdefault(f["rule_id"], []).append(f)
    return out


def _reasons(found: dict[str, list[dict]], rule: str = "E9501") -> list[str | None]:
    """The reasons of a rule's findings in file order (None: not suppressed)."""
    return [f.get("suppressed") for f in sorted(found.get(rule, []), key=lambda f: f["line"])]


def test_baseline_without_suppressions(tmp_path: Path) -> None:
    """The templates of this file give two E9501 findings, neither suppressed: what each row changes."""
    assert _reasons(_cfn(tmp_path)) == [None, None]
    assert _reasons(_tf(tmp_path)) == [None, None]


META = "    Metadata:\n{}"
TOP = "Metadata:\n{}"
TESTED: set[int] = set()


def row(n: int):  # noqa: ANN201 - a decorator
    """Marks the test of row ``n`` of the table."""
    TESTED.add(n)
    return lambda fn: fn


@row(1)
def test_row_1_resource_metadata(tmp_path: Path) -> None:
    found = _cfn(tmp_path, META.format("      lexiam:\n        ignore:\n          - id: E9501\n            reason: accepted\n"))
    assert _reasons(found) == ["accepted", "accepted"]
    assert {f["suppressed_by"] for f in found["E9501"]} == {"metadata"}
    assert "I9590" not in found


@row(2)
def test_row_2_plain_ids_and_prefixes(tmp_path: Path) -> None:
    assert _reasons(_cfn(tmp_path, META.format("      lexiam:\n        ignore: [E95]\n"))) == [NO_REASON, NO_REASON]


@row(3)
def test_row_3_template_metadata(tmp_path: Path) -> None:
    found = _cfn(tmp_path, template=TOP.format("  lexiam:\n    ignore:\n      - {id: E9501, reason: template-wide}\n"))
    assert _reasons(found) == ["template-wide", "template-wide"]


@row(4)
def test_row_4_cfn_lint_on_the_resource(tmp_path: Path) -> None:
    found = _cfn(tmp_path, META.format("      cfn-lint:\n        config:\n          ignore_checks: [E9501]\n"))
    assert _reasons(found) == [NO_REASON, NO_REASON] and found["E9501"][0]["suppressed_by"] == "cfn-lint"


@row(5)
def test_row_5_cfn_lint_on_the_template(tmp_path: Path) -> None:
    checks = "  cfn-lint:\n    config:\n      ignore_checks:\n        - E9501\n        - W3005\n"
    found = _cfn(tmp_path, template=TOP.format(checks))
    assert _reasons(found) == [NO_REASON, NO_REASON]
    assert "I9590" not in found  # W3005 is cfn-lint's own rule


@row(6)
def test_row_6_end_of_the_line(tmp_path: Path) -> None:
    assert _reasons(_tf(tmp_path, create=" # lexiam:ignore E9501 created by hand")) == ["created by hand", None]
    assert _reasons(_tf(tmp_path, list=" // lexiam:ignore E9501 listed")) == [None, "listed"]


@row(7)
def test_row_7_lines_above(tmp_path: Path) -> None:
    comment = "        # lexiam:ignore E9501 the pipeline strips it\n        # (a second comment line)\n"
    assert _reasons(_tf(tmp_path, before_list=comment)) == [None, "the pipeline strips it"]


@row(8)
def test_row_8_above_the_block_or_on_its_first_line(tmp_path: Path) -> None:
    assert _reasons(_tf(tmp_path, above="# lexiam:ignore E9501 whole block\n")) == ["whole block"] * 2
    assert _reasons(_tf(tmp_path, first=" # lexiam:ignore E9501 first line")) == ["first line"] * 2


@row(9)
def test_row_9_after_the_closing_brace(tmp_path: Path) -> None:
    assert _reasons(_tf(tmp_path, last="  # lexiam:ignore E95 closing brace")) == ["closing brace"] * 2


@row(10)
def test_row_10_the_whole_file(tmp_path: Path) -> None:
    assert _reasons(_tf(tmp_path, above="# lexiam:ignore-file E9501 legacy\n\n")) == ["legacy", "legacy"]


@row(11)
@pytest.mark.parametrize("comment", [" # lexiam:ignore=E9501 eq", " # lexiam:ignore: E9501 E9502 eq",
                                     " /* lexiam:ignore E9501 eq */"])
def test_row_11_other_spellings(tmp_path: Path, comment: str) -> None:
    found = _tf(tmp_path, create=comment)
    assert _reasons(found) == ["eq", None]


@row(12)
def test_row_12_ignore_on_the_command_line_and_in_the_configuration(tmp_path: Path) -> None:
    _cfn(tmp_path)
    assert "E9501" not in _scan(tmp_path, "--ignore", "E9501")
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [{Type: AWS::Lex::Bot\n")
    found = _scan(tmp_path, "--ignore", "E")
    assert "E9501" not in found and "E9500" in found  # an unreadable file is hidden only when named exactly
    assert "E9500" not in _scan(tmp_path, "--ignore", "E9500,E9501")
    (tmp_path / ".lexiam.yaml").write_text("ignore: [E9501]\n")
    run = run_lexiam("scan", "stack.yaml", "--format", "json", "--fail-on", "none", cwd=tmp_path)
    assert [f["rule_id"] for f in run.json()["findings"]] == []


@row(13)
def test_row_13_a_baseline(tmp_path: Path) -> None:
    _cfn(tmp_path)
    assert run_lexiam("scan", "stack.yaml", "--write-baseline", "b.json", cwd=tmp_path).code == 0
    run = run_lexiam("scan", "stack.yaml", "--baseline", "b.json", "--format", "json", cwd=tmp_path)
    assert run.code == 0 and run.json()["findings"] == [] and run.json()["summary"]["baselined"] == 2


@row(14)
def test_row_14_renamed_ids() -> None:
    """Through the stage itself, with a rename as the registry declares one (old ID -> what it became)."""
    at = Location("stack.yaml", 5, 9)
    found = [Finding("E9506", "s", "error", "m", "stack.yaml", 9, 3, 9, 4, resource="BotPolicy")]
    stage = Stage(known=["E9506"], renamed={"W9506": ("E9506",)})
    out = apply(found, [Suppression("W9506", "reviewed", "metadata", at, resource="BotPolicy")], stage)
    assert [f.suppressed for f in out.findings] == ["reviewed"]
    assert len(out.notices) == 1 and "W9506" in out.notices[0] and "E9506" in out.notices[0]


def test_unused_and_malformed_suppressions_are_reported(tmp_path: Path) -> None:
    found = _cfn(tmp_path, META.format("      lexiam:\n        ignore: [E9501, E9599, W9509]\n"))
    messages = sorted(f["message"] for f in found["I9590"])
    assert len(messages) == 2
    assert "E9599, which is no rule of lexiam" in messages[0] and "W9509 suppresses nothing" in messages[1]
    found = _tf(tmp_path, create=" # lexiam: ignore E9501 a space too many")
    assert _reasons(found) == [None, None]
    (bad,) = found["I9590"]
    assert "did you mean 'lexiam:ignore'" in bad["message"] and bad["severity"] == "info"
    assert "I9590" not in _scan(tmp_path, "--no-inline-ignores")


def test_every_row_of_the_table_is_tested() -> None:
    rows = {int(m.group(1)) for m in re.finditer(r"(?m)^\| (\d+) \|", TABLE.read_text(encoding="utf-8"))}
    assert rows == TESTED and rows == set(range(1, max(rows) + 1))
