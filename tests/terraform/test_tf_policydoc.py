"""data "aws_iam_policy_document": statements, principals, conditions, source and override documents."""

from __future__ import annotations

from pathlib import Path

from lexiam import model
from tests.terraform.conftest import FIXTURES, at, entity, load, only_unit, texts, where

FOLDER = FIXTURES / "policydoc"
MAIN = FOLDER / "main.tf"


def _policy() -> model.PolicyDocument:
    rp = entity(only_unit(load(FOLDER)), "awscc_lex_resource_policy.bot")
    assert isinstance(rp, model.LexResourcePolicy) and rp.policy is not None
    return rp.policy


def test_source_override_and_dynamic_statements_in_provider_order() -> None:
    policy = _policy()
    assert not policy.problems
    by_statement = [texts(st.actions) for st in policy.statements]
    # source "Shared" first; "Replaced" replaced in place by the document's own statement; the
    # document's "Overridden" replaced by the override document; dynamic statements appended
    assert by_statement == [["lex:RecognizeText"], ["lex:New"], ["lex:FromOverride"], ["lex:DynA"], ["lex:DynB"]]
    assert [st.sid.text if st.sid else None for st in policy.statements] == [
        "Shared", "Replaced", "Overridden", None, None]


def test_statement_fields_keep_their_positions() -> None:
    st = _policy().statements[1]
    assert st.effect is not None and st.effect.text == "Allow"
    assert at(st.actions[0]) == ("main.tf", *where(MAIN, '"lex:New"'))
    assert [(p.kind, p.value.text) for p in st.principals] == [
        ("AWS", "arn:aws:iam::111122223333:root"), ("AWS", "arn:aws:iam::111122223333:role/x")]
    assert at(st.principals[0].value) == ("main.tf", *where(MAIN, '"arn:aws:iam::111122223333:root"'))
    (cond,) = st.conditions
    assert (cond.operator, cond.key.text, texts(cond.values)) == ("StringEquals", "aws:SourceAccount", ["111122223333"])
    assert at(cond.key) == ("main.tf", *where(MAIN, '"aws:SourceAccount"'))
    # effect defaults to Allow when not written
    assert _policy().statements[3].effect.text == "Allow"


def test_star_principal_and_not_principal(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
data "aws_iam_policy_document" "p" {
  statement {
    actions = ["lex:RecognizeText"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
  statement {
    effect  = "Deny"
    actions = ["lex:*"]
    not_principals {
      type        = "Service"
      identifiers = ["connect.amazonaws.com"]
    }
    not_actions = ["lex:PutSession"]
  }
}
resource "awscc_lex_resource_policy" "p" {
  resource_arn = "arn:aws:lex:us-east-1:111122223333:bot/ABCDEFGHIJ"
  policy       = data.aws_iam_policy_document.p.json
}
''', encoding="utf-8")
    policy = entity(only_unit(load(tmp_path)), "awscc_lex_resource_policy.p").policy
    first, second = policy.statements
    assert first.principal_key == "Principal"
    assert [(p.kind, p.value.text) for p in first.principals] == [("*", "*")]
    assert second.principal_key == "NotPrincipal" and second.principals[0].kind == "Service"
    assert second.effect.text == "Deny"
    assert second.action_key == "Action"


def test_unknown_source_document_leaves_the_policy_partly_unresolved(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
variable "extra_policy" {}
data "aws_iam_policy_document" "p" {
  source_policy_documents = [var.extra_policy]
  statement {
    actions   = ["lex:RecognizeText"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  name   = "lex"
  policy = data.aws_iam_policy_document.p.json
}
''', encoding="utf-8")
    doc = entity(only_unit(load(tmp_path)), "aws_iam_policy.p").document
    assert texts(doc.statements[0].actions) == ["lex:RecognizeText"]
