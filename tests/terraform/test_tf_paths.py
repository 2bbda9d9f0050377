"""The ``path`` of a Terraform finding: from the resource block down to the value, as for CloudFormation."""

from __future__ import annotations

from pathlib import Path

from lexiam.engine import Options, scan
from tests.terraform.conftest import FIXTURES

ROOT = FIXTURES / "modules" / "root"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_templates" / "terraform"


def _paths(folder: Path) -> dict[tuple[str, str], list[tuple[str | int, ...]]]:
    result = scan([folder], Options(root=folder, jobs=1))
    paths: dict[tuple[str, str], list[tuple[str | int, ...]]] = {}
    for f in result.findings:
        paths.setdefault((f.rule_id, f.resource), []).append(f.path)
    return paths


def test_paths_go_through_attributes_objects_lists_and_jsonencode() -> None:
    trust = _paths(SAMPLES / "E9524-bot-role-trust" / "bad")
    assert trust[("E9524", "aws_iam_role.legacy")] == [("assume_role_policy", "Statement", 0, "Principal", "Service")]
    hooks = _paths(SAMPLES / "E9525-slr-arn-misused" / "bad")
    assert hooks[("E9525", "awscc_lex_bot_alias.live")] == [(
        "bot_alias_locale_settings", 0, "bot_alias_locale_setting", "code_hook_specification", "lambda_code_hook",
        "lambda_arn")]
    assert hooks[("E9525", "aws_lambda_function.fulfillment")] == [("role",)]
    invoke = _paths(SAMPLES / "W9562-lambda-permission-source-arn-mismatch" / "bad")
    assert set(invoke) and all(p == [("source_arn",)] for p in invoke.values()), invoke


def test_a_list_item_and_a_nested_block_get_their_index(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "aws_iam_role" "bot" {
  name = "bot"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { "Service" = ["lambda.amazonaws.com"] }
    }]
  })
  inline_policy {
    name   = "first"
    policy = "{}"
  }
  inline_policy {
    name   = "AmazonLexFullAccess"
    policy = jsonencode({Statement = [{Effect = "Allow", Action = "lex:*", Resource = "*"}]})
  }
}

resource "aws_lexv2models_bot" "b" {
  name     = "b"
  role_arn = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
''')
    paths = _paths(tmp_path)
    assert paths[("E9524", "aws_iam_role.bot")] == [("assume_role_policy", "Statement", 0, "Principal", "Service", 0)]
    found = paths.get(("W9526", "aws_iam_role.bot"))
    assert found is not None and found[0][:2] == ("inline_policy", 1), paths


def test_a_value_written_outside_the_resource_block_has_no_path() -> None:
    # a policy document data source: the principal is written in the data block, not in the role's
    trust = _paths(SAMPLES / "E9524-bot-role-trust" / "bad")
    assert trust[("E9524", "aws_iam_role.shared")] == [()]
    # a module's input: the child's role trusts var.trusted, which the caller sets
    assert _paths(ROOT)[("E9524", "module.role.aws_iam_role.this")] == [()]


def test_a_bots_test_alias_gets_the_path_of_its_value_in_the_bots_block() -> None:
    # the test alias is a part of the bot (awscc_lex_bot.order.TestBotAlias), as Bot.TestBotAlias is in
    # CloudFormation: its path goes from the bot's block down to the value
    hooks = _paths(SAMPLES / "W9563-lambda-permission-missing" / "bad")
    assert hooks[("W9563", "awscc_lex_bot.order.TestBotAlias")] == [(
        "test_bot_alias_settings", "bot_alias_locale_settings", 0, "bot_alias_locale_setting",
        "code_hook_specification", "lambda_code_hook", "lambda_arn")]
