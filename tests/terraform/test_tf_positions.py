"""Every value points at itself: line and column of the value (not its key), in HCL, heredoc JSON,
escaped JSON strings and files read with file()."""

from __future__ import annotations

from lexiam import model
from lexiam.values import ACCOUNT, PARTITION, REGION, RESOURCE
from tests.terraform.conftest import FIXTURES, actions, at, entity, load, only_unit, texts, where

POS = FIXTURES / "positions"
MAIN = POS / "main.tf"


def test_action_in_jsonencode_points_at_the_string() -> None:
    unit = only_unit(load(POS))
    rp = entity(unit, "awscc_lex_resource_policy.orders")
    assert isinstance(rp, model.LexResourcePolicy)
    found = {a.text: at(a) for a in actions(rp.policy)}
    assert found["lex:Foo"] == ("main.tf", *where(MAIN, '"lex:Foo"'))
    assert found["lex:BuildBotLocale"] == ("main.tf", *where(MAIN, '"lex:BuildBotLocale"'))
    foo = next(a for a in actions(rp.policy) if a.text == "lex:Foo")
    assert foo.loc is not None and foo.loc.end_column == foo.loc.column + len('"lex:Foo"')


def test_heredoc_json_positions_map_back_into_the_file() -> None:
    unit = only_unit(load(POS))
    policy = entity(unit, "aws_iam_policy.callers")
    assert isinstance(policy, model.IdentityPolicy)
    found = {a.text: at(a) for a in actions(policy.document)}
    # the heredoc is <<-EOT: its indentation is stripped, positions still land on the file's columns
    assert found["lex:RecognizeTxt"] == ("main.tf", *where(MAIN, '"lex:RecognizeTxt"'))
    assert found["lex:RecognizeText"] == ("main.tf", *where(MAIN, '"lex:RecognizeText"'))
    # an interpolation inside the heredoc JSON keeps its symbols
    (resource,) = policy.document.statements[0].resources  # type: ignore[union-attr]
    kinds = [s.kind for s in resource.symbols]
    assert kinds == [ACCOUNT, RESOURCE]
    assert resource.loc is not None and resource.loc.line == where(MAIN, '"arn:aws:lex:us-east-1:')[0]


def test_escaped_json_string_positions_account_for_escapes() -> None:
    unit = only_unit(load(POS))
    att = entity(unit, "aws_iam_role_policy.escaped")
    assert isinstance(att, model.RoleAttachment)
    (action,) = actions(att.document)
    assert action.text == "lex:PostText"
    assert at(action) == ("main.tf", *where(MAIN, '\\"lex:PostText\\"'))


def test_entities_carry_the_block_and_the_value_positions() -> None:
    unit = only_unit(load(POS))
    bot = entity(unit, "aws_lexv2models_bot.order")
    assert isinstance(bot, model.LexBot) and bot.version == "v2"
    assert bot.loc is not None and (bot.loc.line, bot.loc.column) == where(MAIN, 'resource "aws_lexv2models_bot"')
    assert bot.loc.end_line == 11  # the closing brace of the block
    assert at(bot.name) == ("main.tf", *where(MAIN, '"OrderBot"'))
    assert at(bot.role_arn) == ("main.tf", *where(MAIN, "aws_iam_role.bot.arn"))


def test_typed_arns_use_the_deploying_account_and_region() -> None:
    unit = only_unit(load(POS))
    bot = entity(unit, "aws_lexv2models_bot.order")
    role_arn = bot.role_arn
    # aws_iam_role.bot.arn: arn:${partition}:iam::${account}:role/bots/${role name}, the path is the role's
    assert [s.kind for s in role_arn.symbols] == [PARTITION, ACCOUNT, RESOURCE]
    assert role_arn.render().startswith("arn:${partition}:iam::${account}:role/bots/")
    assert role_arn.symbols[-1].address == "aws_iam_role.bot"
    rp = entity(unit, "awscc_lex_resource_policy.orders")
    arn = rp.resource_arn
    assert [s.kind for s in arn.symbols] == [PARTITION, REGION, ACCOUNT, RESOURCE]
    bot_sym = arn.symbols[-1]
    assert (bot_sym.address, bot_sym.entity) == ("aws_lexv2models_bot.order", model.LEX_BOT)
    # the account symbol of data.aws_caller_identity compares equal to the typed ARN's
    principal = rp.policy.statements[0].principals[0].value
    assert principal.symbols[0].kind == ACCOUNT
    assert principal.symbols[0].name == "data.aws_caller_identity.current.account_id"


def test_resource_id_reference_is_a_typed_resource_symbol() -> None:
    unit = only_unit(load(POS))
    policy = entity(unit, "aws_iam_policy.callers")
    resource = policy.document.statements[0].resources[0]
    sym = resource.symbols[-1]
    assert (sym.kind, sym.address, sym.entity, sym.attr) == (RESOURCE, "aws_lexv2models_bot.order", model.LEX_BOT, "id")
    assert texts(actions(policy.document)) == ["lex:RecognizeText", "lex:RecognizeTxt"]


def test_crlf_files_keep_positions_in_heredocs_and_strings(tmp_path) -> None:  # noqa: ANN001
    text = ('resource "aws_iam_policy" "p" {\r\n  name = "lex"\r\n  policy = <<-EOT\r\n    {\r\n'
            '      "Statement": [{"Effect": "Allow", "Action": "lex:Foo", "Resource": "*"}]\r\n    }\r\n  EOT\r\n}\r\n')
    (tmp_path / "main.tf").write_bytes(text.encode())
    policy = entity(only_unit(load(tmp_path)), "aws_iam_policy.p")
    (action,) = actions(policy.document)
    assert action.text == "lex:Foo"
    assert at(action) == ("main.tf", 5, text.split("\r\n")[4].index('"lex:Foo"') + 1)
