"""Terraform JSON syntax (``*.tf.json``): every rule works on it as on ``.tf``, at exact positions.

The sample conversion: python-hcl2 reads each ``.tf`` of the Terraform samples into the dict shape of
Terraform JSON (blocks marked ``__is_block__``, expressions as ``"${...}"`` strings); written out as
``.tf.json``, each sample must give the rule IDs its ``.tf`` original gives.  Terraform JSON has no
comments, so both sides are scanned with ``--no-inline-ignores``.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_lexiam
from tests.terraform.conftest import FIXTURES

TF_SAMPLES = sorted(p for p in (SAMPLES / "terraform").glob("*/*") if p.is_dir() and p.name in ("bad", "good"))


def _terraform_json(node: object) -> object:
    """python-hcl2's dict -> Terraform JSON: the block markers dropped, everything else as it is."""
    if isinstance(node, dict):
        return {k: _terraform_json(v) for k, v in node.items() if k != "__is_block__"}
    if isinstance(node, list):
        return [_terraform_json(v) for v in node]
    return node


def _convert(tf: Path, out: Path) -> None:
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, preserve_heredocs=False)
    try:
        data = hcl2.loads(tf.read_text(encoding="utf-8"), serialization_options=options)
    except Exception:  # noqa: BLE001 - a sample that does not parse: its JSON does not parse either
        out.write_text('{"resource": {"aws_lexv2models_bot": {"order": {"idle_session_ttl_in_seconds": 300 300}}}}\n',
                       encoding="utf-8")
        return
    out.write_text(json.dumps(_terraform_json(data), indent=2) + "\n", encoding="utf-8")


def _rule_ids(root: Path) -> dict[str, collections.Counter[str]]:
    """sample folder (relative to root) -> the rule IDs reported in it, with their counts."""
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--no-inline-ignores",
                     cwd=root)
    assert run.code == 0, run.stderr
    out: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for f in run.json()["findings"]:
        out[str(Path(f["file"]).parent)][f["rule_id"]] += 1
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tfjson")
    for sample in TF_SAMPLES:
        target = root / sample.relative_to(SAMPLES)
        target.mkdir(parents=True)
        for tf in sorted(sample.glob("*.tf")):
            _convert(tf, target / (tf.name + ".json"))
    return root


def test_every_terraform_sample_gives_the_same_rule_ids_in_json_syntax(converted: Path) -> None:
    assert len(TF_SAMPLES) >= 40
    originals = _rule_ids(SAMPLES)
    conversions = _rule_ids(converted)
    for sample in TF_SAMPLES:
        key = str(sample.relative_to(SAMPLES))
        assert conversions.get(key, collections.Counter()) == originals.get(key, collections.Counter()), key
    # the comparison is not vacuous: every bad sample reports something
    assert all(originals.get(str(s.relative_to(SAMPLES))) for s in TF_SAMPLES if s.name == "bad")
    assert not list(converted.rglob("*.tf"))


