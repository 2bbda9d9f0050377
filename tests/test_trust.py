"""The scanned tree is untrusted (docs/security.md): each test builds an attack a pull request could make and
checks, through the real CLI, that it fails.  Every test here failed before the fix it guards."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_lexiam

BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
TEMPLATE = BAD.read_text(encoding="utf-8")


def _forged(text: str) -> bool:
    """Whether printed text holds a workflow command at a line start or a terminal escape."""
    return "\x1b" in text or "\x9b" in text or any(ln.lstrip().startswith("::") for ln in text.splitlines())


# --- writing files --------------------------------------------------------------------------------

def test_the_configuration_cannot_write_a_git_hook(tmp_path: Path) -> None:
    hooks = tmp_path / ".git" / "hooks"
    hooks.mkdir(parents=True)
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / ".lexiam.yaml").write_text("output: .git/hooks/pre-commit\n", encoding="utf-8")
    run = run_lexiam("scan", "t.yaml", cwd=tmp_path)
    assert run.code == 2 and ".git" in run.stderr
    assert not (hooks / "pre-commit").exists()


def test_a_report_never_keeps_an_execute_bit(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    out = tmp_path / "out" / "report.txt"
    out.parent.mkdir()
    out.write_text("#!/bin/sh\n")
    out.chmod(0o755)
    (tmp_path / ".lexiam.yaml").write_text("output: out/report.txt\n", encoding="utf-8")
    run = run_lexiam("scan", "t.yaml", cwd=tmp_path)
    assert run.code == 1 and "E9501" in out.read_text(encoding="utf-8")
    assert not stat.S_IMODE(out.stat().st_mode) & 0o111


@pytest.mark.parametrize("flag", ["--output", "--sarif-file", "--write-baseline"])
def test_output_never_follows_a_planted_link(tmp_path: Path, flag: str) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("keep me")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tree / "report.txt").symlink_to(secret)
    run = run_lexiam("scan", "t.yaml", flag, "report.txt", cwd=tree)
    assert run.code == 2 and "symbolic link" in run.stderr
    assert secret.read_text() == "keep me" and (tree / "report.txt").is_symlink()


def test_output_creates_its_folder(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    run = run_lexiam("scan", "t.yaml", "-o", "reports/lexiam/out.sarif", "--format", "sarif", cwd=tmp_path)
    assert run.code == 1
    assert json.loads((tmp_path / "reports" / "lexiam" / "out.sarif").read_text())["runs"][0]["results"]


# --- printed text ---------------------------------------------------------------------------------

EVIL_NAME = "x\n::error file=README.md,line=1::forged\x1b[2J.yaml"


def test_file_names_and_values_cannot_forge_commands_or_escapes(tmp_path: Path) -> None:
    (tmp_path / EVIL_NAME).write_text(TEMPLATE, encoding="utf-8")
    # an action whose text ends a line and starts a workflow command, with an ESC sequence
    evil = TEMPLATE.replace("- lex:CreateBotAlias", '- "lex:CreateBotAliasX\\n::add-mask::x\\e[31m"')
    assert evil != TEMPLATE
    (tmp_path / "v.yaml").write_text(evil, encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=tmp_path)
    assert run.code == 1
    assert not _forged(run.stdout) and not _forged(run.stderr), run.stdout
    assert "forged" in run.stdout and "add-mask" in run.stdout  # shown, escaped
    run = run_lexiam("scan", ".", "--format", "github", cwd=tmp_path)
    commands = [ln for ln in run.stdout.splitlines() if ln.startswith("::")]
    assert len(commands) == 2 and all(c.startswith("::error file=") for c in commands)  # one per finding, no more
    assert "\x1b" not in run.stdout and "forged" in run.stdout and "add-mask" in run.stdout


def test_warnings_on_stderr_are_sanitised(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / EVIL_NAME).write_text(TEMPLATE, encoding="utf-8")
    run = run_lexiam("scan", ".", "--max-files", "1", cwd=tmp_path)
    assert "--max-files" in run.stderr and "forged" in run.stderr
    assert not _forged(run.stderr)
    missing = run_lexiam("scan", "a.yaml", "no\x1b[2Jsuch\n::error::x", cwd=tmp_path)
    assert "no such file" in missing.stderr and not _forged(missing.stderr)


# --- names that are not UTF-8 -----------------------------------------------------------------------

NOT_UTF8 = os.fsdecode(b"bad\xff.yaml")


def test_names_that_are_not_utf8_do_not_crash_any_output(tmp_path: Path) -> None:
    (tmp_path / NOT_UTF8).write_text(TEMPLATE, encoding="utf-8")
    for fmt in ("json", "sarif", "text", "github"):
        run = run_lexiam("scan", ".", "--format", fmt, cwd=tmp_path)
        assert run.code == 1, (fmt, run.stderr)
    doc = run_lexiam("scan", ".", "--format", "json", cwd=tmp_path).json()
    assert doc["findings"][0]["file"] == NOT_UTF8  # the JSON escapes decode back to the same name
    sarif = json.loads(run_lexiam("scan", ".", "--format", "sarif", cwd=tmp_path).stdout)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%FF.yaml"
    assert run_lexiam("scan", ".", "-o", "r.json", "--format", "json", cwd=tmp_path).code == 1
    assert json.loads((tmp_path / "r.json").read_bytes().decode("utf-8"))["findings"][0]["file"] == NOT_UTF8
    run = run_lexiam("scan", ".", "--write-baseline", "b.json", cwd=tmp_path)
    assert run.code == 0 and run_lexiam("scan", ".", "--baseline", "b.json", cwd=tmp_path).code == 0
    text = run_lexiam("scan", ".", cwd=tmp_path).stdout
    assert "bad\\xff.yaml" in text


# --- the repository's configuration -----------------------------------------------------------------

def test_a_configuration_that_links_out_of_the_tree_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("fail-on: none\naws_secret_access_key: AKIASECRETVALUE\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    (repo / ".lexiam.yaml").symlink_to(secret)
    run = run_lexiam("scan", ".", cwd=repo)
    assert run.code == 2 and "symbolic link to outside its folder" in run.stderr
    assert "AKIASECRETVALUE" not in run.stdout + run.stderr


@pytest.mark.parametrize("name, text", [
    (".lexiam.yaml", "fail-on: none\nkey: [AKIASECRETVALUE\n"),
    (".lexiam.yaml", "x: 'AKIASECRETVALUE\n"),
    (".lexiam.yaml", "AKIASECRETVALUE: *undefined_AKIASECRETVALUE\n"),
    ("pyproject.toml", '[tool.lexiam]\nfail-on = AKIASECRETVALUE\n'),
])
def test_a_parse_error_never_prints_the_file(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / name).write_text(text)
    run = run_lexiam("scan", "t.yaml", cwd=tmp_path)
    assert run.code == 2 and "not valid" in run.stderr and "line" in run.stderr
    assert "AKIASECRET" not in run.stderr + run.stdout, run.stderr


def test_exclude_globs_match_in_polynomial_time() -> None:
    from lexiam.config import Glob

    name = "a" * 250
    glob = Glob("**/" + "*a" * 30 + "*b")  # as a backtracking regex: some 250**30 steps before saying no
    assert not glob.matches(["x"] * 20 + [name])
    assert glob.steps < 40 * 250 * 62  # names x (pattern parts) x the two-pointer bound for one name
    deep = Glob("/".join(["**"] * 50) + "/z")
    assert deep.matches(["y"] * 200 + ["z"]) and deep.steps < 200 * 51 * 4


ATTACK_CONFIG = """\
fail-on: none
format: json
output: swallowed.txt
sarif-file: swallowed.sarif
baseline: base.json
inline-ignores: false
ignore: [W]
select: [E95, W95, I95]
severity: {E9501: info, W9509: error}
max-file-size: 1G
exclude: [skipme]
"""


def _gate_tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "skipme").mkdir()
    (tmp_path / "skipme" / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    w = SAMPLES / "cloudformation" / "W9509-rp-wildcard-action" / "bad.yaml"
    (tmp_path / "w.yaml").write_text(w.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".lexiam.yaml").write_text(ATTACK_CONFIG, encoding="utf-8")
    (tmp_path / "base.json").write_text('{"lexiam_baseline": 2, "findings": []}')
    return tmp_path


def test_restricted_mode_keeps_the_gate(tmp_path: Path) -> None:
    tree = _gate_tree(tmp_path)
    run = run_lexiam("scan", ".", "--config-mode", "restricted", cwd=tree)
    assert run.code == 1, run.stderr  # fail-on none refused; E9501 stays an error
    for key in ("fail-on", "format", "output", "sarif-file", "baseline", "inline-ignores", "severity E9501",
                "max-file-size"):
        assert f": {key}: refused (--config-mode restricted" in run.stderr, key
    assert "severity W9509" not in run.stderr  # raising a severity is allowed
    assert not (tree / "swallowed.txt").exists() and not (tree / "swallowed.sarif").exists()
    assert run.stdout.startswith("t.yaml") or "t.yaml" in run.stdout  # text on stdout, not redirected
    doc = run_lexiam("scan", ".", "--config-mode", "restricted", "--format", "json", cwd=tree).json()
    by_rule = {(f["rule_id"], f["file"]): f for f in doc["findings"]}
    assert by_rule[("E9501", "t.yaml")]["severity"] == "error" and "suppressed" not in by_rule[("E9501", "t.yaml")]
    w9509 = by_rule[("W9509", "w.yaml")]
    assert w9509["severity"] == "error" and w9509["suppressed_by"] == "config"  # visible, marked, not dropped
    assert doc["summary"]["skipped"] >= 1
    sarif = json.loads(run_lexiam("scan", ".", "--config-mode", "restricted", "--format", "sarif", cwd=tree).stdout)
    assert any(r.get("suppressions") for r in sarif["runs"][0]["results"])


def test_trusted_and_off_modes(tmp_path: Path) -> None:
    tree = _gate_tree(tmp_path)
    trusted = run_lexiam("scan", ".", cwd=tree)  # the default: the configuration is applied whole
    assert trusted.code == 0 and trusted.stdout == "" and (tree / "swallowed.txt").exists()
    off = run_lexiam("scan", ".", "--config-mode", "off", "--format", "json", cwd=tree)
    assert off.code == 1 and {f["file"] for f in off.json()["findings"]} == {"t.yaml", "w.yaml", "skipme/t.yaml"}


def test_an_exclude_is_listed_as_skipped(tmp_path: Path) -> None:
    tree = _gate_tree(tmp_path)
    (tree / ".lexiam.yaml").write_text('exclude: ["**"]\nformat: json\n', encoding="utf-8")
    doc = run_lexiam("scan", ".", cwd=tree).json()
    assert doc["findings"] == [] and doc["summary"]["skipped"] >= 3 and doc["summary"]["scanned"] == 0


# --- the prefilter ----------------------------------------------------------------------------------

PLAIN_POLICY = """\
AWSTemplateFormatVersion: "2010-09-09"
{R}:
  Bot:
    Type: "AWS::{L}ex::Bot"
    Properties: {{Name: B, RoleArn: "arn:aws:iam::123456789012:role/r"}}
  Policy:
    Type: "AWS::{L}ex::ResourcePolicy"
    Properties:
      ResourceArn: !GetAtt Bot.Arn
      Policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{AWS: "arn:aws:iam::123456789012:root"}}
            Action: "{l}ex:CreateBot"
            Resource: !GetAtt Bot.Arn
