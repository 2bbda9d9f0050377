"""count and for_each: one entity per instance of a known number or collection, references to an instance
resolved to it; a number or collection not known leaves one conditional entity and no finding of its own."""

from __future__ import annotations

import json
from pathlib import Path

from lexiam import model
from lexiam.graph import Graph
from lexiam.terraform.tfvalues import MAX_ITEMS, MAX_MODULE_INSTANCES
from tests.conftest import run_lexiam
from tests.terraform.conftest import FIXTURES, at, entity, load, only_unit, where

ROOT = FIXTURES / "instances"
MAIN = ROOT / "main.tf"


def _scan(folder: Path, *args: str) -> list[dict]:
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", *args, cwd=folder)
    return run.json()["findings"]


def test_one_entity_per_instance_with_its_each_and_count() -> None:
    unit = only_unit(load(ROOT))
    orders = entity(unit, 'aws_iam_role.bot["orders"]')
    billing = entity(unit, 'aws_iam_role.bot["billing"]')
    assert (orders.name.text, billing.name.text) == ("orders-bot", "billing-bot")
    # each.value: the value where it is written, in the map the for_each iterates
    principal = billing.trust.statements[0].principals[0].value
    assert principal.text == "lex.amazonaws.com"
    assert at(principal) == ("main.tf", *where(MAIN, '"lex.amazonaws.com"'))
    workers = [entity(unit, f"aws_iam_role.worker[{i}]") for i in range(2)]
    assert [w.name.text for w in workers] == ["worker-0", "worker-1"]
    # a set: each.key and each.value are the element
    assert entity(unit, 'aws_lambda_function.fn["billing"]').name.text == "billing-fulfillment"
    assert not ({"aws_iam_role.bot", "aws_iam_role.worker", "aws_lambda_function.fn"} & {e.address for e in unit.entities()})
    assert not unit.conditional & {'aws_iam_role.bot["orders"]', "aws_iam_role.worker[0]"}
    # every instance is located at its block
    assert orders.loc == billing.loc and orders.loc.line == where(MAIN, 'resource "aws_iam_role" "bot"')[0]


def test_references_to_instances_resolve_to_them() -> None:
    unit = only_unit(load(ROOT))
    bot = entity(unit, 'aws_lexv2models_bot.bot["billing"]')
    assert bot.role_arn.symbols[-1].address == 'aws_iam_role.bot["billing"]'  # aws_iam_role.bot[each.key].arn
    uses = [u for u in unit.role_uses if u.address == 'aws_lambda_function.fn["orders"]']
    assert uses[0].value.symbols[-1].address == "aws_iam_role.worker[0]"
    (invoke,) = [p for p in unit.identity_policies if p.address == "aws_iam_policy.invoke"]
    lambdas, workers, bots = (st.resources for st in invoke.document.statements)
    assert [v.symbols[-1].address for v in lambdas] == ['aws_lambda_function.fn["orders"]', 'aws_lambda_function.fn["billing"]']
    assert [v.symbols[-1].address for v in workers] == ["aws_iam_role.worker[0]", "aws_iam_role.worker[1]"]
    assert [v.symbols[-1].address for v in bots] == ['aws_iam_role.bot["orders"]', 'aws_iam_role.bot["billing"]']
    graph = Graph(unit)
    assert [r.address for r in graph.roles_of(bot.role_arn)] == ['aws_iam_role.bot["billing"]']


def test_module_instances_get_their_keys_and_their_inputs() -> None:
    unit = only_unit(load(ROOT))
    for key, principal in (("a", "lexv2.amazonaws.com"), ("b", "lex.amazonaws.com")):
        role = entity(unit, f'module.bot["{key}"].aws_iam_role.this')
        assert role.name.text == f"team-{key}"
        assert role.trust.statements[0].principals[0].value.text == principal
        bot = entity(unit, f'module.bot["{key}"].aws_lexv2models_bot.this')
        assert bot.role_arn.symbols[-1].address == f'module.bot["{key}"].aws_iam_role.this'
    policy = entity(unit, "awscc_lex_resource_policy.b")
    # module.bot["b"].bot_arn: the output of that instance
    assert policy.resource_arn.symbols[-1].address == 'module.bot["b"].aws_lexv2models_bot.this'
    principal = policy.policy.statements[0].principals[0].value
    assert principal.symbols[-1].address == 'module.bot["a"].aws_iam_role.this'


