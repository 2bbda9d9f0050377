"""Expressions evaluate three-valued: variables, locals, conditionals, functions."""

from __future__ import annotations

from pathlib import Path

from lexiam import model
from lexiam.values import UNKNOWN, Choice
from tests.terraform.conftest import FIXTURES, actions, at, entity, load, only_unit, texts, where

VARS = FIXTURES / "vars"


def _actions_of(out) -> list:  # noqa: ANN001
    policy = entity(only_unit(out), "aws_iam_policy.p")
    assert isinstance(policy, model.IdentityPolicy)
    return actions(policy.document)


def test_variables_from_defaults_tfvars_auto_tfvars() -> None:
    found = _actions_of(load(VARS))
    assert texts(found) == ["lex:FromDefault", "lex:FromTfvars", "lex:FromAuto", "lex:Overridden", "lex:Overridden",
                            None, "lex:FromAutoList"]
    # each value points where it is written: the default, terraform.tfvars, b.auto.tfvars
    assert at(found[0]) == ("variables.tf", *where(VARS / "variables.tf", '"lex:FromDefault"'))
    assert at(found[1]) == ("terraform.tfvars", *where(VARS / "terraform.tfvars", '"lex:FromTfvars"'))
    assert at(found[2]) == ("b.auto.tfvars", *where(VARS / "b.auto.tfvars", '"lex:FromAuto"'))
    # no default and no value: unknown, never a finding on its own
    assert found[5].is_unknown and found[5].symbols[0].kind == UNKNOWN


def test_var_files_and_cli_vars_win_in_order() -> None:
    var_file = FIXTURES / "vars_files" / "prod.tfvars"
    found = _actions_of(load(VARS, root=FIXTURES, tf_var_files=(var_file,),
                             tf_vars={"from_cli": "lex:FromCli", "no_default": "lex:Given"}))
    assert texts(found)[3:6] == ["lex:FromVarFile", "lex:FromCli", "lex:Given"]
    assert at(found[3]) == ("vars_files/prod.tfvars", *where(var_file, '"lex:FromVarFile"'))
    # a --var has no file: it takes the position of the reference that uses it
    assert at(found[4]) == ("vars/main.tf", *where(VARS / "main.tf", "var.from_cli"))


def test_cli_var_with_a_list_value_is_parsed_as_hcl() -> None:
    found = _actions_of(load(VARS, tf_vars={"actions": '["lex:A", "lex:B"]'}))
    assert texts(found)[-2:] == ["lex:A", "lex:B"]


def test_locals_in_any_order_across_files_and_a_cycle_is_unknown() -> None:
    folder = FIXTURES / "locals"
    unit = only_unit(load(folder))
    policy = entity(unit, "aws_iam_policy.p")
    assert texts(actions(policy.document)) == ["lex:RecognizeText", "lex:GetBot"]
    (resource,) = policy.document.statements[0].resources
    assert resource.is_unknown and "cycle" in resource.symbols[0].name


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    return tmp_path


def test_conditionals_are_a_choice_of_both_branches(tmp_path: Path) -> None:
    folder = _write(tmp_path, '''
variable "prod" { default = true }
resource "aws_lambda_permission" "lex" {
  action        = "lambda:InvokeFunction"
  function_name = "f"
  principal     = var.prod ? "lexv2.amazonaws.com" : "lex.amazonaws.com"
  source_arn    = "arn:aws:lex:us-east-1:111122223333:bot-alias/${var.prod ? "A" : "B"}/*"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.prod ? ["lex:RecognizeText"] : ["lex:*"], Resource = "*" }]
  })
}
''')
    unit = only_unit(load(folder))
    perm = entity(unit, "aws_lambda_permission.lex")
    assert perm.principal.text == "lexv2.amazonaws.com"  # the model keeps one candidate per field
    from lexiam.engine import Options
    from lexiam.terraform.context import Context
    from lexiam.terraform.evaluate import Scope
    from lexiam.terraform.hcl import parse_expression
    from lexiam.terraform.sources import ModuleSource, SourceFile

    ctx = Context(Options(root=folder), lambda p: p.name, [folder])
    scope = Scope(ctx, ModuleSource(ctx, folder, [SourceFile(folder / "main.tf", "main.tf",
                                                             (folder / "main.tf").read_text())], lazy=False))
    node = scope.ev(parse_expression('var.prod ? "lexv2.amazonaws.com" : "lex.amazonaws.com"', "x.tf", 1, 1))
    assert isinstance(node, Choice) and [v.text for v in node] == ["lexv2.amazonaws.com", "lex.amazonaws.com"]
    node = scope.ev(parse_expression('"a-${var.prod ? "x" : "y"}-b"', "x.tf", 1, 1))
    assert isinstance(node, Choice) and [v.text for v in node] == ["a-x-b", "a-y-b"]
    policy = entity(unit, "aws_iam_policy.p")
    assert texts(actions(policy.document)) == ["lex:RecognizeText", "lex:*"]