"""


@pytest.mark.parametrize("name, escapes", [
    ("plain.yaml", {"L": "L", "l": "l", "R": "Resources"}),
    ("hex.yaml", {"L": "\\x4c", "l": "\\x6c", "R": "Resources"}),
    ("utf16.yaml", {"L": "\\u004C", "l": "\\u006c", "R": '"\\u0052esources"'}),
    ("long.yaml", {"L": "\\U0000004c", "l": "\\U0000006C", "R": "Resources"}),
    ("joined.yaml", {"L": "L\\\n      ", "l": "l\\\n     ", "R": "Resources"}),  # an escaped line break
])
def test_escapes_cannot_make_the_prefilter_skip_a_file(tmp_path: Path, name: str, escapes: dict[str, str]) -> None:
    text = PLAIN_POLICY.format(**escapes)
    assert name == "plain.yaml" or "lex" not in text.lower()
    (tmp_path / name).write_text(text, encoding="utf-8")
    run = run_lexiam("scan", name, "--format", "json", cwd=tmp_path)
    assert "E9501" in [f["rule_id"] for f in run.json()["findings"]], run.stdout


def test_json_escapes_cannot_make_the_prefilter_skip_a_file(tmp_path: Path) -> None:
    doc = {"Resources": {
        "Bot": {"Type": "AWS::Lex::Bot", "Properties": {"Name": "B", "RoleArn": "arn:aws:iam::123456789012:role/r"}},
        "Policy": {"Type": "AWS::Lex::ResourcePolicy", "Properties": {
            "ResourceArn": {"Fn::GetAtt": ["Bot", "Arn"]},
            "Policy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "lex:CreateBot", "Resource": {"Fn::GetAtt": ["Bot", "Arn"]}}]}}}}}
    text = json.dumps(doc).replace("Lex", "\\u004cex").replace("lex", "\\u006cex")
    assert "lex" not in text.lower()
    (tmp_path / "t.json").write_text(text, encoding="utf-8")
    run = run_lexiam("scan", "t.json", "--format", "json", cwd=tmp_path)
    assert "E9501" in [f["rule_id"] for f in run.json()["findings"]], run.stdout


# --- positions --------------------------------------------------------------------------------------

@pytest.mark.parametrize("brk", ["\u2028", "\u0085", "\u2029", "\r"])
def test_unicode_line_breaks_do_not_shift_line_numbers(tmp_path: Path, brk: str) -> None:
    lines = TEMPLATE.split("\n")
    desc = next(i for i, ln in enumerate(lines) if ln.startswith("Description:"))
    lines[desc] = f'Description: "one{brk}two{brk}three"'
    (tmp_path / "t.yaml").write_bytes("\n".join(lines).encode("utf-8"))
    (finding,) = run_lexiam("scan", "t.yaml", "--format", "json", cwd=tmp_path).json()["findings"]
    assert (finding["line"], finding["column"]) == (70, 17)  # as GitHub counts lines: at LF only
    assert lines[69][16:].startswith("lex:CreateBotAlias")


@pytest.mark.parametrize("brk", ["\u2028", "\u0085", "\r"])
def test_unicode_line_breaks_do_not_shift_positions_inside_json_policy_text(tmp_path: Path, brk: str) -> None:
    """A position inside a JSON policy string is mapped through the source lines: they are split at LF only."""
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/x"},
                                        "Action": ["lex:CreateBot"], "Resource": "*"}]})
    (tmp_path / "t.yaml").write_text(f"""AWSTemplateFormatVersion: "2010-09-09"
