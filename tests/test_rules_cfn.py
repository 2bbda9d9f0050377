"""Resource-policy and action rules on tricky CloudFormation shapes (through the real engine)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lexiam.engine import Options, scan


def findings(tmp_path: Path, text: str, name: str = "t.yaml", **opts) -> list[tuple[str, int, int]]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    result = scan([path], Options(root=tmp_path, **opts))
    return [(f.rule_id, f.line, f.column) for f in result.findings]


HEAD = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Unknown: {Type: String}
  Known: {Type: String, Default: lex:RecognizeTxt}
Conditions:
  C: !Equals [a, b]
Resources:
  Alias:
    Type: AWS::Lex::BotAlias
    Properties: {BotId: ABCDEFGHIJ, BotAliasName: live}
  P:
    Type: AWS::Lex::ResourcePolicy
    Properties:
      ResourceArn: !GetAtt Alias.Arn
      Policy:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/caller"}
            Resource: !GetAtt Alias.Arn
"""


def test_json_string_policy_inside_sub_block_maps_positions(tmp_path: Path) -> None:
    text = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Alias:
        Type: AWS::Lex::BotAlias
        Properties: {BotId: ABCDEFGHIJ, BotAliasName: live}
      Policy:
        Type: AWS::Lex::ResourcePolicy
        Properties:
          ResourceArn: !GetAtt Alias.Arn
          Policy: !Sub |
            {
              "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:role/caller"},
                "Action": ["lex:RecognizeText", "lex:CreateBot"],
                "Resource": "${Alias.Arn}"
              }]
            }
    """
    assert findings(tmp_path, text) == [("E9501", 15, 45)]


def test_json_string_policy_in_json_template_maps_escaped_positions(tmp_path: Path) -> None:
    text = (
        '{"Resources": {"P": {"Type": "AWS::Lex::ResourcePolicy", "Properties": {\n'
        '"ResourceArn": "arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/KLMNOPQRST",\n'
        '"Policy": "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"AWS\\": \\"111122223333\\"}, '
        '\\"Action\\": \\"lex:ListBots\\"}]}"}}}}\n')
    (tmp_path / "t.json").write_text(text)
    result = scan([tmp_path / "t.json"], Options(root=tmp_path))
    (f,) = result.findings
    line = text.splitlines()[2]
    assert (f.rule_id, f.line, f.column) == ("E9501", 3, line.index('\\"lex:ListBots') + 1)


def test_malformed_json_string_policy_is_e9508(tmp_path: Path) -> None:
    broken = "      Policy: '{\"Statement\": [}'\n      Unused:\n        Statement:"
    text = HEAD.replace("      Policy:\n        Statement:", broken)
    assert [r for r, _, _ in findings(tmp_path, text)] == ["E9508"]


def test_unknown_parameter_produces_no_finding(tmp_path: Path) -> None:
    text = HEAD + "            Action: !Ref Unknown\n"
    assert findings(tmp_path, text) == []


def test_parameter_default_is_checked(tmp_path: Path) -> None:
    text = HEAD.replace("Resource: !GetAtt Alias.Arn", "Resource: !GetAtt Alias.Arn\n            Action: !Ref Known")
    assert [r for r, _, _ in findings(tmp_path, text)] == ["E9540"]


def test_if_branches_are_both_candidates(tmp_path: Path) -> None:
    text = HEAD + "            Action: !If [C, lex:RecognizeText, lex:TagResource]\n"
    assert [r for r, _, _ in findings(tmp_path, text)] == ["E9501"]


def test_if_around_a_whole_statement(tmp_path: Path) -> None:
    text = HEAD + """            Action: lex:RecognizeText
          - !If
            - C
            - Effect: Allow
              Principal: "*"
              Action: lex:RecognizeText
              Resource: !GetAtt Alias.Arn
            - !Ref AWS::NoValue
"""
    assert [r for r, _, _ in findings(tmp_path, text)] == ["W9512"]


def test_imported_resource_arn_gives_no_resource_type_finding(tmp_path: Path) -> None:
    text = HEAD.replace("ResourceArn: !GetAtt Alias.Arn", "ResourceArn: !ImportValue alias-arn") + \
        "            Action: lex:UpdateBot\n"
    # the policy's resource type is unknown: UpdateBot may be right (bot) or wrong (alias)
    result = findings(tmp_path, text)
    assert "E9502" not in [r for r, _, _ in result]


def test_case_insensitive_condition_keys_and_actions(tmp_path: Path) -> None:
    text = HEAD.replace("{AWS: !Sub", "{Service: connect.amazonaws.com, AWS: !Sub") + """            Action: LEX:recognizetext
            Condition:
              StringEquals: {AWS:SourceAccount: !Ref AWS::AccountId}
              ArnLike: {AWS:SourceArn: !Sub "arn:aws:connect:${AWS::Region}:${AWS::AccountId}:instance/*"}
"""
    assert findings(tmp_path, text) == []


def test_service_principal_missing_one_condition(tmp_path: Path) -> None:
    text = HEAD.replace("{AWS: !Sub", "{Service: connect.amazonaws.com, AWS: !Sub") + """            Action: lex:RecognizeText
            Condition:
              StringEquals: {aws:SourceAccount: !Ref AWS::AccountId}
