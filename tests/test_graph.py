"""The reference graph (lexiam.graph): the typed edges of both front ends, and the questions rules ask it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lexiam import graph
from lexiam.engine import Options, scan
from lexiam.graph import Graph
from lexiam.model import Unit
from lexiam.values import Symbol, Value

SAMPLES = Path(__file__).resolve().parent.parent / "sample_templates"


def units_of(tmp_path: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[Unit]:
    """The units lexiam extracts from these files (what the rules are given)."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    seen: list[Unit] = []

    class Spy(Graph):  # the engine builds one graph per unit: it sees every unit the rules are given
        def __init__(self, unit: Unit, pins: dict[str, str] | None = None) -> None:
            seen.append(unit)
            super().__init__(unit, pins)

    monkeypatch.setattr(graph, "Graph", Spy)
    scan([tmp_path], Options(root=tmp_path))
    return seen


def edges(unit: Unit) -> set[tuple[str, str, str | None, str]]:
    return {(e.kind, e.source.address, e.target.address if e.target is not None else None, e.qualifier)
            for e in Graph(unit).edges()}


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  KendraIndexArn: {Type: String}
Resources:
  BotRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lexv2.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: inline
          PolicyDocument: {Statement: [{Effect: Allow, Action: polly:*, Resource: "*"}]}
      ManagedPolicyArns:
        - !Ref Managed
        - arn:aws:iam::aws:policy/AmazonPollyReadOnlyAccess
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: comprehend:DetectSentiment, Resource: "*"}]}
  Attached:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: attached
      Roles: [!Ref BotRole]
      PolicyDocument: {Statement: [{Effect: Allow, Action: kendra:Query, Resource: !Ref KendraIndexArn}]}
  Hook:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, Runtime: python3.12, InlineCode: "x"}
  Logs:
    Type: AWS::Logs::LogGroup
  Bucket:
    Type: AWS::S3::Bucket
  Key:
    Type: AWS::KMS::Key
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: OrderBot
      RoleArn: !GetAtt BotRole.Arn
      DataPrivacy: {ChildDirected: false}
      IdleSessionTTLInSeconds: 300
      BotLocales:
        - LocaleId: en_US
          NluConfidenceThreshold: 0.4
          Intents:
            - Name: Search
              ParentIntentSignature: AMAZON.KendraSearchIntent
              KendraConfiguration: {KendraIndex: !Ref KendraIndexArn}
      TestBotAliasSettings:
        BotAliasLocaleSettings:
          - LocaleId: en_US
            BotAliasLocaleSetting:
              Enabled: true
              CodeHookSpecification:
                LambdaCodeHook: {CodeHookInterfaceVersion: "1.0", LambdaArn: !GetAtt Hook.Arn}
  Live:
    Type: AWS::Lex::BotAlias
    Properties:
      BotId: !Ref Bot
      BotAliasName: live
      BotAliasLocaleSettings:
        - LocaleId: en_US
          BotAliasLocaleSetting:
            Enabled: true
            CodeHookSpecification:
              LambdaCodeHook: {CodeHookInterfaceVersion: "1.0", LambdaArn: !Sub "${Hook.Arn}:live"}
        - LocaleId: en_GB
          BotAliasLocaleSetting:
            Enabled: true
            CodeHookSpecification:
              LambdaCodeHook: {CodeHookInterfaceVersion: "1.0", LambdaArn: !GetAtt Hook.Arn}
      ConversationLogSettings:
        TextLogSettings:
          - Enabled: true
            Destination: {CloudWatch: {CloudWatchLogGroupArn: !GetAtt Logs.Arn, LogPrefix: x}}
        AudioLogSettings:
          - Enabled: true
            Destination: {S3Bucket: {S3BucketArn: !GetAtt Bucket.Arn, KmsKeyArn: !GetAtt Key.Arn, LogPrefix: x}}
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Sub "${Hook}:live"
      Principal: lexv2.amazonaws.com
      SourceArn: !GetAtt Live.Arn