Description: "one{brk}two"
Resources:
  BotPolicy:
    Type: AWS::Lex::ResourcePolicy
    Properties:
      ResourceArn: arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ
      Policy: '{policy}'
""", encoding="utf-8", newline="")
    run = run_lexiam("scan", "t.yaml", "--format", "json", "--fail-on", "none", cwd=tmp_path)
    (finding,) = [f for f in run.json()["findings"] if f["rule_id"] == "E9501"]
    row = (tmp_path / "t.yaml").read_bytes().decode("utf-8").split("\n")[7]
    assert (finding["line"], finding["column"]) == (8, row.index('"lex:CreateBot"') + 1)


# --- Fn::ForEach ------------------------------------------------------------------------------------

FOREACH = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Names: {{Type: CommaDelimitedList{default}}}
Resources:
  Bot:
    Type: AWS::Lex::Bot
    Properties: {{Name: B, RoleArn: !GetAtt Role.Arn}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{Effect: Allow, Principal: {{Service: lexv2.amazonaws.com}}, Action: sts:AssumeRole}}]
  Fn::ForEach::Policies:
    - Name
    - {collection}
    - Policy${{Name}}:
        Type: AWS::Lex::ResourcePolicy
        Properties:
          ResourceArn: !GetAtt Bot.Arn
          Policy:
            Version: "2012-10-17"
            Statement:
              - Sid: !Sub "Allow${{Name}}"
                Effect: Allow
                Principal: {{AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:root"}}
                Action: lex:CreateBot
                Resource: !GetAtt Bot.Arn
"""