def test_the_conversion_is_json_with_expressions_as_templates(converted: Path) -> None:
    text = (converted / "terraform/W9509-rp-wildcard-action/bad/main.tf.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert "__is_block__" not in text
    role = data["resource"][0]["aws_iam_role"]["bot"]
    assert role["assume_role_policy"].startswith("${jsonencode(")


# --- a hand-written file: positions ---------------------------------------------------------------

# every construct of the JSON syntax that the rules read; " LS" stands for a raw U+2028, put in by the test
HAND_WRITTEN = FIXTURES / "json" / "main.tf.json"


def _at(path: Path, token: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of a token, lines counted at line feeds only (as Terraform and editors do)."""
    seen = 0
    for number, row in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        col = row.find(token)
        while col >= 0:
            if seen == nth:
                return number, col + 1
            seen += 1
            col = row.find(token, col + 1)
    raise AssertionError(token)


def _scan(folder: Path, *args: str) -> list[dict]:
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", *args, cwd=folder)
    assert run.code == 0, run.stderr
    return run.json()["findings"]


def _found(findings: list[dict]) -> set[tuple[str, str, int, int]]:
    return {(f["rule_id"], f["file"], f["line"], f["column"]) for f in findings}


def test_positions_in_a_hand_written_file(tmp_path: Path) -> None:
    path = tmp_path / "main.tf.json"
    # two raw U+2028 (YAML, hence the positioned reader, counts them as line breaks; Terraform does not)
    path.write_text(HAND_WRITTEN.read_text(encoding="utf-8").replace(" LS", "\u2028"), encoding="utf-8")
    findings = _scan(tmp_path)
    assert _found(findings) == {
        ("W9509", "main.tf.json", *_at(path, '"lex:*"')),  # in a statement block written as an array
        ("E9540", "main.tf.json", *_at(path, r'\"lex:RecognizeTexts\"')),  # inside ${jsonencode(...)}, escaped
        ("W9560", "main.tf.json", *_at(path, '"lexv2.amazonaws.com"')),  # after an emoji as two escapes
    }
    by_rule = {f["rule_id"]: f for f in findings}
    assert by_rule["W9509"]["path"] == ["policy", "Statement", 0, "Action"]
    assert by_rule["W9509"]["resource"] == "awscc_lex_resource_policy.bot"
    assert by_rule["E9540"]["path"] == ["policy", "Statement", 0, "Action"]
    assert (by_rule["E9540"]["end_line"], by_rule["E9540"]["end_column"]) == (
        by_rule["E9540"]["line"], by_rule["E9540"]["column"] + len(r'\"lex:RecognizeTexts\"'))
    assert by_rule["W9560"]["path"] == ["principal"]


def test_json_text_in_a_json_string_is_positioned_character_by_character(tmp_path: Path) -> None:
    path = tmp_path / "policy.tf.json"
    path.write_text(json.dumps({"resource": {
        "aws_lexv2models_bot": {"order": {"name": "OrderBot"}},
        "awscc_lex_resource_policy": {"bot": {
            "resource_arn": "${aws_lexv2models_bot.order.arn}",
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "lex:*", "Resource": "${aws_lexv2models_bot.order.arn}"}]})}}}}, indent=2) + "\n")
    assert _found(_scan(tmp_path, "--account-id", "111122223333")) == {
        ("W9509", "policy.tf.json", *_at(path, r'\"lex:*\"'))}


def test_hcl_and_json_files_of_a_folder_are_one_module(tmp_path: Path) -> None:
    # the .tf file never mentions Lex: it is parsed because it refers to what the JSON file declares
    (tmp_path / "roles.tf").write_text('''resource "aws_iam_role_policy" "bot" {
  role = aws_iam_role.bot.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "${local.service}:RecognizeTexts", Resource = "*" }]
  })
}
''')
    bot = tmp_path / "bot.tf.json"
    bot.write_text(json.dumps({
        "locals": {"service": "lex", "actions": ["lex:*"]},
        "resource": {
            "aws_iam_role": {"bot": {"assume_role_policy": "${jsonencode({Statement = [{Effect = \"Allow\", "
                                                           "Principal = {Service = \"lexv2.amazonaws.com\"}, "
                                                           "Action = \"sts:AssumeRole\"}]})}"}},
            "aws_lexv2models_bot": {"order": {"name": "OrderBot", "role_arn": "${aws_iam_role.bot.arn}"}},
            "awscc_lex_resource_policy": {"bot": {"resource_arn": "${aws_lexv2models_bot.order.arn}",
                                                  "policy": "${data.aws_iam_policy_document.bot.json}"}}}}, indent=1))
    (tmp_path / "policy.tf").write_text('''data "aws_iam_policy_document" "bot" {
  statement {
    actions   = local.actions
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
''')
    found = _found(_scan(tmp_path, "--account-id", "111122223333"))
    roles = tmp_path / "roles.tf"
    assert found == {
        ("E9540", "roles.tf", *_at(roles, '"${local.service}:RecognizeTexts"')),  # a JSON local in a .tf
        ("W9509", "bot.tf.json", *_at(bot, '"lex:*"')),  # a JSON local through a .tf policy document
    }


def test_a_module_called_from_json(tmp_path: Path) -> None:
    main = tmp_path / "main.tf.json"
    main.write_text(json.dumps({"module": {"bot": {"source": "./modules/bot", "action": "lex:*"}}}, indent=2))
    child = tmp_path / "modules" / "bot"
    child.mkdir(parents=True)
    (child / "main.tf").write_text('''variable "action" {}
resource "aws_lexv2models_bot" "order" {
  name = "OrderBot"
}
resource "awscc_lex_resource_policy" "bot" {
  resource_arn = aws_lexv2models_bot.order.arn
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" },
                   Action = var.action, Resource = aws_lexv2models_bot.order.arn }]
  })
}
''')
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    findings = run.json()["findings"]
    assert _found(findings) == {("W9509", "main.tf.json", *_at(main, '"lex:*"'))}
    assert findings[0]["resource"] == "module.bot.awscc_lex_resource_policy.bot"


def test_variables_of_a_json_module_from_tfvars_json(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfvars.json").write_text('{"action": "lex:*"}\n')
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "variable": {"action": {"type": "string", "default": "${not a template}"}},
        "resource": {"aws_lexv2models_bot": {"order": {"name": "OrderBot"}},
                     "awscc_lex_resource_policy": {"bot": {
                         "resource_arn": "${aws_lexv2models_bot.order.arn}",
                         "policy": "${jsonencode({Statement = [{Effect = \"Allow\", Principal = {AWS = "
                                   "\"arn:aws:iam::111122223333:root\"}, Action = var.action, Resource = \"*\"}]})}"}}}},
        indent=2))
    found = _found(_scan(tmp_path, "--account-id", "111122223333"))
    assert found == {("W9509", "terraform.tfvars.json", *_at(tmp_path / "terraform.tfvars.json", '"lex:*"'))}


def test_what_is_not_terraform_json_is_one_e9500_each(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    bad = tmp_path / "a" / "bad.tf.json"
    bad.write_text('{"resource": {"aws_lexv2models_bot": {"b": {"name": "x",}}}}\n')  # a trailing comma
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "list.tf.json").write_text('["aws_lexv2models_bot"]\n')
    (tmp_path / "c").mkdir()
    dup = tmp_path / "c" / "dup.tf.json"
    policy = ('{Statement = [{Effect = "Allow", Principal = {AWS = "arn:aws:iam::111122223333:root"}, '
              'Action = "lex:*", Resource = "*"}]}')
    dup.write_text('{\n  "resource": {"aws_lexv2models_bot": {"order": {"name": "OrderBot"}}},\n  "resource": '
                   + json.dumps({"awscc_lex_resource_policy": {"bot": {"resource_arn": "${aws_lexv2models_bot.order.arn}",
                                                                       "policy": f"${{jsonencode({policy})}}"}}})
                   + "\n}\n")
    findings = _scan(tmp_path, "--account-id", "111122223333")
    errors = {(f["file"], f["line"], f["column"]): f["message"] for f in findings if f["rule_id"] == "E9500"}
    assert errors == {
        ("a/bad.tf.json", 1, _at(bad, ",}")[1] + 1):
            "cannot parse the Terraform JSON: not valid JSON: Expecting property name enclosed in double quotes",
        ("b/list.tf.json", 1, 1): "cannot parse the Terraform JSON: a Terraform JSON file is one JSON object",
        ("c/dup.tf.json", 3, 3): "the key 'resource' is written twice in one object: only its last value is read",
    }
    # the rest of the file with a key written twice is still read
    assert ("W9509", "c/dup.tf.json", *_at(dup, '\\"lex:*\\"')) in _found(findings)


def test_a_tf_json_file_is_terraform_not_cloudformation(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"resource": {"aws_lexv2models_bot": {"order": {"name": "OrderBot"}}}}\n')
    run = run_lexiam("scan", ".", "--fail-on", "none", "--no-config", cwd=tmp_path)
    assert "1 scanned" in run.stdout, run.stdout
