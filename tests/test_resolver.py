"""The CloudFormation resolver: every intrinsic it knows, three-valued."""

from __future__ import annotations

import textwrap

import pytest

from lexiam.arns import IMPLIED
from lexiam.cloudformation.resolver import Resolver
from lexiam.positioned import load
from lexiam.values import ACCOUNT, REGION, RESOURCE, UNKNOWN, Choice, RList, Symbol, Value, candidates

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  NoDefault:
    Type: String
  Ids:
    Type: CommaDelimitedList
    Default: "a,b,c"
Mappings:
  Accounts:
    prod:
      Id: "111122223333"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: OrderBot
  Alias:
    Type: AWS::Lex::BotAlias
    Properties:
      BotId: !Ref Bot
  Role:
    Type: AWS::IAM::Role
    Properties:
      Path: /service/
  Managed:
    Type: AWS::IAM::ManagedPolicy
  Probe:
    Type: Test::Probe
    Properties:
{props}
"""


def resolve(expr: str) -> object:
    text = TEMPLATE.format(props=textwrap.indent("Value: " + expr, " " * 6))
    tree, _ = load(text, "t.yaml")
    resolver = Resolver(tree)
    return resolver.resolve(tree["Resources"]["Probe"]["Properties"]["Value"])


def render(expr: str) -> str:
    value = resolve(expr)
    assert isinstance(value, Value), value
    return value.render()


def test_plain_scalar_keeps_position() -> None:
    value = resolve("hello")
    assert isinstance(value, Value) and value.text == "hello"
    assert value.loc is not None and value.loc.line == 36 and value.loc.column == 14


def test_ref_parameter_with_default_is_known() -> None:
    assert render("!Ref Env") == "prod"


def test_ref_parameter_without_default_is_unknown() -> None:
    value = resolve("!Ref NoDefault")
    assert isinstance(value, Value) and value.is_unknown


def test_ref_pseudo_parameters_are_symbols() -> None:
    assert resolve("!Ref AWS::AccountId").parts == (Symbol(ACCOUNT, "AWS::AccountId"),)
    assert resolve("!Ref AWS::Region").parts == (Symbol(REGION, "AWS::Region"),)


def test_ref_novalue_drops_the_property() -> None:
    from lexiam.values import NOVALUE
    assert resolve("!Ref AWS::NoValue") is NOVALUE


def test_ref_resource_is_a_typed_symbol() -> None:
    (sym,) = resolve("!Ref Bot").parts
    assert sym.kind == RESOURCE and sym.address == "Bot" and sym.entity == "lex_bot"


def test_ref_managed_policy_is_its_arn() -> None:
    assert render("!Ref Managed") == "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${Managed.Name}"


def test_sub_string_form() -> None:
    value = resolve("!Sub 'arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot/${Bot}-${Env}-${!Literal}'")
    assert value.render() == "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot/${Bot}-prod-${Literal}"


def test_sub_list_form_with_variables() -> None:
    assert render("!Sub ['x-${Name}-${AWS::Region}', {Name: !Ref Env}]") == "x-prod-${AWS::Region}"


def test_sub_getatt_shorthand() -> None:
    assert render("!Sub '${Alias.Arn}'").endswith(":bot-alias/${Bot}/${Alias.Id}")


def test_join() -> None:
    assert render("!Join [':', [arn, !Ref AWS::Partition, lex]]") == "arn:${AWS::Partition}:lex"


def test_join_of_unknown_list_is_unknown() -> None:
    assert resolve("!Join [',', !Ref NoDefault]").is_unknown


def test_split_and_select() -> None:
    assert render("!Select [1, !Split [',', !Ref Ids]]") == "b"
    assert render("!Select [3, !Split ['/', 'arn:aws:iam::1:role/aws-service-role/lexv2.amazonaws.com/R']]") == "R"


def test_select_from_split_of_symbolic_arn_keeps_the_symbol() -> None:
    value = resolve("!Select [4, !Split [':', !GetAtt Alias.Arn]]")
    # the account a resource's own ARN implies (attr "implied": not written by the template)
    assert value.parts == (Symbol(ACCOUNT, "AWS::AccountId", attr=IMPLIED),)


def test_select_out_of_range_is_unknown() -> None:
    assert resolve("!Select [9, [a, b]]").is_unknown


def test_if_yields_both_branches() -> None:
    value = resolve("!If [IsProd, lex:RecognizeText, lex:PostText]")
    assert isinstance(value, Choice)
    assert sorted(v.text for v in candidates(value)) == ["lex:PostText", "lex:RecognizeText"]


def test_if_with_novalue_branch() -> None:
    value = resolve("!If [IsProd, lex:RecognizeText, !Ref AWS::NoValue]")
    assert [v.text for v in candidates(value)] == ["lex:RecognizeText"]


def test_find_in_map() -> None:
    assert render("!FindInMap [Accounts, !Ref Env, Id]") == "111122223333"


def test_find_in_map_with_deploy_time_key_is_unknown() -> None:
    assert resolve("!FindInMap [Accounts, !Ref AWS::Region, Id]").is_unknown


def test_getatt_bot_arn_is_a_bot_arn() -> None:
    assert render("!GetAtt Bot.Arn") == "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot/${Bot.Id}"


def test_getatt_alias_arn_is_a_bot_alias_arn() -> None:
    assert render("!GetAtt Alias.Arn") == \
        "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/${Alias.Id}"


def test_getatt_long_form_and_role_path() -> None:
    assert render("{'Fn::GetAtt': [Role, Arn]}") == "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/service/${Role.Name}"


def test_getatt_other_attribute_is_a_resource_symbol() -> None:
    (sym,) = resolve("!GetAtt Alias.BotAliasId").parts
    assert sym.kind == RESOURCE and sym.address == "Alias" and sym.attr == "BotAliasId"


def test_import_value_is_unknown() -> None:
    value = resolve("!ImportValue shared-bot-arn")
    assert value.is_unknown and value.parts[0].kind == UNKNOWN


@pytest.mark.parametrize("expr", ["!GetAZs ''", "!Base64 abc", "!Cidr [a, 1, 2]", "{'Fn::Unheard': x}"])
def test_anything_else_is_unknown(expr: str) -> None:
    value = resolve(expr)
    assert not isinstance(value, Value) or value.is_unknown or value.text is not None


def test_list_keeps_items_and_positions() -> None:
    value = resolve("[a, !Ref Env]")
    assert isinstance(value, RList) and [v.text for v in value] == ["a", "prod"]


def test_json_form_of_the_same_template() -> None:
    text = ('{"Resources": {"Bot": {"Type": "AWS::Lex::Bot"}, '
            '"P": {"Type": "X", "Properties": {"V": {"Fn::Sub": "${Bot.Arn}/x"}}}}}')
    tree, _ = load(text, "t.json")
    value = Resolver(tree).resolve(tree["Resources"]["P"]["Properties"]["V"])
    assert value.render().endswith(":bot/${Bot.Id}/x")
