"""Lambda permissions for Lex (W9560, E9561, W9562) on tricky CloudFormation shapes."""

from __future__ import annotations

import pytest

from tests.test_roles import bot, ids, scan_text, template

INVOKE_RULES = {"W9560", "E9561", "W9562"}
HEAD = "Parameters:\n  BotName: {Type: String, Default: MeetyBot}\n  BotId: {Type: String}\n"


def permission(principal: str = "lexv2.amazonaws.com", source_arn: str | None = None,
               source_account: str | None = None) -> str:
    lines = ["  Invoke:", "    Type: AWS::Lambda::Permission", "    Properties:",
             "      Action: lambda:InvokeFunction", "      FunctionName: hook", f"      Principal: {principal}"]
    if source_arn is not None:
        lines.append(f"      SourceArn: {source_arn}")
    if source_account is not None:
        lines.append(f"      SourceAccount: {source_account}")
    return "\n".join(lines) + "\n"


def check(tmp_path, perm: str, *extra: str) -> list[tuple[str, int]]:
    text = template(bot("!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/bot", "MeetyBot"), *extra, head=HEAD)
    return ids(scan_text(tmp_path, text + perm), INVOKE_RULES)


# The permission's Principal is on line 18 of these templates, its SourceArn on line 19.
ARN = "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}"


@pytest.mark.parametrize("source_arn", [
    "!GetAtt MeetyBot.Arn",  # a bot ARN
    f"!Sub {ARN}:bot/${{MeetyBot}}/*",  # bot/ID/*
    "!Sub ${MeetyBot.Arn}-alias/*",  # ${bot_arn}-alias/*
    f"!Sub {ARN}:bot-alias/${{BotName}}/*",  # the bot's Name (a parameter with a default) where its ID belongs
    f"!Sub {ARN}:bot-alias/${{MeetyBot}}/live",  # an alias name where the alias ID belongs
    f"!Sub {ARN}:bot-alias/${{MeetyBot}}",  # no alias at all
    "arn:aws:lex:us-east-1:<account-id>:bot-alias/DQPPTSKBG3/TSTALIASID",  # a placeholder
    "arn:aws:lex:us-east-1:ACCOUNT_ID:bot-alias/DQPPTSKBG3/*",  # not an account ID
    "arn:aws:lex:us-east-1:123456789012:bot:MeetyBot:live",  # a Lex V1 ARN
    "!Sub arn:${AWS::Partition}:connect:${AWS::Region}:${AWS::AccountId}:instance/*",  # another service
])
def test_source_arns_that_never_match(tmp_path, source_arn: str) -> None:
    assert check(tmp_path, permission(source_arn=source_arn)) == [("W9562", 19)]


@pytest.mark.parametrize("source_arn", [
    f"!Sub {ARN}:bot-alias/${{MeetyBot}}/TSTALIASID",  # !Ref of a bot is its ID: the test alias ARN
    f"!Sub {ARN}:bot-alias/*/*",
    f"!Sub {ARN}:bot-alias/*",
    f"!Sub {ARN}:bot-alias/${{BotId}}/*",  # a parameter without a default: unknown
    f"!Sub {ARN}:*",
    "arn:aws:lex:us-east-1:123456789012:bot-alias/DQPPTSKBG3/TSTALIASID",
    "!ImportValue bot-alias-arn",
    "!GetAtt Alias.Arn",
])
def test_source_arns_that_match(tmp_path, source_arn: str) -> None:
    alias = """
      Alias:
        Type: AWS::Lex::BotAlias
        Properties: {BotId: !Ref MeetyBot, BotAliasName: live}
    """
    assert check(tmp_path, permission(source_arn=source_arn, source_account="!Ref AWS::AccountId"), alias) == []


def test_unscoped_permission(tmp_path) -> None:
    assert check(tmp_path, permission()) == [("W9560", 18)]
    assert check(tmp_path, permission(source_account="!Ref AWS::AccountId")) == []
    assert check(tmp_path, permission(principal="!Ref BotId")) == []


def test_v1_principal(tmp_path) -> None:
    assert check(tmp_path, permission("lex.amazonaws.com", source_arn="!GetAtt MeetyBot.Arn")) == [("E9561", 18)]
    assert check(tmp_path, permission("lex.amazonaws.com", source_account="!Ref AWS::AccountId")) == [("E9561", 18)]
    v1_arn = "arn:aws:lex:us-east-1:123456789012:bot:MeetyBot:*"
    assert check(tmp_path, permission("lex.amazonaws.com", source_arn=v1_arn)) == []
    assert check(tmp_path, permission("lex.amazonaws.com", source_arn="!Ref BotId")) == []


def test_v1_principal_without_v2_bots_serves_lex_v1_only(tmp_path) -> None:
    """No E9561 without Lex V2 bots; but the permission is unscoped (W9560) and serves only Lex V1 (I9545)."""
    text = template(head=HEAD) + permission("lex.amazonaws.com")
    assert ids(scan_text(tmp_path, text)) == [("I9545", 11), ("W9560", 11)]
