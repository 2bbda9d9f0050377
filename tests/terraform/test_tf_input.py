"""Input problems: a file that does not parse, a path that leaves the scan, files skipped before parsing."""

from __future__ import annotations

from pathlib import Path

from lexiam import model
from lexiam.directives import parse_comment
from lexiam.terraform import looks_relevant
from tests.terraform.conftest import FIXTURES, at, entity, load, only_unit, texts, where


def test_a_file_that_does_not_parse_is_one_e9500_and_the_others_are_extracted() -> None:
    folder = FIXTURES / "parse_error"
    out = load(folder)
    (error,) = out.errors
    assert error.rule_id == "E9500" and error.file == "broken.tf"
    assert (error.line, error.column) == where(folder / "broken.tf", "300", 1)
    assert "unexpected" in error.message and "300" in error.message
    statuses = {f.file: f.status for f in out.files}
    assert statuses == {"broken.tf": "error", "good.tf": "scanned"}
    bot = entity(only_unit(out), "aws_lexv2models_bot.other")
    assert bot.role_arn.text == "arn:aws:iam::111122223333:role/bot"


def test_file_outside_the_scan_is_refused_with_an_input_error() -> None:
    folder = FIXTURES / "outside"
    out = load(folder)
    (error,) = out.errors  # one E9500 per file, even with two escapes in it
    assert error.rule_id == "E9500" and error.file == "main.tf"
    assert (error.line, error.column) == where(folder / "main.tf", "file(")
    assert "outside the scanned tree" in error.message
    for address in ("aws_iam_policy.escape", "aws_iam_policy.escape2"):
        doc = entity(only_unit(out), address).document
        assert doc is not None and not doc.resolved and not doc.statements


def test_file_and_templatefile_inside_the_tree_are_read_with_positions() -> None:
    folder = FIXTURES / "files"
    unit = only_unit(load(folder))
    doc = entity(unit, "aws_iam_policy.from_file").document
    actions = doc.statements[0].actions
    assert texts(actions) == ["lex:RecognizeText", "lex:PutBot"]
    assert at(actions[1]) == ("policies/lex.json", *where(folder / "policies" / "lex.json", '"lex:PutBot"'))
    tpl = entity(unit, "aws_iam_policy.from_template").document.statements[0]
    assert texts(tpl.actions) == ["lex:RecognizeText"]
    assert texts(tpl.resources) == ["arn:aws:lex:us-east-1:111122223333:bot-alias/*"]
    assert at(tpl.actions[0]) == ("policies/lex.json.tpl", *where(folder / "policies" / "lex.json.tpl", '"${action}"'))
    decoded = entity(unit, "aws_iam_policy.decoded").document
    assert at(decoded.statements[0].actions[1]) == at(actions[1])


