"""The rules across resources (W9563, E9531, W9532, W9533) on tricky shapes: what they catch, and that a
fact they cannot know never makes a finding."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lexiam.rules.data.managed_policies import managed_policies
from tests.test_roles import ids, scan_text

RULES = {"W9563", "E9531", "W9532", "W9533"}


def cfn(resources: str, head: str = "") -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\n' + head + "Resources:\n" + textwrap.indent(
        textwrap.dedent(resources).strip("\n"), "  ") + "\n"


def found(tmp_path: Path, text: str, name: str = "t.yaml", rules: set[str] = RULES, **opts) -> list[tuple[str, int]]:
    return ids(scan_text(tmp_path, text, name, **opts), rules)


# -- W9563 ----------------------------------------------------------------------------------------------

HOOKED = """
Hook:
  Type: AWS::Lambda::Function
  Properties:
    {Handler: index.handler, Runtime: python3.12, Role: !Sub "arn:aws:iam::${AWS::AccountId}:role/fn", Code: {ZipFile: x}}
Bot:
  Type: AWS::Lex::Bot
  Properties:
    Name: OrderBot
    RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/bot
    DataPrivacy: {ChildDirected: false}
    IdleSessionTTLInSeconds: 300
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
            LambdaCodeHook: {CodeHookInterfaceVersion: "1.0", LambdaArn: HOOK_ARN}
"""
HOOK_LINE = 24


def permission(function: str = "!Ref Hook", principal: str = "lexv2.amazonaws.com", source_arn: str | None = None,
               name: str = "Invoke") -> str:
    extra = f"\n    SourceArn: {source_arn}" if source_arn else ""
    return f"""
{name}:
  Type: AWS::Lambda::Permission
  Properties:
    Action: lambda:InvokeFunction
    FunctionName: {function}
    Principal: {principal}{extra}
"""


def hooked(*permissions: str, hook: str = "!GetAtt Hook.Arn", head: str = "") -> str:
    return cfn(HOOKED.replace("HOOK_ARN", hook) + "".join(permissions), head)


@pytest.mark.parametrize("perm", [
    permission(),  # no SourceArn: any alias
    permission(source_arn="!GetAtt Live.Arn"),
    permission(source_arn='!Sub "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/*"'),
    permission(function="!GetAtt Hook.Arn", principal='"*"'),
    permission(principal="!Ref Principal"),  # an unknown principal could be lexv2.amazonaws.com
    permission(function="!Ref FunctionName"),  # a permission on an unknown function could be on this one
    permission(source_arn="!Ref SourceArn"),  # an unknown SourceArn could be the alias
])
def test_covered_or_unknowable(tmp_path: Path, perm: str) -> None:
    head = "Parameters:\n  Principal: {Type: String}\n  FunctionName: {Type: String}\n  SourceArn: {Type: String}\n"
    assert found(tmp_path, hooked(perm, head=head)) == []


@pytest.mark.parametrize("perm", [
    "",  # no permission at all
    permission(principal="lex.amazonaws.com"),  # Lex V1's principal
    permission(principal="lambda.amazonaws.com"),
    permission(source_arn='!Sub "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/TSTALIASID"'),
    permission(function='!Sub "${Hook}:live"'),  # a qualified function: the hook calls the unqualified one
])
def test_not_covered(tmp_path: Path, perm: str) -> None:
    assert ("W9563", HOOK_LINE) in found(tmp_path, hooked(perm), rules={"W9563"})


def test_a_function_outside_the_scan_is_not_judged(tmp_path: Path) -> None:
    hook = '!Sub "arn:aws:lambda:us-east-1:${AWS::AccountId}:function:elsewhere"'
    assert found(tmp_path, hooked(hook=hook)) == []
    head = "Parameters:\n  HookArn: {Type: String}\n"
    assert found(tmp_path, hooked(hook="!Ref HookArn", head=head)) == []


def test_a_hook_named_by_its_literal_name_is_matched(tmp_path: Path) -> None:
    text = hooked(hook="arn:aws:lambda:us-east-1:111122223333:function:order-hook").replace(
        "{Handler:", "{FunctionName: order-hook, Handler:")
    assert "FunctionName: order-hook" in text
    assert found(tmp_path, text) == [("W9563", HOOK_LINE)]
    assert found(tmp_path, text + textwrap.indent(permission(function="order-hook").strip("\n"), "  ") + "\n") == []


def test_a_conditional_function_or_permission_is_not_judged(tmp_path: Path) -> None:
    head = 'Conditions:\n  Prod: !Equals [!Ref "AWS::Region", us-east-1]\n'
    fn = "Hook:\n    Type: AWS::Lambda::Function"
    assert [r for r, _ in found(tmp_path, hooked(head=head))] == ["W9563"]
    text = hooked(head=head).replace(fn, fn + "\n    Condition: Prod")
    assert "Condition: Prod" in text
    assert found(tmp_path, text) == []


# -- W9532 ----------------------------------------------------------------------------------------------

def voice_bot(policies: str = "", managed: str = "", extra: str = "") -> str:
    role = """
