"""Hostile Terraform: work bounded while values are built, nothing hidden, nothing read outside the tree.

Every bound is asserted by counting (characters and elements built, memory allocated while evaluating,
files opened), never by the clock.  Each attack input is built here.
"""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from lexiam.contract import Options
from lexiam.terraform import context, tfvalues
from lexiam.terraform.context import Context
from lexiam.terraform.evaluate import Scope
from lexiam.terraform.hcl import parse_expression
from lexiam.terraform.sources import ModuleSource, SourceFile
from lexiam.values import RList, Value, candidates
from tests.conftest import run_lexiam

POLICY = '''resource "aws_lexv2models_bot" "order" {
  name = "OrderBot"
}
resource "awscc_lex_resource_policy" "bot" {
  resource_arn = aws_lexv2models_bot.order.arn
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" },
                                       Action = "lex:*", Resource = "*" }] })
}
'''


STATEMENT = {"Effect": "Allow", "Action": "lex:*", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}


def _scope(folder: Path, text: str) -> Scope:
    (folder / "main.tf").write_text(text, encoding="utf-8")
    ctx = Context(Options(root=folder), lambda p: p.name, [folder])
    return Scope(ctx, ModuleSource(ctx, folder, [SourceFile(folder / "main.tf", "main.tf", text)], lazy=False))


def _evaluate(scope: Scope, expression: str, traced: bool = True) -> tuple[object, int, int]:
    """The value of an expression in a scope, the characters and elements charged for building it, and the
    peak memory allocated while evaluating it (bytes; 0 when not ``traced``)."""
    expr = parse_expression(expression, "x.tf", 1, 1)
    if not traced:
        value = scope.ev(expr)
        return value, tfvalues.MAX_BUILT - scope.ctx.built, 0
    tracemalloc.start()
    try:
        value = scope.ev(expr)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return value, tfvalues.MAX_BUILT - scope.ctx.built, peak


def _unknown(node: object) -> bool:
    options = list(candidates(node))
    return len(options) == 1 and isinstance(options[0], Value) and options[0].is_unknown


def test_a_long_local_repeated_in_a_template_is_refused_before_it_is_built(tmp_path: Path) -> None:
    # 200 x 100,000 characters: 20 million, past the 1,000,000 of one string
    scope = _scope(tmp_path, f'locals {{\n  a = "{"x" * 100_000}"\n}}\n')
    value, built, peak = _evaluate(scope, '"' + "${local.a}" * 200 + '"')
    assert _unknown(value)
    assert built <= 100_000  # the local itself, once (it is a literal: nothing of the template was built)
    assert peak < 2_000_000  # the 20 MB string was never made


def test_a_template_of_many_parts_is_built_once(tmp_path: Path) -> None:
    scope = _scope(tmp_path, 'locals {\n  c = "a"\n}\n')
    value, built, _peak = _evaluate(scope, '"' + "${local.c}-" * 20_000 + '"', traced=False)
    assert isinstance(value, Value) and value.text == "a-" * 20_000
    assert built == 40_000 + 1  # every character charged once, before the one join (and the local itself)


def test_format_join_and_replace_are_bounded_before_they_build(tmp_path: Path) -> None:
    scope = _scope(tmp_path, f'locals {{\n  a = "{"x" * 20_000}"\n  l = [{", ".join(["local.a"] * 100)}]\n}}\n')
    for expression in ('format("' + "%s" * 100 + '"' + ", local.a" * 100 + ")",
                       'join("", local.l)',
                       'replace(local.a, "x", local.a)'):  # 400,000,000 characters
        value, _built, peak = _evaluate(scope, expression)
        assert _unknown(value), expression
        assert peak < 1_000_000, (expression, peak)


def test_lists_that_double_or_flatten_exponentially_are_bounded(tmp_path: Path) -> None:
    doubling = "\n".join(f"  l{i + 1} = concat(local.l{i}, local.l{i})" for i in range(24))  # 2^25 elements
    nested = "\n".join(f"  f{i + 1} = [local.f{i}, local.f{i}, local.f{i}, local.f{i}]" for i in range(9))  # 4^9
    scope = _scope(tmp_path, f'locals {{\n  l0 = ["lex:A", "lex:B"]\n{doubling}\n  f0 = ["lex:A"]\n{nested}\n}}\n')
    value, built, peak = _evaluate(scope, "local.l24")
    assert _unknown(value)
    assert built <= 2 * tfvalues.MAX_LIST + 10 and peak < 2_000_000  # the levels up to the longest list allowed
    value, _built, _peak = _evaluate(scope, "flatten(local.f9)")
    assert _unknown(value)
    small, _built, _peak = _evaluate(scope, "flatten(local.f3)")
    assert isinstance(small, RList) and len(small) == 64


def test_decoding_json_again_and_again_spends_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "MAX_BUILT_PER_RESOURCE", 200_000)  # the budget smaller, the test faster
    document = json.dumps({"Statement": [{"Effect": "Allow", "Action": "lex:*", "Resource": "*"}] * 100})
    items = ", ".join(f'"{i}"' for i in range(256))
    scope = _scope(tmp_path, 'locals {\n  j = ' + json.dumps(document) + f'\n  l = [{items}]\n}}\n')
    value, built, _peak = _evaluate(scope, "[for x in local.l : jsondecode(local.j)]", traced=False)
    assert isinstance(value, RList) and len(value) == 256
    assert built <= 200_000  # 256 decodes of 5,600 characters would be 1.4 million
    decoded = [v for v in value if not _unknown(v)]
    assert 0 < len(decoded) < 256 and scope.ctx.budget_hit is not None