def test_foreach_loops_are_expanded(tmp_path: Path) -> None:
    for name, collection, default in (("list.yaml", "[A, B]", ""), ("ref.yaml", "!Ref Names", ", Default: 'A,B'")):
        (tmp_path / name).write_text(FOREACH.format(collection=collection, default=default), encoding="utf-8")
        found = run_lexiam("scan", name, "--format", "json", cwd=tmp_path).json()["findings"]
        assert sorted((f["rule_id"], f["resource"], f["line"]) for f in found) == [
            ("E9501", "PolicyA", 27), ("E9501", "PolicyB", 27)], found


def test_a_loop_that_cannot_be_expanded_is_reported(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(FOREACH.format(collection="!Ref Names", default=""), encoding="utf-8")
    run = run_lexiam("scan", "t.yaml", "--format", "sarif", cwd=tmp_path)
    assert "t.yaml:14: Fn::ForEach::Policies: its collection is not known before deploy" in run.stderr
    notes = json.loads(run.stdout)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("Fn::ForEach::Policies" in n["message"]["text"] for n in notes)


def test_nested_loops_are_charged_to_the_node_budget(tmp_path: Path) -> None:
    items = "[" + ", ".join(f"i{i}" for i in range(100)) + "]"
    loops = "".join(f"{'  ' * (2 * d + 1)}Fn::ForEach::L{d}:\n{'  ' * (2 * d + 2)}- V{d}\n{'  ' * (2 * d + 2)}- {items}\n"
                    f"{'  ' * (2 * d + 2)}-\n" for d in range(5))
    body = "  " * 11 + "R${V0}${V1}${V2}${V3}${V4}:\n" + "  " * 12 + "Type: AWS::Lex::Bot\n"
    text = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::LanguageExtensions\nResources:\n" + loops + body
    (tmp_path / "bomb.yaml").write_text(text, encoding="utf-8")  # 100**5 resources as written
    run = run_lexiam("scan", "bomb.yaml", "--max-nodes", "20000", "--format", "json", cwd=tmp_path)
    (err,) = run.json()["findings"]
    assert err["rule_id"] == "E9500" and "too many nodes (Fn::ForEach expansion)" in err["message"]


# --- one mistake repeated --------------------------------------------------------------------------------

def test_a_mistake_repeated_in_one_statement_is_capped_with_a_notice(tmp_path: Path) -> None:
    from lexiam import engine

    n = engine.MAX_PER_RULE + 250
    doc = {"Resources": {
        "Bot": {"Type": "AWS::Lex::Bot", "Properties": {"Name": "b"}},
        "Policy": {"Type": "AWS::Lex::ResourcePolicy", "Properties": {
            "ResourceArn": {"Fn::GetAtt": ["Bot", "Arn"]}, "Policy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": ["lex:CreateBot"] * n, "Resource": {"Fn::GetAtt": ["Bot", "Arn"]}}]}}}}}
    (tmp_path / "t.json").write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")  # one line
    run = run_lexiam("scan", "t.json", "--format", "json", cwd=tmp_path)
    assert sum(f["rule_id"] == "E9501" for f in run.json()["findings"]) == engine.MAX_PER_RULE
    assert f"t.json: 250 more E9501 findings were not reported (at most {engine.MAX_PER_RULE}" in run.stderr
    text = run_lexiam("scan", "t.json", cwd=tmp_path).stdout  # each excerpt a window of the one long line
    assert max(len(line) for line in text.splitlines()) < 400