BotRole:
  Type: AWS::IAM::Role
  Properties:
    AssumeRolePolicyDocument:
      Statement: [{Effect: Allow, Principal: {Service: lexv2.amazonaws.com}, Action: sts:AssumeRole}]
"""
    if policies:
        role += "    Policies:\n      - PolicyName: p\n        PolicyDocument:\n          Statement:\n" + textwrap.indent(
            textwrap.dedent(policies).strip("\n"), " " * 12) + "\n"
    if managed:
        role += f"    ManagedPolicyArns: [{managed}]\n"
    return cfn(role + """
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
        VoiceSettings: {VoiceId: Joanna}
""" + extra, head="Parameters:\n  Shared: {Type: String}\n")


def w9532(tmp_path: Path, text: str) -> list[tuple[str, int]]:
    return [f for f in found(tmp_path, text, rules={"W9532"})]


@pytest.mark.parametrize("policies", [
    "- {Effect: Allow, Action: polly:*, Resource: '*'}",
    "- {Effect: Allow, Action: 'polly:Synth*', Resource: '*'}",
    "- {Effect: Allow, Action: '*', Resource: '*'}",
    "- {Effect: Allow, NotAction: 'iam:*', Resource: '*'}",  # NotAction of another service allows polly
    "- {Effect: Allow, Action: polly:SynthesizeSpeech, Resource: 'arn:aws:polly:*:*:lexicon/*'}",  # lexicons
])
def test_w9532_allowed(tmp_path: Path, policies: str) -> None:
    assert w9532(tmp_path, voice_bot(policies)) == []


@pytest.mark.parametrize("policies", [
    "- {Effect: Allow, Action: polly:DescribeVoices, Resource: '*'}",
    "- {Effect: Allow, NotAction: 'polly:*', Resource: '*'}",
    "- {Effect: Allow, Action: polly:*, Resource: '*'}\n- {Effect: Deny, Action: polly:SynthesizeSpeech, Resource: '*'}",
    "- {Effect: Allow, Action: polly:*, NotResource: '*'}",
])
def test_w9532_missing(tmp_path: Path, policies: str) -> None:
    assert [rule for rule, _ in w9532(tmp_path, voice_bot(policies))] == ["W9532"]


def test_w9532_a_role_without_policies_misses_the_voice(tmp_path: Path) -> None:
    assert [rule for rule, _ in w9532(tmp_path, voice_bot())] == ["W9532"]


@pytest.mark.parametrize(("managed", "expected"), [
    ("arn:aws:iam::aws:policy/AmazonPollyReadOnlyAccess", []),  # its documented content allows the voice
    ("!Sub arn:${AWS::Partition}:iam::aws:policy/AmazonPollyReadOnlyAccess", []),
    ("arn:aws:iam::aws:policy/AmazonLexReadOnly", ["W9532"]),  # documented: no Polly
    ("arn:aws:iam::aws:policy/PowerUserAccess", []),  # not known to lexiam: not judged
    ("!Ref Shared", []),  # a parameter: not known
    ("!ImportValue shared-policy", []),
])
def test_w9532_managed_policies(tmp_path: Path, managed: str, expected: list[str]) -> None:
    assert [rule for rule, _ in w9532(tmp_path, voice_bot(managed=managed))] == expected


def test_w9532_a_policy_that_cannot_be_read_silences_it(tmp_path: Path) -> None:
    extra = """