def test_what_is_not_known_stays_one_conditional_entity() -> None:
    unit = only_unit(load(ROOT))
    team = entity(unit, "aws_iam_role.team")  # for_each = var.teams, no default
    assert team.name.render() == "${each.key}-bot"
    assert team.trust.statements[0].principals[0].value.is_unknown
    maybe = entity(unit, "aws_iam_role.maybe")  # count = var.enabled ? 1 : 0: a condition
    # a module call whose count is not known: its resources are one conditional entity each
    later = entity(unit, "module.later.aws_lexv2models_bot.this")
    graph = Graph(unit)
    assert all(graph.conditional(e) for e in (team, maybe, later))
    assert not graph.conditional(entity(unit, 'module.bot["a"].aws_lexv2models_bot.this'))
    assert not [f for f in _scan(ROOT) if f["resource"] in ("aws_iam_role.team", "module.later.aws_iam_role.this")]


def test_findings_name_the_instance_and_point_where_the_value_is_written() -> None:
    found = {(f["rule_id"], f["resource"], f["line"], f["column"], tuple(f["path"])) for f in _scan(ROOT)}
    assert found == {
        # the billing bot's role trusts Lex V1's principal, written in the map that for_each iterates
        ("E9524", 'aws_iam_role.bot["billing"]', *where(MAIN, '"lex.amazonaws.com"'), ()),
        ("E9524", 'module.bot["b"].aws_iam_role.this', *where(MAIN, '"lex.amazonaws.com"', 1), ()),
        # RecognizeText in the policy of module.bot["b"]'s bot (a bot, not an alias)
        ("E9502", "awscc_lex_resource_policy.b", *where(MAIN, '"lex:RecognizeText"'),
         ("policy", "Statement", 0, "Action")),
    }