def test_functions(tmp_path: Path) -> None:
    folder = _write(tmp_path, '''
locals {
  base   = { Effect = "Allow", Resource = "*" }
  extra  = { Action = ["lex:A"] }
  names  = ["B", "C"]
  lookup = { dev = "lex:Dev", prod = "lex:Prod" }
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      merge(local.base, local.extra),
      merge(local.base, { Action = concat([format("lex:%s", "Fmt")], [for n in local.names : "lex:${n}"]) }),
      merge(local.base, { Action = [join(":", ["lex", "Joined"]), lookup(local.lookup, "prod", "lex:Default"),
                                    lookup(local.lookup, "qa", "lex:Default"), element(tolist(toset(["lex:El"])), 0),
                                    coalesce("", "lex:Coalesced"), replace("lex:Rep", "Rep", "Replaced"),
                                    try(local.missing.attr, "lex:Tried"), upper("lex:up")] }),
    ]
  })
}
''')
    policy = entity(only_unit(load(folder)), "aws_iam_policy.p")
    assert texts(actions(policy.document)) == [
        "lex:A", "lex:Fmt", "lex:B", "lex:C", "lex:Joined", "lex:Prod", "lex:Default", "lex:El", "lex:Coalesced",
        "lex:Replaced", "lex:Tried", "LEX:UP"]


def test_unknown_things_stay_unknown(tmp_path: Path) -> None:
    folder = _write(tmp_path, '''
variable "n" {}
resource "aws_iam_policy" "p" {
  count  = var.n
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Resource = "*",
                   Action = ["lex:${count.index}", each.value, sha256("x"), "lex:${1 + 2}", var.nope, local.nope] }]
  })
}
''')
    policy = entity(only_unit(load(folder)), "aws_iam_policy.p")
    assert all(a.is_unknown for a in actions(policy.document))


def test_hostile_input_is_bounded(tmp_path: Path) -> None:
    # a string that doubles 60 times, nested for expressions over 200^4 items, deep nesting, choices
    # that multiply: all end quickly as unknown values
    chain = "\n".join(f'  l{i} = "${{local.l{i + 1}}}${{local.l{i + 1}}}"' for i in range(60))
    big = ", ".join(f'"x{i}"' for i in range(200))
    fors = '[for a in local.big : [for b in local.big : [for c in local.big : [for d in local.big : "${a}${b}${c}${d}"]]]]'
    choices = "\n".join(f'  c{i} = "${{var.v ? local.c{i + 1} : "b"}}${{var.v ? local.c{i + 1} : "d"}}"' for i in range(30))
    nested = "[" * 40 + '"lex:Deep"' + "]" * 40
    folder = _write(tmp_path, f"""
variable "v" {{}}
locals {{
{chain}
  l60 = "aaaa"
{choices}
  c30 = "e"
  big = [{big}]
  fors = {fors}
  deep = {nested}
}}
resource "aws_iam_policy" "p" {{
  name   = "lex-callers"
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Resource = "*",
                                        Action = [local.l0, local.fors, local.c0, flatten(local.deep)[0]] }}] }})
}}
resource "aws_iam_policy" "q" {{
  name   = "lex-other"
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Resource = "*", Action = "lex:RecognizeText" }}] }})
}}
""")
    out = load(folder)
    # bounded by counting: the evaluation stopped at its step budget, and said where
    assert [e.rule_id for e in out.errors] == ["E9500"] and "evaluation budget" in out.errors[0].message
    unit = only_unit(out)
    p = entity(unit, "aws_iam_policy.p")
    assert p.document is not None and all(a.is_unknown for a in actions(p.document)[:3])
    # the budget is per resource: the next resource is still evaluated
    assert texts(actions(entity(unit, "aws_iam_policy.q").document)) == ["lex:RecognizeText"]
