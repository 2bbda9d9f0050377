"""The rules corrected or added for the evidence audit, on shapes the samples do not hold (both front ends)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lexiam.engine import Options, scan


def scan_cfn(tmp_path: Path, body: str, **opts) -> list[tuple[str, int]]:
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n", encoding="utf-8")
    return [(f.rule_id, f.line) for f in scan([path], Options(root=tmp_path, **opts)).findings]


def scan_tf(tmp_path: Path, text: str, **opts) -> list[tuple[str, int]]:
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return [(f.rule_id, f.line) for f in scan([folder], Options(root=tmp_path, **opts)).findings]


POLICY = """
P:
  Type: AWS::Lex::ResourcePolicy
  Properties:
    ResourceArn: {arn}
    Policy:
      Statement:
        - Effect: Allow
          Principal: {{AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:role/caller"}}
          Action: lex:RecognizeText
          Resource: {resource}
"""


@pytest.mark.parametrize("resource", [
    '"*"', "arn:aws:lex:*:*:bot-alias/*", '!Sub "arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/ABCDEFGHIJ/*"'])
def test_wildcard_statement_resources_are_not_invalid_arns(tmp_path: Path, resource: str) -> None:
    arn = '!Sub "arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/ABCDEFGHIJ/KLMNOPQRST"'
    assert [f for f in scan_cfn(tmp_path, POLICY.format(arn=arn, resource=resource)) if f[0] == "E9511"] == []


@pytest.mark.parametrize(("arn", "found"), [
    ("!Ref AliasArn", []),  # a parameter: unknown
    ('!Sub "arn:aws:s3:::${AWS::AccountId}-bucket"', [("E9511", 5)]),  # another service
    ('!Sub "arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot/OrderBot"', [("E9511", 5)]),  # a name, not an ID
    ('!Sub "arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/ABCDEFGHIJ/"', [("E9511", 5)]),  # empty alias ID
])
def test_resource_arns(tmp_path: Path, arn: str, found: list) -> None:
    body = "Parameters:\n  AliasArn: {Type: String}\n"
    text = POLICY.format(arn=arn, resource='"*"')
    path = tmp_path / "t.yaml"
    path.write_text(body + "Resources:\n" + textwrap.indent(textwrap.dedent(text).strip("\n"), "  ") + "\n",
                    encoding="utf-8")
    got = [(f.rule_id, f.line - 2) for f in scan([path], Options(root=tmp_path)).findings if f.rule_id == "E9511"]
    assert got == found


def test_a_typo_in_another_service_resource_policy(tmp_path: Path) -> None:
    """E9540 reads policy documents wherever they sit: here an S3 bucket policy naming a Lex action."""
    body = """
    Policy:
      Type: AWS::S3::BucketPolicy
      Properties:
        Bucket: logs
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
              Action: [s3:GetObject, lex:RecognizeTxt]
              Resource: arn:aws:s3:::logs/*
    """
    assert scan_cfn(tmp_path, body) == [("E9540", 10)]


def test_a_typo_in_a_terraform_service_policy(tmp_path: Path) -> None:
    text = """
    resource "aws_sqs_queue_policy" "q" {
      queue_url = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Principal = "*", Action = ["sqs:SendMessage", "lexv2:RecognizeText"], Resource = "*" }]
      })
    }
    """
    assert scan_tf(tmp_path, text) == [("E9540", 4)]


def test_malformed_text_outside_a_bot_role_is_not_judged(tmp_path: Path) -> None:
    """Malformed action text of other services is reported only in a bot's own role (where a feature fails)."""
    body = """
    R:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
        Policies:
          - PolicyName: p
            PolicyDocument:
              Statement: [{Effect: Allow, Action: "s3:GetObject,", Resource: "*"}]
    """
    assert scan_cfn(tmp_path, body) == []


def test_a_policy_attached_to_the_bot_role_is_its_policy(tmp_path: Path) -> None:
    body = """
    BotRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Statement: [{Effect: Allow, Principal: {Service: lexv2.amazonaws.com}, Action: sts:AssumeRole}]
    Voice:
      Type: AWS::IAM::Policy
      Properties:
        PolicyName: voice
        Roles: [!Ref BotRole]
        PolicyDocument:
          Statement: [{Effect: Allow, Action: ["polly:SynthesizeSpeech;"], Resource: "*"}]
    Bot:
      Type: AWS::Lex::Bot
      Properties: {Name: B, RoleArn: !GetAtt BotRole.Arn, DataPrivacy: {ChildDirected: false}, IdleSessionTTLInSeconds: 300}
    """
    assert scan_cfn(tmp_path, body) == [("E9540", 13)]


def test_an_alias_arn_of_an_undeclared_alias_still_has_its_shape(tmp_path: Path) -> None:
    """``awscc_lex_bot_alias.x.arn`` where the alias is declared elsewhere: still an alias ARN (W9562 on /*)."""
    text = """
    resource "aws_lambda_permission" "p" {
      action        = "lambda:InvokeFunction"
      function_name = "hook"
      principal     = "lexv2.amazonaws.com"
      source_arn    = "${awscc_lex_bot_alias.elsewhere.arn}/*"
    }

    resource "aws_lambda_permission" "ok" {
      action        = "lambda:InvokeFunction"
      function_name = "hook"
      principal     = "lexv2.amazonaws.com"
      source_arn    = awscc_lex_bot_alias.elsewhere.arn
    }
    """
    assert scan_tf(tmp_path, text) == [("W9562", 5)]


def test_an_unknown_segment_after_an_alias_arn_is_not_judged(tmp_path: Path) -> None:
    text = """
    variable "suffix" {}
    resource "awscc_lex_bot_alias" "a" {
      bot_id         = "ABCDEFGHIJ"
      bot_alias_name = "live"
    }
    resource "aws_lambda_permission" "p" {
      action        = "lambda:InvokeFunction"
      function_name = "hook"
      principal     = "lexv2.amazonaws.com"
      source_arn    = "${awscc_lex_bot_alias.a.arn}${var.suffix}"
    }
    """
    assert scan_tf(tmp_path, text) == []


def test_w9530_needs_the_account_written_by_the_template(tmp_path: Path) -> None:
    """A reference to the stack's own resource implies the account; only an explicit ${AWS::AccountId} says
    the template is built for any account."""
    body = """
    Bot:
      Type: AWS::Lex::Bot
      Properties: {Name: B, RoleArn: "arn:aws:iam::111122223333:role/bot", DataPrivacy: {ChildDirected: false},
                   IdleSessionTTLInSeconds: 300}
    Alias:
      Type: AWS::Lex::BotAlias
      Properties: {BotId: !Ref Bot, BotAliasName: live}
    Caller:
      Type: AWS::IAM::ManagedPolicy
      Properties:
        PolicyDocument:
          Statement: [{Effect: Allow, Action: lex:RecognizeText, Resource: !GetAtt Alias.Arn}]
    """
    assert scan_cfn(tmp_path, body) == []
    explicit = body.replace("Resource: !GetAtt Alias.Arn",
                            'Resource: !Sub "arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/*"')
    assert scan_cfn(tmp_path, explicit) == [("W9530", 4)]
