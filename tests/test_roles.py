"""Service-linked role and bot role rules (E9520-E9527) and identity policies on tricky CloudFormation shapes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lexiam.engine import Options, scan
from lexiam.model import Finding
from tests.conftest import run_lexiam

ROLE_RULES = {"E9520", "E9521", "E9522", "E9523", "E9524", "E9525", "W9526", "E9527", "W9528", "W9530"}


def scan_text(tmp_path: Path, text: str, name: str = "t.yaml", **opts) -> list[Finding]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return scan([path], Options(root=tmp_path, **opts)).findings


def ids(findings: list[Finding], rules: set[str] | None = None) -> list[tuple[str, int]]:
    return [(f.rule_id, f.line) for f in findings if rules is None or f.rule_id in rules]


def bot(role_arn: str, name: str = "OrderBot") -> str:
    return f"""
      {name}:
        Type: AWS::Lex::Bot
        Properties:
          Name: {name}
          RoleArn: {role_arn}
          DataPrivacy: {{ChildDirected: false}}
          IdleSessionTTLInSeconds: 300
    """


SAM = "Transform: AWS::Serverless-2016-10-31\n"


def function(name: str, props: str) -> str:
    """An AWS::Serverless::Function with ``props`` (YAML at the level of its Properties) added."""
    extra = textwrap.indent(textwrap.dedent(props).strip("\n"), " " * 10)
    return f"""
      {name}:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          InlineCode: "x"
{extra}
    """


def template(*resources: str, head: str = "") -> str:
    body = "".join(textwrap.indent(textwrap.dedent(r).strip("\n"), "  ") + "\n" for r in resources)
    return f'AWSTemplateFormatVersion: "2010-09-09"\n{head}Resources:\n{body}'


def role(name: str, principal: str = "{Service: lexv2.amazonaws.com}", props: str = "") -> str:
    """An AWS::IAM::Role that lets ``principal`` assume it; ``props``: more properties, one a line."""
    extra = "".join(f"\n          {line}" for line in props.splitlines() if line.strip())
    return f"""
      {name}:
        Type: AWS::IAM::Role
        Properties:{extra}
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {principal}
                Action: sts:AssumeRole
    """


# -- E9522: the bot's role as a literal ARN, a Sub, a reference --------------------------------------------

def test_literal_v1_slr_arn_is_the_wrong_role(tmp_path: Path) -> None:
    text = template(bot("arn:aws:iam::123456789012:role/aws-service-role/lex.amazonaws.com/AWSServiceRoleForLexBots"))
    found = scan_text(tmp_path, text)
    assert ids(found, ROLE_RULES) == [("E9522", 7)]
    assert "Lex V1 bots service-linked role" in found[0].message


def test_channels_slr_by_sub_is_the_wrong_role(tmp_path: Path) -> None:
    arn = ("!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/channels.lexv2.amazonaws.com/"
           "AWSServiceRoleForLexV2Channels_web")
    assert ids(scan_text(tmp_path, template(bot(arn))), ROLE_RULES) == [("E9522", 7)]


def test_the_lexv2_bots_slr_by_reference_is_right(tmp_path: Path) -> None:
    slr = """
      BotSLR:
        Type: AWS::IAM::ServiceLinkedRole
        Properties: {AWSServiceName: lexv2.amazonaws.com, CustomSuffix: Orders}
    """
    arn = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/lexv2.amazonaws.com/${BotSLR}"
    assert ids(scan_text(tmp_path, template(slr, bot(arn)))) == []


def test_role_named_like_an_slr_with_a_custom_path_is_not_an_slr(tmp_path: Path) -> None:
    """A custom path: the role is an ordinary one (W9528 for its name), never E9521/E9522."""
    lookalike = role("Lookalike", props="RoleName: AWSServiceRoleForLexBots\nPath: /custom/")
    policy = """
      Extra:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: extra
          Roles: [AWSServiceRoleForLexBots]
          PolicyDocument:
            Statement: [{Effect: Allow, Action: polly:SynthesizeSpeech, Resource: "*"}]
    """
    arn = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/custom/AWSServiceRoleForLexBots"
    found = scan_text(tmp_path, template(lookalike, policy, bot(arn)))
    assert ids(found, ROLE_RULES) == [("W9528", 6)]


def test_logical_id_like_an_slr_is_nothing(tmp_path: Path) -> None:
    policy = """
      Logs:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: logs
          Roles: [!Ref LexServiceLinkedRole]
          PolicyDocument:
            Statement: [{Effect: Allow, Action: logs:PutLogEvents, Resource: "*"}]
    """
    assert ids(scan_text(tmp_path, template(role("LexServiceLinkedRole"), policy, bot("!GetAtt LexServiceLinkedRole.Arn")))) == []


@pytest.mark.parametrize("role_arn", ["!Ref RoleArn", "!ImportValue shared-bot-role", "!GetAtt Custom.RoleArn"])
def test_unresolved_role_is_never_a_finding(tmp_path: Path, role_arn: str) -> None:
    head = "Parameters:\n  RoleArn: {Type: String}\n"
    custom = """
      Custom:
        Type: Custom::BotRole
        Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:make-role}
    """
    assert ids(scan_text(tmp_path, template(custom, bot(role_arn), head=head))) == []


# -- E9524: the trust policy of a role followed through GetAtt / a name ------------------------------------

def test_getatt_of_a_role_trusting_lex_v1(tmp_path: Path) -> None:
    found = scan_text(tmp_path, template(role("BotRole", "{Service: [lex.amazonaws.com]}"), bot("!GetAtt BotRole.Arn")))
    assert ids(found) == [("E9524", 9)]
    assert "lex.amazonaws.com (the Lex V1 principal)" in found[0].message
    assert found[0].resource == "BotRole"


def test_trust_found_through_a_symbolic_role_name(tmp_path: Path) -> None:
    account = role("BotRole", '{AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}',
                   "RoleName: !Sub ${AWS::StackName}-bot")
    arn = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}-bot"
    assert ids(scan_text(tmp_path, template(account, bot(arn)))) == [("E9524", 10)]


@pytest.mark.parametrize("principal", ["{Service: !Ref TrustedService}", "{Service: !Sub 'lexv2.${AWS::URLSuffix}'}",
                                       "'*'", "{Service: [lambda.amazonaws.com, lexv2.amazonaws.com]}"])
def test_trust_that_cannot_be_faulted(tmp_path: Path, principal: str) -> None:
    head = "Parameters:\n  TrustedService: {Type: String}\n"
    found = scan_text(tmp_path, template(role("BotRole", principal), bot("!GetAtt BotRole.Arn"), head=head))
    assert ids(found, ROLE_RULES) == []


# -- E9523: cross-account and hard-coded accounts ----------------------------------------------------------

def test_hard_coded_account_alone_is_not_reported(tmp_path: Path) -> None:
    assert ids(scan_text(tmp_path, template(bot("arn:aws:iam::111122223333:role/bot")))) == []


def test_hard_coded_account_beside_the_deploying_account_is_w9530(tmp_path: Path) -> None:
    perm = """
      Invoke:
        Type: AWS::Lambda::Permission
        Properties:
          Action: lambda:InvokeFunction
          FunctionName: hook
          Principal: lexv2.amazonaws.com
          SourceAccount: !Ref AWS::AccountId
    """
    found = scan_text(tmp_path, template(bot("arn:aws:iam::111122223333:role/bot"), perm))
    assert [(f.rule_id, f.severity) for f in found] == [("W9530", "warning")]


def test_pinned_account_decides(tmp_path: Path) -> None:
    text = template(bot("arn:aws:iam::111122223333:role/bot"))
    other = scan_text(tmp_path, text, account_id="444455556666")
    assert [(f.rule_id, f.severity) for f in other] == [("E9523", "error")]
    assert "444455556666" in other[0].message
    assert scan_text(tmp_path, text, account_id="111122223333") == []


def test_cross_account_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(template(bot("arn:aws:iam::111122223333:role/bot")))
    run = run_lexiam("scan", "t.yaml", "--format", "json", "--account-id", "444455556666", cwd=tmp_path)
    assert run.code == 1
    assert [(f["rule_id"], f["line"], f["column"]) for f in run.json()["findings"]] == [("E9523", 7, 16)]


# -- E9520 / E9521 ----------------------------------------------------------------------------------------

def test_select_split_of_an_slr_arn_and_of_an_unknown(tmp_path: Path) -> None:
    pol = """
      Extra:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: extra
          Roles:
            - !Select [1, !Split ["/", "AWSServiceRoleForLexV2Bots/AWSServiceRoleForLexV2Bots_Orders"]]
            - !Select [2, !Split ["/", !GetAtt Cr.Outputs.LexServiceLinkedRole]]
          PolicyDocument:
            Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: "*"}]
      Cr:
        Type: AWS::Serverless::Application
        Properties: {Location: {ApplicationId: x, SemanticVersion: 1.0.0}}
    """
    assert ids(scan_text(tmp_path, template(pol))) == [("E9521", 8)]


def test_managed_policy_arns_of_a_handmade_slr_are_not_e9521(tmp_path: Path) -> None:
    fake = role("Fake", props="Path: !Sub /aws-service-role/${Service}/\n"
                              "ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonPollyReadOnlyAccess]")
    head = "Parameters:\n  Service: {Type: String}\n"
    assert ids(scan_text(tmp_path, template(fake, head=head))) == [("E9520", 8)]


# -- E9525 -------------------------------------------------------------------------------------------------

def test_slr_as_a_log_role_and_an_unrelated_role_property(tmp_path: Path) -> None:
    res = """
      Sub:
        Type: AWS::Logs::SubscriptionFilter
        Properties:
          LogGroupName: /lex/orders
          FilterPattern: ""
          DestinationArn: arn:aws:kinesis:us-east-1:123456789012:stream/x
          RoleArn: arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_Orders
      Custom:
        Type: Custom::Thing
        Properties:
          ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:f
          RoleArn: arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_Orders
    """
    found = scan_text(tmp_path, template(res))
    assert ids(found) == [("E9525", 9)]
    assert "log delivery role" in found[0].message


# -- W9526 -------------------------------------------------------------------------------------------------

def test_caller_policy_through_a_managed_policy_and_sam_names(tmp_path: Path) -> None:
    managed = """
      Admin:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Roles: [!Sub "${AWS::StackName}-bot"]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "iam:*", Resource: "*"}
              - {Effect: Allow, Action: iam:PassRole, Resource: !Sub "arn:aws:iam::${AWS::AccountId}:role/x"}
              - {Effect: Deny, Action: "lex:*", Resource: "*"}
    """
    bot_role = role("BotRole", props="RoleName: !Sub ${AWS::StackName}-bot")
    found = scan_text(tmp_path, template(bot_role, managed, bot("!GetAtt BotRole.Arn")))
    assert ids(found) == [("W9526", 18)]
    assert found[0].resource == "Admin"


def test_caller_policy_on_a_caller_role_is_fine(tmp_path: Path) -> None:
    fn = function("Caller", "Policies: [AmazonLexFullAccess, {DynamoDBCrudPolicy: {TableName: t}}]")
    assert ids(scan_text(tmp_path, template(fn, head=SAM))) == []


# -- E9527 -------------------------------------------------------------------------------------------------

def test_conditional_and_deploy_time_duplicates_are_not_reported(tmp_path: Path) -> None:
    head = 'Parameters:\n  Suffix: {Type: String}\nConditions:\n  C: !Equals [!Ref Suffix, "a"]\n'
    slrs = """
      A:
        Type: AWS::IAM::ServiceLinkedRole
        Properties: {AWSServiceName: lexv2.amazonaws.com, CustomSuffix: !Ref Suffix}
      B:
        Type: AWS::IAM::ServiceLinkedRole
        Properties: {AWSServiceName: lexv2.amazonaws.com, CustomSuffix: !Ref Suffix}
      C1:
        Type: AWS::IAM::ServiceLinkedRole
        Condition: C
        Properties: {AWSServiceName: lex.amazonaws.com}
      C2:
        Type: AWS::IAM::ServiceLinkedRole
        Properties: {AWSServiceName: lex.amazonaws.com}
      Other:
        Type: AWS::IAM::ServiceLinkedRole
        Properties: {AWSServiceName: flexmatch.gamelift.amazonaws.com}
    """
    assert ids(scan_text(tmp_path, template(slrs, head=head))) == []


@pytest.mark.parametrize(("service", "hint"), [("lex-v2.amazonaws.com", "lexv2.amazonaws.com"),
                                               ("LexV2.amazonaws.com", "lexv2.amazonaws.com"),
                                               ("channels.lex", "channels.lex.amazonaws.com")])
def test_misspelled_lex_service_names(tmp_path: Path, service: str, hint: str) -> None:
    slr = f"""
      S:
        Type: AWS::IAM::ServiceLinkedRole
        Properties: {{AWSServiceName: {service}}}
    """
    found = scan_text(tmp_path, template(slr))
    assert ids(found) == [("E9527", 5)]
    assert f"did you mean '{hint}'" in found[0].message


# -- identity policies of every kind and SAM functions (E9540, W9541, W9542) ------------------------------

def test_identity_policies_of_every_kind(tmp_path: Path) -> None:
    stmt = "{Effect: Allow, Action: lex:RecognizeTxt, Resource: '*'}"
    res = f"""
      U:
        Type: AWS::IAM::User
        Properties:
          Policies: [{{PolicyName: p, PolicyDocument: {{Statement: [{stmt}]}}}}]
      G:
        Type: AWS::IAM::Group
        Properties:
          Policies: [{{PolicyName: p, PolicyDocument: {{Statement: [{stmt}]}}}}]
      RP:
        Type: AWS::IAM::RolePolicy
        Properties: {{RoleName: r, PolicyName: p, PolicyDocument: {{Statement: [{stmt}]}}}}
      UP:
        Type: AWS::IAM::UserPolicy
        Properties: {{UserName: u, PolicyName: p, PolicyDocument: {{Statement: [{stmt}]}}}}
      GP:
        Type: AWS::IAM::GroupPolicy
        Properties: {{GroupName: g, PolicyName: p, PolicyDocument: {{Statement: [{stmt}]}}}}
      MP:
        Type: AWS::IAM::ManagedPolicy
        Properties: {{Users: [u], PolicyDocument: {{Statement: [{stmt}]}}}}
    """
    found = scan_text(tmp_path, template(res))
    assert sorted(f.resource for f in found if f.rule_id == "E9540") == ["G", "GP", "MP", "RP", "U", "UP"]


def test_sam_function_policies_are_analysed_like_a_role(tmp_path: Path) -> None:
    fn = function("Fn", """
          Policies:
            - AWSLambdaBasicExecutionRole
            - DynamoDBCrudPolicy: {TableName: orders}
            - Statement:
                - Effect: Allow
                  Action: [lex:RecognizeTxt, lex:PostText]
                  Resource: !Sub arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/ABCDEFGHIJ/TSTALIASID
                - Effect: Allow
                  Action: lex:RecognizeText
                  Resource: !Sub arn:aws:lex:${AWS::Region}:${AWS::AccountId}:bot/ABCDEFGHIJ
    """)
    single = function("Single", """
          Policies:
            Statement: [{Effect: Allow, Action: lexv2:ListBots, Resource: "*"}]
    """)
    found = scan_text(tmp_path, template(fn, single, head=SAM))
    assert ids(found) == [("E9540", 15), ("W9541", 15), ("W9542", 18), ("E9540", 27)]


def test_sam_function_with_role_ignores_policies(tmp_path: Path) -> None:
    fn = function("Fn", """
          Role: arn:aws:iam::123456789012:role/fn
          Policies:
            - Statement: [{Effect: Allow, Action: lex:RecognizeTxt, Resource: "*"}]
    """)
    assert ids(scan_text(tmp_path, template(fn, head=SAM))) == []
