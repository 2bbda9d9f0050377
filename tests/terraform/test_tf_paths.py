"""The ``path`` of a Terraform finding: from the resource block down to the value, as for CloudFormation."""

from __future__ import annotations

from pathlib import Path

from analyzer.engine import Options, scan
from tests.terraform.conftest import FIXTURES

ROOT = FIXTURES / "modules" / "root"


def _paths(folder: Path) -> dict[tuple[str, str], list[tuple[str | int, ...]]]:
    result = scan([folder], Options(root=folder, jobs=1))
    paths: dict[tuple[str, str], list[tuple[str | int, ...]]] = {}
    for f in result.findings:
        paths.setdefault((f.rule_id, f.resource), []).append(f.path)
    return paths


def test_paths_go_through_attributes_blocks_objects_lists_and_jsonencode(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "aws_iam_role" "bot" {
  name = "bot"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { "Service" = ["lambda.amazonaws.com", "lex.amazonaws.com"] }
    }]
  })
}

resource "aws_lexv2models_bot" "b" {
  name     = "b"
  role_arn = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_lambda_permission" "lex" {
  action        = "lambda:InvokeFunction"
  function_name = "fulfil"
  principal     = "lexv2.amazonaws.com"
  source_arn    = "arn:aws:lex:us-east-1:111122223333:bot/ABCDEFGHIJ"
}

resource "awscc_lex_bot_alias" "live" {
  bot_id         = "ABCDEFGHIJ"
  bot_alias_name = "live"
  bot_alias_locale_settings = [{
    locale_id = "en_US"
    bot_alias_locale_setting = {
      enabled = true
      code_hook_specification = {
        lambda_code_hook = {
          code_hook_interface_version = "1.0"
          lambda_arn = "arn:aws:iam::111122223333:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_x"
        }
      }
    }
  }]
}
''')
    paths = _paths(tmp_path)
    assert paths[("E9524", "aws_iam_role.bot")] == [("assume_role_policy", "Statement", 0, "Principal", "Service", 0)]
    assert paths[("W9562", "aws_lambda_permission.lex")] == [("source_arn",)]
    assert paths[("E9525", "awscc_lex_bot_alias.live")] == [(
        "bot_alias_locale_settings", 0, "bot_alias_locale_setting", "code_hook_specification", "lambda_code_hook",
        "lambda_arn")]


def test_nested_blocks_count_among_blocks_of_their_type(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "aws_iam_role" "bot" {
  name = "bot"
  assume_role_policy = "{}"
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
    found = paths.get(("W9526", "aws_iam_role.bot"))
    assert found is not None and found[0][:2] == ("inline_policy", 1), paths


def test_a_value_written_outside_the_resource_block_has_no_path(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lex.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "bot" {
  name               = "bot"
  assume_role_policy = data.aws_iam_policy_document.trust.json
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
    assert _paths(tmp_path)[("E9524", "aws_iam_role.bot")] == [()]


def test_a_value_a_module_caller_wrote_has_no_path() -> None:
    # the child's role trusts var.trusted, which the caller sets: the finding is at the caller's text
    paths = _paths(ROOT)
    assert paths[("E9524", "module.role.aws_iam_role.this")] == [()]
