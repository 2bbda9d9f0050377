"""Every Terraform resource type the front end knows becomes its neutral entity."""

from __future__ import annotations

from lexiam import model
from lexiam.values import RESOURCE
from tests.terraform.conftest import FIXTURES, at, entity, load, only_unit, texts, where

FOLDER = FIXTURES / "entities"
MAIN = FOLDER / "main.tf"


def _unit() -> model.Unit:
    return only_unit(load(FOLDER))


def test_every_resource_has_its_type_recorded() -> None:
    unit = _unit()
    assert unit.resource_types["aws_s3_bucket.unrelated"] == "aws_s3_bucket"  # unknown types: recorded, not extracted
    assert "aws_s3_bucket.unrelated" not in {e.address for e in unit.entities()}
    assert len(unit.resource_types) == 15


def test_lex_bots_and_aliases() -> None:
    unit = _unit()
    bot = entity(unit, "awscc_lex_bot.cc")
    assert isinstance(bot, model.LexBot) and bot.name.text == "CcBot"
    assert "role/aws-service-role/lexv2.amazonaws.com/" in bot.role_arn.render()  # the role's path is in its ARN
    test_alias = entity(unit, "awscc_lex_bot.cc.TestBotAlias")
    assert isinstance(test_alias, model.LexBotAlias)
    assert test_alias.lambda_arns[0].symbols[-1].address == "aws_lambda_function.hook"
    alias = entity(unit, "awscc_lex_bot_alias.live")
    assert isinstance(alias, model.LexBotAlias) and alias.name.text == "live"
    sym = alias.bot_id.symbols[0]
    assert (sym.kind, sym.address, sym.entity, sym.attr) == (RESOURCE, "awscc_lex_bot.cc", model.LEX_BOT, "id")
    (hook,) = alias.lambda_arns
    assert "role/aws-service-role/lexv2.amazonaws.com/" in hook.render()
    assert at(hook) == ("main.tf", *where(MAIN, "aws_iam_service_linked_role.lex.arn"))


def test_roles_policies_and_attachments() -> None:
    unit = _unit()
    role = entity(unit, "aws_iam_role.bot")
    assert isinstance(role, model.IamRole)
    assert role.path.text == "/aws-service-role/lexv2.amazonaws.com/"
    assert texts(role.trust.statements[0].actions) == ["sts:AssumeRole"]
    assert [texts(d.statements[0].actions) for d in role.inline] == [["polly:SynthesizeSpeech"]]
    assert role.inline[0].path == ("inline_policy", 0, "policy")
    assert texts(role.managed_policy_arns) == ["arn:aws:iam::aws:policy/AmazonLexFullAccess"]
    attachments = [a for a in unit.attachments]
    by_address: dict[str, list[model.RoleAttachment]] = {}
    for a in attachments:
        by_address.setdefault(a.address, []).append(a)
    (managed,) = by_address["aws_iam_role.bot"]
    assert managed.role.symbols[0].address == "aws_iam_role.bot" and managed.policy_arn.text.endswith("AmazonLexFullAccess")
    (slr_attach,) = by_address["aws_iam_role_policy_attachment.managed"]
    assert slr_attach.role.symbols[0].address == "aws_iam_service_linked_role.lex"
    assert slr_attach.policy_arn.symbols[-1].address == "aws_iam_policy.managed"
    many = by_address["aws_iam_policy_attachment.many"]
    assert [a.role.render() for a in many] == ["${aws_iam_role.bot.name}", "other-role"]
    (inline,) = by_address["aws_iam_role_policy.inline"]
    assert inline.role.symbols[0].attr == "id" and texts(inline.document.statements[0].actions) == ["iam:PassRole"]
    policy = entity(unit, "aws_iam_policy.managed")
    assert isinstance(policy, model.IdentityPolicy) and policy.name.text == "lex-callers"
    user = entity(unit, "aws_iam_user_policy.user")
    assert texts(user.users) == ["alice"] and texts(user.document.statements[0].actions) == ["lex:PostText"]
    group = entity(unit, "aws_iam_group_policy.group")
    assert texts(group.groups) == ["devs"]


def test_service_linked_role_lambda_and_lex_v1() -> None:
    unit = _unit()
    slr = entity(unit, "aws_iam_service_linked_role.lex")
    assert isinstance(slr, model.ServiceLinkedRole)
    assert (slr.service_name.text, slr.custom_suffix.text, slr.conditional) == ("lexv2.amazonaws.com", "OrderBot", True)
    perm = entity(unit, "aws_lambda_permission.lex")
    assert isinstance(perm, model.LambdaPermission)
    assert (perm.action.text, perm.principal.text, perm.source_account.text) == (
        "lambda:InvokeFunction", "lexv2.amazonaws.com", "111122223333")
    assert perm.function_name.symbols[0].attr == "function_name"
    assert "bot-alias/" in perm.source_arn.render()
    uses = {(u.address, u.expects, u.prop) for u in unit.role_uses}
    assert uses == {("aws_lambda_function.hook", "lambda_role", "role"),
                    ("aws_lex_bot_alias.v1", "log_role", "conversation_logs.iam_role_arn")}
    assert [(e.address, e.type) for e in unit.lex_v1] == [("aws_lex_bot.v1", "aws_lex_bot"),
                                                         ("aws_lex_bot_alias.v1", "aws_lex_bot_alias")]