def test_a_spent_budget_is_one_e9500_where_it_ran_out(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(POLICY + f'locals {{\n  a = "{"x" * 900_000}"\n'
                                      '  b = [for i in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : "${local.a}${i}"]\n}\n'
                                      'resource "aws_iam_role" "r" {\n  name = local.b[9]\n  assume_role_policy = "lex"\n}\n')
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    findings = run.json()["findings"]
    assert {f["rule_id"] for f in findings} == {"W9509", "E9500"}  # the other finding survives
    error = next(f for f in findings if f["rule_id"] == "E9500")
    assert error["file"] == "main.tf" and "evaluation budget" in error["message"]


# --- nothing hidden -------------------------------------------------------------------------------

def test_a_nul_byte_in_a_comment_does_not_hide_the_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_bytes(b"# generated \x00 by a tool\n" + POLICY.encode())
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    assert [(f["rule_id"], f["line"]) for f in run.json()["findings"]] == [("W9509", 8)]


def test_plan_child_modules_deeper_than_sixteen_are_read(tmp_path: Path) -> None:
    resource = {"address": "", "mode": "managed", "type": "awscc_lex_resource_policy", "name": "bot",
                "values": {"resource_arn": "arn:aws:lex:us-east-1:111122223333:bot/ABCDEFGHIJ",
                           "policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "lex:*", "Resource": "*",
                                                                "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]})}}
    module: dict = {}
    top = {"resources": [], "child_modules": [module]}
    prefix = ""
    for depth in range(20):
        prefix += f"module.m{depth}."
        module["address"] = prefix.rstrip(".")
        if depth == 19:
            module["resources"] = [{**resource, "address": prefix + "awscc_lex_resource_policy.bot"}]
        else:
            child: dict = {}
            module["child_modules"] = [child]
            module = child
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": top}}
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=1))
    run = run_lexiam("scan", "plan.json", "--format", "json", "--fail-on", "none", "--no-config",
                     "--account-id", "111122223333", cwd=tmp_path)
    findings = run.json()["findings"]
    assert [f["rule_id"] for f in findings] == ["W9509"]
    assert findings[0]["resource"] == prefix + "awscc_lex_resource_policy.bot"


def test_line_separators_do_not_shift_the_lines_of_findings(tmp_path: Path) -> None:
    # U+2028, U+0085 and U+2029 are no line breaks for HCL, JSON or an editor: counted as such, the lines
    # of a file no longer match the parser's, and a suppression comment covers the wrong line
    hcl = ('# a comment \u2028 with \x85 separators \u2029\nlocals {\n  note = "a\u2028b"\n}\n'
           + POLICY.replace('                                       Action = "lex:*"',
                            '                                       # lexiam:ignore W9509 reviewed\n'
                            '                                       Action = "lex:*"'))
    document = {"//": "a\u2028b\x85c\u2029", "resource": {
        "aws_lexv2models_bot": {"order": {"name": "OrderBot\u2028"}},
        "awscc_lex_resource_policy": {"bot": {"resource_arn": "${aws_lexv2models_bot.order.arn}",
                                              "policy": json.dumps({"Statement": [STATEMENT]})}}}}
    for name, text, suppressed in (("hcl", hcl, True),
                                   ("json", json.dumps(document, indent=1, ensure_ascii=False), False)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / ("main.tf" if name == "hcl" else "main.tf.json")).write_text(text, encoding="utf-8")
        expected = next(i for i, row in enumerate(text.split("\n"), 1) if "lex:*" in row and "ignore" not in row)
        run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config",
                         "--account-id", "111122223333", cwd=folder)
        found = [(f["rule_id"], f["line"], "suppressed" in f) for f in run.json()["findings"]]
        assert found == [("W9509", expected, suppressed)], name


def test_a_tfvars_json_line_separator_does_not_shift_positions(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfvars.json").write_text('{\n  "note": "a\u2028b",\n  "action": "lex:*"\n}\n', encoding="utf-8")
    (tmp_path / "main.tf").write_text('variable "action" {}\nvariable "note" {}\n' + POLICY.replace('"lex:*"', "var.action"))
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    assert [(f["file"], f["line"], f["column"]) for f in run.json()["findings"]] == [("terraform.tfvars.json", 3, 13)]


# --- nothing read outside the tree ----------------------------------------------------------------

def test_a_link_in_a_module_callers_folder_is_never_opened(tmp_path: Path) -> None:
    from tests.test_safety import audited_scan

    secret = tmp_path / "outside" / "secret.tf"
    secret.parent.mkdir()
    secret.write_text('module "bot" {\n  source = "./child"\n}\n# lex the secret\n')
    root = tmp_path / "scan"
    child = root / "caller" / "child"
    child.mkdir(parents=True)
    (root / "caller" / "main.tf").write_text('module "bot" {\n  source = "./child"\n}\n')
    os.symlink(secret, root / "caller" / "linked.tf")
    (child / "main.tf").write_text(POLICY)
    doc, events = audited_scan(tmp_path, root, "--account-id", "111122223333")
    assert [f["resource"] for f in doc["findings"]] == ["module.bot.awscc_lex_resource_policy.bot"]
    assert not [e for e in events if str(secret) in e], "the link out of the tree was opened"


def test_a_file_past_the_token_limit_is_one_e9500_and_its_parse_stops_there(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from lexiam.terraform import hcl
    from tests.terraform.conftest import load

    monkeypatch.setattr(hcl, "MAX_TOKENS", 2_000)  # the limit smaller, the test faster: the same code path
    (tmp_path / "main.tf").write_text(POLICY + 'locals {\n  l = [' + ", ".join(['"lex:A"'] * 5_000) + "]\n}\n")
    out = load(tmp_path)
    assert [(e.rule_id, e.line) for e in out.errors] == [("E9500", 10)]  # at the token past the limit
    assert "more than 2,000 tokens" in out.errors[0].message