"""
    assert [r for r, _, _ in findings(tmp_path, text)] == ["E9506"]


def test_region_pin(tmp_path: Path) -> None:
    arn = "arn:aws:lex:eu-west-1:111122223333:bot-alias/ABCDEFGHIJ/KLMNOPQRST"
    text = HEAD.replace("ResourceArn: !GetAtt Alias.Arn", f"ResourceArn: {arn}")
    text = text.replace("Resource: !GetAtt Alias.Arn", f"Resource: {arn}")
    text += "            Action: lex:RecognizeText\n"
    assert findings(tmp_path, text) == []
    pinned = findings(tmp_path, text, region="us-east-1", account_id="111122223333")
    assert [r for r, _, _ in pinned] == ["E9504", "E9504"]


def test_sid_rules(tmp_path: Path) -> None:
    text = HEAD.replace("          - Effect: Allow\n", "          - Sid: bad sid!\n            Effect: Allow\n", 1)
    text += "            Action: lex:RecognizeText\n"
    text += """          - Sid: Dup
            Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: lex:RecognizeText
            Resource: !GetAtt Alias.Arn
          - Sid: Dup
            Effect: Deny
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: lex:RecognizeText
            Resource: !GetAtt Alias.Arn
"""
    assert sorted(r for r, _, _ in findings(tmp_path, text)) == ["E9508", "E9508"]


@pytest.mark.parametrize(("principal", "rule"), [
    ('{AWS: "arn:aws:iam::111122223333:group/devs"}', "E9505"),
    ('{Federated: cognito-identity.amazonaws.com}', "E9505"),
    ('{CanonicalUser: 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be}', "E9505"),
    ('{AWS: "not-an-arn"}', "E9505"),
    ('{AWS: "arn:aws:iam::111122223333:policy/p"}', "E9505"),
    ('{Service: "arn:aws:iam::111122223333:role/r"}', "E9505"),
    ('{AWS: "arn:aws:sts::111122223333:assumed-role/r/session"}', "W9513"),
    ('{AWS: "arn:aws:sts::111122223333:federated-user/bob"}', "W9513"),
    ('{AWS: "*"}', "W9512"),
    ('"*"', "W9512"),
])
def test_principals(tmp_path: Path, principal: str, rule: str) -> None:
    text = HEAD.replace('{AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/caller"}', principal)
    text += "            Action: lex:RecognizeText\n"
    assert [r for r, _, _ in findings(tmp_path, text)] == [rule], principal
    # a Deny is never reported for its principal
    denied = text.replace("Effect: Allow", "Effect: Deny")
    assert findings(tmp_path, denied) == []


@pytest.mark.parametrize("condition", [
    "StringEquals: {aws:PrincipalAccount: !Ref AWS::AccountId}",
    "StringEquals: {AWS:SourceAccount: '111122223333'}",
    "ForAnyValue:StringLike: {aws:PrincipalOrgPaths: ['o-a1b2c3d4e5/*']}",
    "StringEquals: {aws:PrincipalOrgID: !Ref Unknown}",
])
def test_public_principal_limited_to_the_account_or_organization(tmp_path: Path, condition: str) -> None:
    text = HEAD.replace('{AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/caller"}', '"*"')
    text += f"            Action: lex:RecognizeText\n            Condition:\n              {condition}\n"
    assert findings(tmp_path, text) == []


@pytest.mark.parametrize("condition", [
    "StringNotEquals: {aws:PrincipalAccount: '111122223333'}",  # negated: does not limit an Allow
    "StringEqualsIfExists: {aws:SourceAccount: '111122223333'}",  # absent key passes
    "IpAddress: {aws:SourceIp: 203.0.113.0/24}",
    "StringLike: {aws:PrincipalAccount: '*'}",
])
def test_public_principal_with_a_condition_that_does_not_limit_it(tmp_path: Path, condition: str) -> None:
    text = HEAD.replace('{AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/caller"}', '"*"')
    text += f"            Action: lex:RecognizeText\n            Condition:\n              {condition}\n"
    assert [r for r, _, _ in findings(tmp_path, text)] == ["W9512"]


def test_not_principal_is_fragile_whatever_the_effect(tmp_path: Path) -> None:
    text = HEAD.replace("Principal: {AWS:", "NotPrincipal: {AWS:") + "            Action: lex:RecognizeText\n"
    assert [r for r, _, _ in findings(tmp_path, text)] == ["W9513"]
    assert [r for r, _, _ in findings(tmp_path, text.replace("Effect: Allow", "Effect: Deny"))] == ["W9513"]


def test_wildcard_message_lists_rejected_actions(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(HEAD + "            Action: lex:List*\n").lstrip())
    (f,) = scan([path], Options(root=tmp_path)).findings
    assert f.rule_id == "W9509" and "ListBots" in f.message and "bot alias policy" in f.message


def test_v1_action_without_lex_v2_context_serves_lex_v1(tmp_path: Path) -> None:
    """No W9541 without Lex V2 around; the policy serves only Lex V1 (I9545, info)."""
    text = """
    Resources:
      R:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: lex:PostText, Resource: "*"}
    """
    assert findings(tmp_path, text) == [("I9545", 7, 37)]


def test_v1_action_beside_a_v2_action_is_flagged(tmp_path: Path) -> None:
    text = """
    Resources:
      R:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [lex:PostText, lex:RecognizeText]
                Resource: "*"
    """
    assert findings(tmp_path, text) == [("W9541", 8, 22)]


def test_findings_carry_the_path_of_the_value_inside_the_resource(tmp_path: Path) -> None:
    text = """
    Resources:
      Perm:
        Type: AWS::Lambda::Permission
        Properties:
          Action: lambda:InvokeFunction
          FunctionName: fn
          Principal: lexv2.amazonaws.com
    """
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    (f,) = scan([path], Options(root=tmp_path)).findings
    assert (f.rule_id, f.resource, f.path) == ("W9560", "Perm", ("Properties", "Principal"))