"""


def test_cloudformation_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (unit,) = units_of(tmp_path, {"t.yaml": CFN}, monkeypatch)
    assert edges(unit) == {
        ("bot->role", "Bot", "BotRole", ""),
        ("alias->bot", "Live", "Bot", ""),
        ("alias->bot", "Bot.TestBotAlias", "Bot", ""),
        ("alias->function", "Bot.TestBotAlias", "Hook", ""),
        ("alias->function", "Live", "Hook", "live"),  # per locale: en_US names the live alias of the function
        ("alias->function", "Live", "Hook", ""),  # en_GB the unqualified function
        ("permission->function", "Invoke", "Hook", "live"),
        ("permission->alias", "Invoke", "Live", ""),
        ("policy->role", "BotRole", "BotRole", ""),  # the inline policy
        ("policy->role", "Managed", "BotRole", ""),  # ManagedPolicyArns: !Ref of a policy of the scan
        ("policy->role", "Attached", "BotRole", ""),  # Roles
        ("alias->log-group", "Live", "Logs", ""),
        ("alias->bucket", "Live", "Bucket", ""),
        ("alias->key", "Live", "Key", ""),
        ("intent->kendra-index", "Bot", None, ""),  # a part of the bot (its findings are the bot's)
    }


def test_the_aws_managed_policy_of_a_role_is_known_by_its_content(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (unit,) = units_of(tmp_path, {"t.yaml": CFN}, monkeypatch)
    g = Graph(unit)
    (role,) = [r for r in unit.roles if r.address == "BotRole"]
    reaching = g.policies_reaching(role)
    arns = [on.arn.text for on in reaching if on.arn is not None and on.arn.text]
    assert "arn:aws:iam::aws:policy/AmazonPollyReadOnlyAccess" in arns
    assert len([on for on in reaching if on.document is not None]) == 3  # inline, Managed, Attached


TF = {
    "main.tf": """
    variable "index_id" { type = string }

    resource "aws_iam_role" "bot" {
      name               = "bot"
      assume_role_policy = "{}"
    }

    resource "aws_iam_role_policy" "inline" {
      role   = aws_iam_role.bot.id
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "polly:*", Resource = "*" }] })
    }

    resource "aws_iam_policy" "managed" {
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "comprehend:*", Resource = "*" }] })
    }

    resource "aws_iam_role_policy_attachment" "managed" {
      role       = aws_iam_role.bot.name
      policy_arn = aws_iam_policy.managed.arn
    }

    resource "aws_lambda_function" "hook" {
      function_name = "order-hook"
      role          = aws_iam_role.bot.arn
      handler       = "index.handler"
      runtime       = "python3.12"
      filename      = "hook.zip"
    }

    resource "aws_lambda_alias" "live" {
      name             = "live"
      function_name    = aws_lambda_function.hook.function_name
      function_version = "1"
    }

    resource "aws_cloudwatch_log_group" "logs" {
      name = "/lex/order"
    }

    resource "awscc_lex_bot" "order" {
      name     = "OrderBot"
      role_arn = aws_iam_role.bot.arn
      data_privacy = { child_directed = false }
      idle_session_ttl_in_seconds = 300
    }

    resource "awscc_lex_bot_alias" "live" {
      bot_id         = awscc_lex_bot.order.id
      bot_alias_name = "live"
      bot_alias_locale_settings = [{
        locale_id = "en_US"
        bot_alias_locale_setting = {
          enabled = true
          code_hook_specification = {
            lambda_code_hook = { code_hook_interface_version = "1.0", lambda_arn = aws_lambda_alias.live.arn }
          }
        }
      }]
      conversation_log_settings = {
        text_log_settings = [{
          enabled     = true
          destination = { cloudwatch = { cloudwatch_log_group_arn = aws_cloudwatch_log_group.logs.arn, log_prefix = "x" } }
        }]
      }
    }

    resource "aws_lambda_permission" "lex" {
      action        = "lambda:InvokeFunction"
      function_name = "order-hook"
      qualifier     = "live"
      principal     = "lexv2.amazonaws.com"
      source_arn    = awscc_lex_bot_alias.live.arn
    }

    resource "aws_lexv2models_bot_locale" "en" {
      bot_id                           = awscc_lex_bot.order.id
      bot_version                      = "DRAFT"
      locale_id                        = "en_US"
      n_lu_intent_confidence_threshold = 0.4
      voice_settings {
        voice_id = "Joanna"
      }
    }

    resource "aws_lexv2models_intent" "search" {
      bot_id                  = awscc_lex_bot.order.id
      bot_version             = "DRAFT"
      locale_id               = "en_US"
      name                    = "Search"
      parent_intent_signature = "AMAZON.KendraSearchIntent"
      kendra_configuration {
        kendra_index = var.index_id
      }
    }
    """,
}


def test_terraform_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (unit,) = units_of(tmp_path, TF, monkeypatch)
    assert edges(unit) == {
        ("bot->role", "awscc_lex_bot.order", "aws_iam_role.bot", ""),
        ("alias->bot", "awscc_lex_bot_alias.live", "awscc_lex_bot.order", ""),
        # through the Lambda alias resource: the function, qualified by the alias name
        ("alias->function", "awscc_lex_bot_alias.live", "aws_lambda_function.hook", "live"),
        # a literal function name, matched with the one function of that name in the scan
        ("permission->function", "aws_lambda_permission.lex", "aws_lambda_function.hook", "live"),
        ("permission->alias", "aws_lambda_permission.lex", "awscc_lex_bot_alias.live", ""),
        ("policy->role", "aws_iam_role_policy.inline", "aws_iam_role.bot", ""),
        ("policy->role", "aws_iam_policy.managed", "aws_iam_role.bot", ""),
        ("alias->log-group", "awscc_lex_bot_alias.live", "aws_cloudwatch_log_group.logs", ""),
        ("intent->kendra-index", "aws_lexv2models_intent.search", None, ""),
    }
    g = Graph(unit)
    (bot,) = unit.bots
    aliases, locales, intents = g.parts_of(bot)
    assert [a.address for a in aliases] == ["awscc_lex_bot_alias.live"]
    assert [(loc.address, loc.voice.text if loc.voice else None) for loc in locales] == \
        [("aws_lexv2models_bot_locale.en", "Joanna")]
    assert [i.address for i in intents] == ["aws_lexv2models_intent.search"]


@pytest.mark.parametrize(("text", "expected"), [
    ("order-hook", ("order-hook", "")),
    ("order-hook:live", ("order-hook", "live")),
    ("arn:aws:lambda:us-east-1:111122223333:function:order-hook", ("order-hook", "")),
    ("arn:aws:lambda:us-east-1:111122223333:function:order-hook:7", ("order-hook", "7")),
    ("111122223333:function:order-hook", ("order-hook", "")),  # a partial ARN, as Lambda accepts it
    ("arn:aws:s3:::bucket", (None, "")),
])
def test_function_names_and_qualifiers(text: str, expected: tuple[str | None, str]) -> None:
    name, qualifier = graph._split_function(text)
    assert (name, qualifier if name is not None else "") == expected


def test_a_function_with_a_generated_name_makes_a_literal_name_unknown(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A SAM function without FunctionName gets a generated name: a literal name could be it."""
    (unit,) = units_of(tmp_path, {"t.yaml": CFN}, monkeypatch)
    g = Graph(unit)
    ref = g.function_of(Value(("some-function",)))
    assert ref.known is False
    named = g.function_of(Value((Symbol("resource", "Hook.Arn", "Hook", "lambda_function", "Arn"),)))
    assert named.known and named.function is not None and named.function.address == "Hook"