Other:
  Type: AWS::IAM::Policy
  Properties:
    PolicyName: other
    Roles: [!Ref BotRole]
    PolicyDocument: !Ref Shared
"""
    assert w9532(tmp_path, voice_bot(extra=extra)) == []


def test_w9532_a_conditional_role_is_not_judged(tmp_path: Path) -> None:
    text = voice_bot().replace("BotRole:\n    Type: AWS::IAM::Role", "BotRole:\n    Type: AWS::IAM::Role\n    Condition: C")
    assert "Condition: C" in text
    text = text.replace("Resources:", 'Conditions:\n  C: !Equals [!Ref Shared, "x"]\nResources:')
    assert w9532(tmp_path, text) == []


def test_w9532_a_bucket_policy_that_grants_the_role_counts(tmp_path: Path) -> None:
    alias = """
Audio:
  Type: AWS::S3::Bucket
AudioPolicy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref Audio
    PolicyDocument:
      Statement:
        - {Effect: Allow, Principal: {AWS: !GetAtt BotRole.Arn}, Action: s3:PutObject, Resource: !Sub "${Audio.Arn}/*"}
Live:
  Type: AWS::Lex::BotAlias
  Properties:
    BotId: !Ref Bot
    BotAliasName: live
    ConversationLogSettings:
      AudioLogSettings:
        - Enabled: true
          Destination: {S3Bucket: {S3BucketArn: !GetAtt Audio.Arn, LogPrefix: x}}