def test_a_module_without_lex_content_is_skipped_before_parsing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "complex-flex-alexa"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "aws_iam_role" {{{{\n')
    out = load(tmp_path)
    assert out.units == [] and out.errors == []
    assert {(f.file, f.status, f.reason) for f in out.files} == {
        ("main.tf", "skipped", "no Lex or IAM content"), ("broken.tf", "skipped", "no Lex or IAM content")}


def test_relevance_filter() -> None:
    for text in ('Action = "lex:RecognizeText"', 'resource "aws_lexv2models_bot" "b" {}', "awscc_lex_bot",
                 'Service = "lexv2.amazonaws.com"', "AWSServiceRoleForLexBots", 'path = "/aws-service-role/x/"',
                 'name = "myLexBot"', 'resource "aws_lex_bot" "v1" {}'):
        assert looks_relevant(text), text
    for text in ('bucket = "complex"', "flexible", "alexa", 'resource "aws_iam_role" "r" {}'):
        assert not looks_relevant(text), text


def test_in_a_relevant_module_unrelated_files_are_parsed_only_when_needed(tmp_path: Path) -> None:
    (tmp_path / "bot.tf").write_text('resource "aws_lexv2models_bot" "b" {\n  name = "B"\n  role_arn = aws_iam_role.r.arn\n}\n')
    (tmp_path / "role.tf").write_text('resource "aws_iam_role" "r" {\n  name = "bot"\n  path = var.path\n}\n')
    (tmp_path / "vars.tf").write_text('variable "path" {\n  default = "/bots/"\n}\n')
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "aws_sqs_queue" {{{{\n')
    out = load(tmp_path)
    statuses = {f.file: f.status for f in out.files}
    assert statuses == {"bot.tf": "scanned", "role.tf": "scanned", "vars.tf": "scanned", "s3.tf": "skipped",
                        "broken.tf": "skipped"}
    bot = entity(only_unit(out), "aws_lexv2models_bot.b")
    assert "role/bots/" in bot.role_arn.render()
    assert isinstance(entity(only_unit(out), "aws_iam_role.r"), model.IamRole)


def test_inline_suppression_comments_are_recorded_per_resource(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''# lexiam:ignore-file W9541 legacy bots
# lexiam:ignore E9501 the caller needs it
resource "awscc_lex_resource_policy" "a" {
  resource_arn = "arn:aws:lex:us-east-1:111122223333:bot/B"
}
resource "awscc_lex_resource_policy" "b" { # lexiam:ignore E9502,W9509 reviewed
  resource_arn = "arn:aws:lex:us-east-1:111122223333:bot/B"
} // lexiam:ignore E95 all of them
''')
    unit = only_unit(load(tmp_path))
    got = {(s.rule, s.reason, s.resource, s.line, s.loc.line) for s in unit.suppressions}
    assert got == {
        ("W9541", "legacy bots", None, None, 1),
        ("E9501", "the caller needs it", "awscc_lex_resource_policy.a", 3, 2),
        ("E9502", "reviewed", "awscc_lex_resource_policy.b", 6, 6),
        ("W9509", "reviewed", "awscc_lex_resource_policy.b", 6, 6),
        ("E95", "all of them", "awscc_lex_resource_policy.b", 8, 8),
    }
    assert parse_comment("# lexiam:ignore I know better").problem  # names no rule: reported, suppresses nothing


def test_parse_all_turns_the_prefilter_off(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "r" {\n  name = "plain"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "aws_sqs_queue" {{{{\n')
    out = load(tmp_path, prefilter=False)
    assert {(f.file, f.status) for f in out.files} == {("main.tf", "scanned"), ("broken.tf", "error")}
    assert [e.rule_id for e in out.errors] == ["E9500"]
    assert isinstance(entity(only_unit(out), "aws_iam_role.r"), model.IamRole)


UNICODE_NAMES = '''locals {
  größe = "lex:*"
  é     = "lexv2.amazonaws.com"
  _     = "taken"
  名前    = { rôle = "bot-é" }
}
variable "régión" {
  default = "eu-west-1"
}
resource "aws_iam_role" "rôle" {
  name = local.名前.rôle
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = local.é }, Action = "sts:AssumeRole" }]
  })
}
resource "awscc_lex_resource_policy" "p" {
  resource_arn = "arn:aws:lex:${var.régión}:111122223333:bot/ABCDEFGHIJ"  # größe in a comment stays
  policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "${local.größe}", "Resource": "é"}]}
  EOT
}
'''


def test_identifiers_that_are_not_ascii_are_read(tmp_path: Path) -> None:
    # HCL identifiers may hold any Unicode letter; python-hcl2 reads ASCII ones only: lexiam parses them
    # through ASCII stand-ins as long as they are, so every position is where the name is written
    (tmp_path / "main.tf").write_text(UNICODE_NAMES, encoding="utf-8")
    out = load(tmp_path)
    assert out.errors == []
    unit = only_unit(out)
    role = entity(unit, "aws_iam_role.rôle")
    assert role.name.text == "bot-é"
    assert at(role.name) == ("main.tf", *where(tmp_path / "main.tf", '"bot-é"'))
    principal = role.trust.statements[0].principals[0].value
    assert principal.text == "lexv2.amazonaws.com"
    policy = entity(unit, "awscc_lex_resource_policy.p")
    assert policy.resource_arn.text == "arn:aws:lex:eu-west-1:111122223333:bot/ABCDEFGHIJ"
    (action,) = policy.policy.statements[0].actions
    assert action.text == "lex:*"  # ${local.größe} in a heredoc
    assert texts(policy.policy.statements[0].resources) == ["é"]
    from lexiam.terraform.hcl import parse_file

    pf = parse_file(UNICODE_NAMES, "main.tf")
    names = pf.body.blocks[0].body.attrs
    assert list(names) == ["größe", "é", "_", "名前"]
    assert [(a.name_loc.line, a.name_loc.column, a.name_loc.end_column) for a in names.values()] == [
        (2, 3, 8), (3, 3, 4), (4, 3, 4), (5, 3, 5)]
    assert [c.text for c in pf.comments] == ["# größe in a comment stays"]


def test_a_name_that_cannot_have_a_stand_in_is_still_an_e9500(tmp_path: Path) -> None:
    # every one-character ASCII identifier is taken: the 54th one-character Unicode name has none, and
    # python-hcl2 refuses it, as before, at its position
    taken = "".join(f"  {c} = 1\n" for c in "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    (tmp_path / "main.tf").write_text(f"locals {{\n{taken}  é = 2\n}}\nresource \"aws_iam_role\" \"lex\" {{}}\n",
                                      encoding="utf-8")
    (error,) = load(tmp_path).errors
    assert (error.rule_id, error.line, error.column) == ("E9500", 55, 3)
    assert "unexpected 'é" in error.message


def test_block_comments_are_located_reading_the_text_once() -> None:
    """Many ``/* */`` comments, on lines of their own and on one long line: each comment's line, column
    and whether it stands alone on its line, with the text read once (it was read from the start of the
    file, or back to the line's start, for every comment)."""
    from lexiam.terraform.hcl import normalise

    class Counted(str):
        read = 0

        def count(self, sub, start=0, end=None):  # noqa: ANN001, ANN201
            Counted.read += (len(self) if end is None else end) - start
            return str.count(self, sub, start, end)

        def rfind(self, sub, start=0, end=None):  # noqa: ANN001, ANN201
            Counted.read += (len(self) if end is None else end) - start
            return str.rfind(self, sub, start, end)

    n = 3_000
    text = Counted("".join(f"  /* own {i} */\n" for i in range(n)) + "x = [" + "".join(f"/*c*/{i}, " for i in range(n)) + "0]\n")
    _out, comments, _names = normalise(text, text)
    assert len(comments) == 2 * n
    assert [(c.line, c.column, c.own_line) for c in comments[:2]] == [(1, 3, True), (2, 3, True)]
    assert [(c.line, c.column, c.own_line) for c in comments[n:n + 2]] == [(n + 1, 6, False), (n + 1, 14, False)]
    assert Counted.read <= 2 * len(text)