ALIAS = Symbol("resource", "Live.Arn", "Live", "lex_bot_alias", "Arn")
BOT_ID = Symbol("resource", "Bot", "Bot", "lex_bot", "")
ALIAS_ID = Symbol("resource", "Live.Id", "Live", "lex_bot_alias", "Id")
ACCOUNT = Symbol("account", "AWS::AccountId")


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    # the same symbol: the same value
    (Value((ALIAS,)), Value((ALIAS,)), True),
    # a wildcard over a symbol
    (Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/*")),
     Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/", BOT_ID, "/", ALIAS_ID)), True),
    # another account, written out, for a symbol account: may be the same
    (Value(("arn:aws:lex:us-east-1:111122223333:bot-alias/*",)),
     Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/", BOT_ID, "/", ALIAS_ID)), True),
    # a bot ARN never matches an alias ARN
    (Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot/*")),
     Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/", BOT_ID, "/", ALIAS_ID)), False),
    # TSTALIASID is the test alias only: an alias resource's ID is never it
    (Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/", BOT_ID, "/TSTALIASID")),
     Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/", BOT_ID, "/", ALIAS_ID)), False),
    # literal text both sides
    (Value(("arn:aws:logs:us-east-1:111122223333:log-group:/lex/*",)),
     Value(("arn:aws:logs:us-east-1:111122223333:log-group:/lex/order",)), True),
    (Value(("arn:aws:logs:us-east-1:111122223333:log-group:/other/*",)),
     Value(("arn:aws:logs:us-east-1:111122223333:log-group:/lex/order",)), False),
])
def test_may_match(pattern: Value, value: Value, expected: bool) -> None:
    assert graph.may_match(pattern, value) is expected


def test_pinned_account_decides(tmp_path: Path) -> None:
    pattern = Value(("arn:aws:lex:us-east-1:111122223333:bot-alias/*",))
    value = Value(("arn:aws:lex:us-east-1:", ACCOUNT, ":bot-alias/B/A"))
    assert graph.may_match(pattern, value, {"account": "111122223333"}) is True
    assert graph.may_match(pattern, value, {"account": "444455556666"}) is False


# -- the rules ask the graph ------------------------------------------------------------------------------

# The rules whose findings rest on a reference between resources (E9521, E9522 and E9525 read a role ARN's
# own text, and fire without the graph).
GRAPH_RULES = {"E9524", "W9526", "E9531", "W9532", "W9563"}


def test_the_cross_resource_rules_depend_on_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the graph's answers taken away, the bad samples of the rules across resources lose their
    findings: the rules ask the graph and resolve nothing themselves (the issue's test of the old graph,
    which no rule queried)."""
    samples = sorted(p for p in SAMPLES.glob("*/*") if p.name.split("-")[0] in GRAPH_RULES)
    paths = [p / "bad.yaml" if (p / "bad.yaml").exists() else p / "bad" for p in samples]
    before = {f.rule_id for f in scan(paths, Options(root=SAMPLES)).findings} & GRAPH_RULES
    assert before == GRAPH_RULES
    monkeypatch.setattr(Graph, "bot_roles", lambda self: [])
    monkeypatch.setattr(Graph, "roles_of", lambda self, value: [])
    monkeypatch.setattr(Graph, "hooks", lambda self: [])
    monkeypatch.setattr(Graph, "parts_of", lambda self, bot: ([], [], []))
    after = {f.rule_id for f in scan(paths, Options(root=SAMPLES)).findings} & GRAPH_RULES
    assert after == set()