"""
    policies = "- {Effect: Allow, Action: polly:*, Resource: '*'}"
    assert w9532(tmp_path, voice_bot(policies, extra=alias)) == []
    without = alias.replace("Principal: {AWS: !GetAtt BotRole.Arn}", "Principal: {Service: logging.s3.amazonaws.com}")
    assert [rule for rule, _ in w9532(tmp_path, voice_bot(policies, extra=without))] == ["W9532"]


def test_w9532_terraform_unknown_count_is_not_judged(tmp_path: Path) -> None:
    text = """
    variable "voice" { type = bool }

    resource "aws_iam_role" "bot" {
      count              = var.voice ? 1 : 0
      name               = "bot"
      assume_role_policy = jsonencode({ Statement = [{
        Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
    }

    resource "awscc_lex_bot" "order" {
      name                        = "OrderBot"
      role_arn                    = aws_iam_role.bot[0].arn
      idle_session_ttl_in_seconds = 300
      data_privacy                = { child_directed = false }
      bot_locales = [{
        locale_id                = "en_US"
        nlu_confidence_threshold = 0.4
        voice_settings           = { voice_id = "Joanna" }
      }]
    }
    """
    (tmp_path / "m").mkdir()
    assert found(tmp_path / "m", text, "main.tf", rules={"W9532"}) == []
    known = text.replace("count              = var.voice ? 1 : 0\n", "")
    (tmp_path / "n").mkdir()
    assert [r for r, _ in found(tmp_path / "n", known.replace("aws_iam_role.bot[0]", "aws_iam_role.bot"), "main.tf",
                                rules={"W9532"})] == ["W9532"]


# -- E9531 ----------------------------------------------------------------------------------------------

def kendra_bot(role_arn: str, kendra: bool = True) -> str:
    intent = ("          - Name: Search\n            ParentIntentSignature: AMAZON.KendraSearchIntent\n"
              "            KendraConfiguration: {KendraIndex: !Ref Index}\n") if kendra else ""
    return cfn(f"""
Bot:
  Type: AWS::Lex::Bot
  Properties:
    Name: FaqBot
    RoleArn: {role_arn}
    DataPrivacy: {{ChildDirected: false}}
    IdleSessionTTLInSeconds: 300
    BotLocales:
      - LocaleId: en_US
        NluConfidenceThreshold: 0.4
        Intents:
{intent}          - Name: FallbackIntent
            ParentIntentSignature: AMAZON.FallbackIntent
""", head="Parameters:\n  Index: {Type: String}\n  Role: {Type: String}\n")


SLR = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_Faq"


@pytest.mark.parametrize(("role", "kendra", "expected"), [
    (SLR, True, ["E9531"]),
    (SLR, False, []),
    ("!Ref Role", True, []),  # unknown role
    ("!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/faq-bot", True, []),
    # another service's service-linked role is E9522's, not this rule's
    ("!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/channels.lexv2.amazonaws.com/"
     "AWSServiceRoleForLexV2Channels", True, []),
])
def test_e9531(tmp_path: Path, role: str, kendra: bool, expected: list[str]) -> None:
    assert [r for r, _ in found(tmp_path, kendra_bot(role, kendra), rules={"E9531"})] == expected


# -- W9533 ----------------------------------------------------------------------------------------------

def create_slr(resource: str, condition: str) -> str:
    return cfn(f"""
Deploy:
  Type: AWS::IAM::ManagedPolicy
  Properties:
    PolicyDocument:
      Statement:
        - Effect: Allow
          Action: iam:CreateServiceLinkedRole
          Resource: {resource}
          Condition: {condition}
""")


REPLICATION = "arn:aws:iam::*:role/aws-service-role/replication.lexv2.amazonaws.com/AWSServiceRoleForLexV2Replication*"
BOTS = "arn:aws:iam::*:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots*"


@pytest.mark.parametrize(("resource", "condition", "expected"), [
    (REPLICATION, "{StringEquals: {iam:AWSServiceName: lexv2.amazonaws.com}}", ["W9533"]),
    (BOTS, "{StringEquals: {iam:AWSServiceName: replication.lexv2.amazonaws.com}}", ["W9533"]),
    (BOTS, "{StringEquals: {IAM:AWSServiceName: channels.lexv2.amazonaws.com}}", ["W9533"]),  # keys: any case
    (REPLICATION, "{StringEquals: {iam:AWSServiceName: replication.lexv2.amazonaws.com}}", []),
    (REPLICATION, "{StringLike: {iam:AWSServiceName: '*.lexv2.amazonaws.com'}}", []),
    (BOTS, "{StringEquals: {iam:AWSServiceName: [lexv2.amazonaws.com, replication.lexv2.amazonaws.com]}}", []),
    (BOTS, "{StringNotEquals: {iam:AWSServiceName: replication.lexv2.amazonaws.com}}", []),  # another operator
    (BOTS, "{StringEquals: {iam:AWSServiceName: !Ref AWS::NoValue}}", []),
    ("arn:aws:iam::*:role/aws-service-role/*", "{StringEquals: {iam:AWSServiceName: lexv2.amazonaws.com}}", []),
    (BOTS, "{StringEquals: {iam:AWSServiceName: elasticbeanstalk.amazonaws.com}}", []),  # not a Lex service
])
def test_w9533(tmp_path: Path, resource: str, condition: str, expected: list[str]) -> None:
    assert [r for r, _ in found(tmp_path, create_slr(resource, condition), rules={"W9533"})] == expected


# -- the managed policy data ------------------------------------------------------------------------------

def test_managed_policy_data_has_a_source_and_only_its_services() -> None:
    raw = json.loads((Path(__file__).resolve().parent.parent / "rules" / "data" / "managed_policies.json").read_text())
    services = set(raw["services"])
    names = set()
    for policy in raw["policies"]:
        names.add(policy["name"])
        src = policy["source"]
        assert src["title"] and src["section"] and src["url"].startswith("https://docs.aws.amazon.com/"), policy["name"]
        for st in policy["statements"]:
            assert st["Effect"] in ("Allow", "Deny")
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            assert all(a.split(":", 1)[0] in services for a in actions), policy["name"]
    assert {"AmazonLexFullAccess", "AmazonLexRunBotsOnly", "AmazonLexReadOnly"} <= names
    data = managed_policies()
    assert data.of("arn:aws:iam::aws:policy/AmazonLexFullAccess") is not None
    assert data.of("arn:aws-us-gov:iam::aws:policy/AmazonLexFullAccess") is not None
    assert data.of("arn:aws:iam::111122223333:policy/AmazonLexFullAccess") is None  # a customer policy
    assert data.of("arn:aws:iam::aws:policy/PowerUserAccess") is None
