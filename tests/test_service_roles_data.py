"""rules/data/service_roles: the Lex service-linked role, principal and caller-policy data and its API."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from lexiam.rules.data.service_roles import DATA_FILE, service_roles


def test_the_data_file_is_package_data() -> None:
    doc = json.loads(resources.files("lexiam.rules.data").joinpath(DATA_FILE).read_text(encoding="utf-8"))
    assert {r["service"] for r in doc["service_linked_roles"]} == {
        "lexv2.amazonaws.com", "channels.lexv2.amazonaws.com", "replication.lexv2.amazonaws.com",
        "lex.amazonaws.com", "channels.lex.amazonaws.com"}


def test_roles_paths_and_principals() -> None:
    data = service_roles()
    bots = data.by_service("lexv2.amazonaws.com")
    assert bots is not None and bots is data.bot_role
    assert (bots.role_name, bots.path, bots.lex_version) == (
        "AWSServiceRoleForLexV2Bots", "/aws-service-role/lexv2.amazonaws.com/", "v2")
    assert data.by_service("channels.lexv2.amazonaws.com").role_name == "AWSServiceRoleForLexV2Channels"
    assert data.by_service("replication.lexv2.amazonaws.com").role_name == "AWSServiceRoleForLexV2Replication"
    assert data.by_service("lex.amazonaws.com").role_name == "AWSServiceRoleForLexBots"
    assert data.by_service("channels.lex.amazonaws.com").role_name == "AWSServiceRoleForLexChannels"
    assert data.by_service("connect.amazonaws.com") is None
    assert (data.v2_principal, data.v1_principal) == ("lexv2.amazonaws.com", "lex.amazonaws.com")


def test_custom_suffixes() -> None:
    data = service_roles()
    assert [r.service for r in data.linked_roles if r.custom_suffix] == [
        "lexv2.amazonaws.com", "channels.lexv2.amazonaws.com"]
    assert data.bot_role.name_with("Orders") == "AWSServiceRoleForLexV2Bots_Orders"
    assert data.bot_role.name_with(None) == "AWSServiceRoleForLexV2Bots"
    for ok in ("Orders", "a", "x" * 64, "a+b=c,d.e@f_g-h"):
        assert data.suffix_ok(ok), ok
    for bad in ("", "x" * 65, "order bot", "bot!", "naïve", "a/b"):
        assert not data.suffix_ok(bad), bad


@pytest.mark.parametrize(("name", "service"), [
    ("AWSServiceRoleForLexV2Bots", "lexv2.amazonaws.com"),
    ("AWSServiceRoleForLexV2Bots_OrderBot", "lexv2.amazonaws.com"),
    ("awsservicerolefor lexv2bots", None),
    ("awsserviceroleforlexv2bots_x", "lexv2.amazonaws.com"),
    ("AWSServiceRoleForLexV2Channels_web", "channels.lexv2.amazonaws.com"),
    ("AWSServiceRoleForLexV2Replication", "replication.lexv2.amazonaws.com"),
    ("AWSServiceRoleForLexV2Replication_x", None),
    ("AWSServiceRoleForLexBots", "lex.amazonaws.com"),
    ("AWSServiceRoleForLexBots_x", None),
    ("AWSServiceRoleForLexChannels", "channels.lex.amazonaws.com"),
    ("AWSServiceRoleForLexV2Bots_bad suffix", None),
    ("LexServiceLinkedRole", None),
])
def test_role_names(name: str, service: str | None) -> None:
    role = service_roles().by_role_name(name)
    assert (role.service if role else None) == service


def test_name_prefixes_and_reserved_names() -> None:
    data = service_roles()
    assert data.by_name_prefix("AWSServiceRoleForLexV2Bots_").service == "lexv2.amazonaws.com"
    assert data.by_name_prefix("AWSServiceRoleForLexV2Bots") is None
    assert data.by_name_prefix("AWSServiceRoleForLexBots_") is None
    assert data.is_reserved_name("AWSServiceRoleForLexV2Bots_x") and data.is_reserved_name("awsserviceroleforlexfoo")
    assert not data.is_reserved_name("MyAWSServiceRoleForLex")
    assert data.is_service_role_path("/aws-service-role/lexv2.amazonaws.com/")
    assert not data.is_service_role_path("/service-role/")


@pytest.mark.parametrize(("service", "lex", "hint"), [
    ("lexv2", True, "lexv2.amazonaws.com"),
    ("lex-v2.amazonaws.com", True, "lexv2.amazonaws.com"),
    ("Lex.amazonaws.com", True, "lex.amazonaws.com"),
    ("channels.lexv2", True, "channels.lexv2.amazonaws.com"),
    ("flexmatch.gamelift.amazonaws.com", False, None),
    ("alexa-appkit.amazon.com", False, None),
])
def test_lex_service_names(service: str, lex: bool, hint: str | None) -> None:
    data = service_roles()
    assert data.looks_like_lex_service(service) is lex
    if lex:
        assert data.suggest_service(service) == hint


@pytest.mark.parametrize(("text", "name"), [
    ("AmazonLexFullAccess", "AmazonLexFullAccess"),
    ("arn:aws:iam::aws:policy/AmazonLexRunBotsOnly", "AmazonLexRunBotsOnly"),
    ("arn:aws-cn:iam::aws:policy/AmazonLexReadOnly", "AmazonLexReadOnly"),
    ("arn:aws:iam::123456789012:policy/AmazonLexFullAccess", None),  # a customer policy of that name
    ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", None),
    ("AmazonPollyReadOnlyAccess", None),
])
def test_caller_policies(text: str, name: str | None) -> None:
    assert service_roles().caller_policy(text) == name