def test_a_value_written_in_the_block_has_the_path_of_each_instance(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "aws_iam_role" "bot" {
  count = 2
  name  = "bot-${count.index}"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "lex.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_lexv2models_bot" "bot" {
  count    = 2
  name     = "Bot${count.index}"
  role_arn = aws_iam_role.bot[count.index].arn
}
''')
    found = sorted((f["rule_id"], f["resource"], f["line"], f["column"], f["path"]) for f in _scan(tmp_path))
    line, column = where(tmp_path / "main.tf", '"lex.amazonaws.com"')
    path = ["assume_role_policy", "Statement", 0, "Principal", "Service"]
    assert found == [("E9524", f"aws_iam_role.bot[{i}]", line, column, path) for i in range(2)]


HOOKED = '''
locals {
  bots = toset(["orders", "billing"])
}
resource "aws_iam_role" "hook" {
  name = "hook"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_role" "bot" {
  name = "bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_lambda_function" "fn" {
  for_each      = local.bots
  function_name = "${each.key}-fulfillment"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "hook.zip"
  role          = aws_iam_role.hook.arn
}
resource "awscc_lex_bot" "bot" {
  for_each                    = local.bots
  name                        = "${each.key}-bot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy = {
    child_directed = false
  }
}
resource "awscc_lex_bot_alias" "live" {
  for_each       = local.bots
  bot_id         = awscc_lex_bot.bot[each.key].id
  bot_alias_name = "live"
  bot_alias_locale_settings = [{
    locale_id = "en_US"
    bot_alias_locale_setting = {
      enabled = true
      code_hook_specification = {
        lambda_code_hook = {
          code_hook_interface_version = "1.0"
          lambda_arn                  = aws_lambda_function.fn[each.key].arn
        }
      }
    }
  }]
}
PERMISSION
resource "aws_lambda_permission" "allow" {
  for_each       = FOR_EACH
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.fn[each.key].function_name
  principal      = "lexv2.amazonaws.com"
  source_account = "111122223333"
  source_arn     = awscc_lex_bot_alias.live[each.key].arn
}
'''


def test_cross_resource_rules_see_each_instance(tmp_path: Path) -> None:
    # the permissions cover the orders alias only: the billing alias's hook cannot be invoked
    (tmp_path / "main.tf").write_text(HOOKED.replace("PERMISSION", "").replace("FOR_EACH", 'toset(["orders"])'))
    found = [(f["rule_id"], f["resource"]) for f in _scan(tmp_path, "--account-id", "111122223333")]
    assert found == [("W9563", 'awscc_lex_bot_alias.live["billing"]')]
    # every alias covered: nothing
    (tmp_path / "main.tf").write_text(HOOKED.replace("PERMISSION", "").replace("FOR_EACH", "local.bots"))
    assert _scan(tmp_path, "--account-id", "111122223333") == []


def test_a_permission_whose_instances_are_not_known_could_be_any(tmp_path: Path) -> None:
    # for_each over a variable without default: one conditional permission, whose function is not known;
    # it could be the billing one, so the missing permission is not reported
    (tmp_path / "main.tf").write_text(HOOKED.replace("PERMISSION", 'variable "allowed" {}').replace("FOR_EACH", "var.allowed"))
    assert _scan(tmp_path, "--account-id", "111122223333") == []


def test_a_comment_on_the_block_covers_every_instance(tmp_path: Path) -> None:
    text = HOOKED.split('resource "aws_lambda_permission"')[0].replace("PERMISSION", "")  # no permission at all
    text = text.replace('resource "awscc_lex_bot_alias" "live" {',
                        '# lexiam:ignore W9563 the permissions are granted by the platform team\n'
                        'resource "awscc_lex_bot_alias" "live" {')
    (tmp_path / "main.tf").write_text(text)
    found = [(f["rule_id"], f["resource"], f.get("suppressed")) for f in _scan(tmp_path, "--account-id", "111122223333")]
    assert sorted(found) == [("W9563", f'awscc_lex_bot_alias.live["{k}"]', "the permissions are granted by the platform team")
                             for k in ("billing", "orders")]


def test_instances_are_bounded(tmp_path: Path) -> None:
    many = ", ".join(f'"r{i}"' for i in range(MAX_ITEMS + 1))
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "main.tf").write_text('resource "aws_iam_role" "this" {\n  name = "lex"\n}\n')
    counts = (MAX_MODULE_INSTANCES - 1, 2, 1)
    calls = "".join(f'module "m{i}" {{\n  count  = {n}\n  source = "./modules"\n}}\n' for i, n in enumerate(counts))
    (tmp_path / "main.tf").write_text(f'''
resource "aws_iam_role" "many" {{
  for_each = toset([{many}])
  name     = "lex-${{each.key}}"
}}
resource "aws_iam_role" "most" {{
  count = {MAX_ITEMS}
  name  = "lex-${{count.index}}"
}}
{calls}''')
    out = load(tmp_path)
    unit = only_unit(out)
    roles = [r.address for r in unit.roles]
    # past MAX_ITEMS: one entity for them all, as for a collection not known
    assert "aws_iam_role.many" in roles and "aws_iam_role.many" in unit.conditional
    assert sum(a.startswith("aws_iam_role.most[") for a in roles) == MAX_ITEMS
    # module instances: MAX_MODULE_INSTANCES in all; a call that would pass them stands for its instances
    # with one scope, and past them a call is not read: one E9500 says where
    assert sum(a.startswith("module.m0[") for a in roles) == MAX_MODULE_INSTANCES - 1
    assert [a for a in roles if a.startswith("module.") and "[" not in a] == ["module.m1.aws_iam_role.this"]
    assert "module.m1.aws_iam_role.this" in unit.conditional
    assert [(e.rule_id, e.line) for e in out.errors] == [("E9500", where(tmp_path / "main.tf", 'module "m2"')[0])]


def test_installed_module_instances(tmp_path: Path) -> None:
    # a registry module called with for_each, installed by terraform init: modules.json has one entry for
    # the call (no instance keys), every instance reads that folder
    (tmp_path / "main.tf").write_text('module "bot" {\n  source   = "example/lexbot/aws"\n'
                                      '  for_each = { a = "lex.amazonaws.com", b = "lexv2.amazonaws.com" }\n'
                                      '  principal = each.value\n}\n')
    installed = tmp_path / ".terraform" / "modules" / "bot"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text((ROOT / "modules" / "bot" / "main.tf").read_text().replace(
        'variable "name" {}', 'variable "name" {\n  default = "bot"\n}'))
    (installed.parent / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "bot", "Source": "registry.terraform.io/example/lexbot/aws", "Dir": ".terraform/modules/bot"}]}))
    unit = only_unit(load(tmp_path))
    assert {'module.bot["a"].aws_lexv2models_bot.this', 'module.bot["b"].aws_lexv2models_bot.this'} <= {
        e.address for e in unit.entities()}
    found = [(f["rule_id"], f["resource"], f["message"].rsplit(" (", 1)[-1]) for f in _scan(tmp_path)]
    assert found == [("E9524", 'module.bot["a"].aws_iam_role.this',
                      'module.bot["a"] is registry.terraform.io/example/lexbot/aws, as terraform init installed it)')]
    assert isinstance(entity(unit, 'module.bot["b"].aws_iam_role.this'), model.IamRole)