def test_what_a_restricted_configuration_takes_out_of_the_gate_is_annotated(tmp_path: Path) -> None:
    tree = _gate_tree(tmp_path)
    (tree / ".lexiam.yaml").write_text("ignore: [E9501]\nexclude: [skipme]\n", encoding="utf-8")
    run = run_lexiam("scan", ".", "--config-mode", "restricted", "--format", "github", cwd=tree)
    (note,) = [ln for ln in run.stdout.splitlines() if ln.startswith("::warning title=lexiam configuration::")]
    assert "suppressed 1 finding and excluded 1 path from the scan" in note
    assert not any(ln.startswith("::error") and "E9501" in ln for ln in run.stdout.splitlines())


def test_suppressions_that_do_nothing_are_capped_with_a_notice(tmp_path: Path) -> None:
    from lexiam import model

    n = model.MAX_PER_RULE + 40
    (tmp_path / "main.tf").write_text('resource "aws_lexv2models_bot" "b" {\n' + "# lexiam: ignore E9501\n" * n + "}\n",
                                      encoding="utf-8")
    run = run_lexiam("scan", ".", "--format", "json", "--no-config", cwd=tmp_path)
    assert sum(f["rule_id"] == "I9590" for f in run.json()["findings"]) == model.MAX_PER_RULE
    assert f"main.tf: 40 more I9590 findings were not reported (at most {model.MAX_PER_RULE}" in run.stderr
    quiet = run_lexiam("scan", ".", "--format", "json", "--no-config", "--ignore", "I9590", cwd=tmp_path)
    assert quiet.json()["findings"] == [] and "I9590" not in quiet.stderr


def test_comment_suppressions_in_yaml_count_each_line_once() -> None:
    from lexiam.cloudformation import comment_suppressions

    class Counted(str):
        """A text that adds up the characters its line counting reads."""

        read = 0

        def count(self, sub, start=0, end=None):  # noqa: ANN001, ANN201
            Counted.read += (len(self) if end is None else end) - start
            return str.count(self, sub, start, end)

    n = 5_000
    text = Counted("Resources:\n  Bot:\n    Type: AWS::Lex::Bot\n" + "# lexiam: ignore E9501\n" * n)
    found = comment_suppressions(text, "t.yaml")
    assert [s.loc.line for s in found] == list(range(4, 4 + n))
    assert Counted.read <= len(text)  # it read the text once (one count per comment from the start: 300 times as much)
