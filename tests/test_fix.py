"""``lexiam fix``: byte-exact splices in every syntax, what it refuses to fix and why, how it checks itself,
how it writes, and what SARIF and the GitHub step summary say of it.  Every test runs the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, run_lexiam
from tests.fixcheck import parses
from tests.sarif_validation import check_sarif_text

POLICY = "AWS::IAM::ManagedPolicy"
ALIAS_ARN = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST"
CALLER = "arn:aws:iam::123456789012:role/caller"


def fixed(tmp_path: Path, name: str, text: str, *args: str) -> tuple[str, str]:
    """Write a file, run ``lexiam fix`` on it, return its new text and lexiam's stderr."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    run = run_lexiam("fix", "--fail-on", "none", *args, name, cwd=tmp_path)
    assert run.code == 0, run.stderr
    after = path.read_text(encoding="utf-8")
    assert parses(path), after
    return after, run.stderr


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = textwrap.dedent(before).splitlines(), after.splitlines()
    assert len(a) == len(b), (a, b)
    return [(x, y) for x, y in zip(a, b) if x != y]


# --- YAML --------------------------------------------------------------------------------------------------

YAML_STYLES = f"""\
    Resources:
      P:
        Type: {POLICY}
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [lexv2:RecognizeText, 'lex:RecognizeTxt', "lex:ListBots,"]  # a flow list
                Resource: "*"
              - Effect: Allow
                Action: !Sub "lexv2:RecognizeUtterance"
                Resource: "*"
              - Effect: Allow
                Action:
                  Fn::Sub: 'lex:DeleteSession '
                Resource: "*"
              - Effect: Allow
                Action:
                  - lexv2:PutSession
                  - "lex:GetSession\\t"
                Resource: "*"
    """


def test_yaml_scalars_keep_their_style(tmp_path: Path) -> None:
    after, err = fixed(tmp_path, "t.yaml", YAML_STYLES)
    assert diff_lines(YAML_STYLES, after) == [
        ("            Action: [lexv2:RecognizeText, 'lex:RecognizeTxt', \"lex:ListBots,\"]  # a flow list",
         "            Action: [lex:RecognizeText, 'lex:RecognizeText', \"lex:ListBots\"]  # a flow list"),
        ('            Action: !Sub "lexv2:RecognizeUtterance"', '            Action: !Sub "lex:RecognizeUtterance"'),
        ("              Fn::Sub: 'lex:DeleteSession '", "              Fn::Sub: 'lex:DeleteSession'"),
        ("              - lexv2:PutSession", "              - lex:PutSession"),
        ('              - "lex:GetSession\\t"', '              - "lex:GetSession"'),
    ]
    assert "fixed 7 findings in 1 file (E9540 7)" in err


JSON_IN_STRINGS = f"""\
    Resources:
      Block:
        Type: {POLICY}
        Properties:
          PolicyDocument: |
            {{
              "Statement": [{{"Effect": "Allow", "Action": ["lexv2:RecognizeText"], "Resource": "*"}}]
            }}
      SubBlock:
        Type: {POLICY}
        Properties:
          PolicyDocument: !Sub |
            {{"Statement": [{{
              "Effect": "Allow",
              "Action": "lex:RecognizeTxt",
              "Resource": "arn:${{AWS::Partition}}:lex:${{AWS::Region}}:${{AWS::AccountId}}:bot-alias/*"}}]}}
      Quoted:
        Type: {POLICY}
        Properties:
          PolicyDocument: "{{\\"Statement\\": [{{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"lexv2:RecognizeText\\", \\"Resource\\": \\"*\\"}}]}}"
      Single:
        Type: {POLICY}
        Properties:
          PolicyDocument: '{{"Statement": [{{"Effect": "Allow", "Action": "lex:DeleteSession ", "Resource": "*"}}]}}'
    """  # noqa: E501


def test_json_policies_inside_yaml_strings(tmp_path: Path) -> None:
    after, err = fixed(tmp_path, "t.yaml", JSON_IN_STRINGS)
    assert [y for _x, y in diff_lines(JSON_IN_STRINGS, after)] == [
        '          "Statement": [{"Effect": "Allow", "Action": ["lex:RecognizeText"], "Resource": "*"}]',
        '          "Action": "lex:RecognizeText",',
        '      PolicyDocument: "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"lex:RecognizeText\\", '
        '\\"Resource\\": \\"*\\"}]}"',
        "      PolicyDocument: '{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"lex:DeleteSession\", "
        "\"Resource\": \"*\"}]}'",
    ]
    assert "fixed 4 findings" in err


RESOURCE_POLICIES = f"""\
    Resources:
      BlockList:
        Type: AWS::Lex::ResourcePolicy
        Properties:
          ResourceArn: {ALIAS_ARN}
          Policy:
            Statement:
              - Effect: Allow
                Principal: {{AWS: "{CALLER}"}}
                Action:
                  - lex:CreateBot  # first
                  - lex:RecognizeText
                  - lex:ListBots
                  - lex:RecognizeUtterance
                  - lex:TagResource
      FlowList:
        Type: AWS::Lex::ResourcePolicy
        Properties:
          ResourceArn: {ALIAS_ARN}
          Policy:
            Statement:
              - Effect: Allow
                Principal: {{AWS: "{CALLER}"}}
                Action: [lex:CreateBot, lex:RecognizeText, lex:ListBots, lex:ListImports]
              - Effect: Allow
                Principal: {{AWS: "{CALLER}"}}
                Action: [
                  lex:RecognizeText,
                  lex:CreateUploadUrl  # last, on its own line
                ]
      Only:
        Type: AWS::Lex::ResourcePolicy
        Properties:
          ResourceArn: {ALIAS_ARN}
          Policy:
            Statement:
              - Effect: Allow
                Principal: {{AWS: "{CALLER}"}}
                Action: lex:CreateBot
              - Effect: Allow
                Principal: {{AWS: "{CALLER}"}}
                Action: [lex:CreateBot, lex:ListBots]
      Text:
        Type: AWS::Lex::ResourcePolicy
        Properties:
          ResourceArn: {ALIAS_ARN}
          Policy: |
            {{
              "Statement": [
                {{
                  "Effect": "Allow",
                  "Principal": {{"AWS": "{CALLER}"}},
                  "Action": [
                    "lex:RecognizeText",
                    "lex:CreateBot"
                  ]
                }}
              ]
            }}
    """


def test_removals_keep_lists_valid(tmp_path: Path) -> None:
    after, err = fixed(tmp_path, "rp.yaml", RESOURCE_POLICIES)
    assert after == textwrap.dedent(RESOURCE_POLICIES).replace(
        "              - lex:CreateBot  # first\n", "").replace(
        "              - lex:ListBots\n              - lex:RecognizeUtterance\n              - lex:TagResource\n",
        "              - lex:RecognizeUtterance\n").replace(
        "[lex:CreateBot, lex:RecognizeText, lex:ListBots, lex:ListImports]", "[lex:RecognizeText]").replace(
        "              lex:RecognizeText,\n              lex:CreateUploadUrl  # last, on its own line\n",
        "              lex:RecognizeText\n").replace(
        '                "lex:RecognizeText",\n                "lex:CreateBot"\n', '                "lex:RecognizeText"\n')
    # a statement whose every action is one the policy cannot hold gets no fix: never an empty Action
    assert "fixed 8 findings in 1 file (E9501 8)" in err and "Only" in after and after.count("lex:CreateBot") == 2


RESOURCE_POLICY_JSON = f"""\
    {{
        "Resources": {{
            "Policy": {{
                "Type": "AWS::Lex::ResourcePolicy",
                "Properties": {{
                    "ResourceArn": "{ALIAS_ARN}",
                    "Policy": {{
                        "Statement": [
                            {{
                                "Effect": "Allow",
                                "Principal": {{"AWS": "{CALLER}"}},
                                "Action": [
                                    "lex:RecognizeText",
                                    "lex:CreateBot"
                                ]
                            }},
                            {{
                                "Effect": "Allow",
                                "Principal": {{"AWS": "{CALLER}"}},
                                "Action": ["lex:CreateBot", "lex:RecognizeText", "lexv2:DeleteSession"]
                            }}
                        ]
                    }}
                }}
            }},
            "Text": {{
                "Type": "AWS::Lex::ResourcePolicy",
                "Properties": {{
                    "ResourceArn": "{ALIAS_ARN}",
                    "Policy": "{{\\"Statement\\": [{{\\"Effect\\": \\"Allow\\", \\"Principal\\": {{\\"AWS\\": \\"{CALLER}\\"}}, \\"Action\\": [\\"lex:ListBots\\", \\"lex:RecognizeText\\"]}}]}}"
                }}
            }}
        }}
    }}
    """  # noqa: E501


def test_json_files_keep_indentation_and_order(tmp_path: Path) -> None:
    after, err = fixed(tmp_path, "rp.json", RESOURCE_POLICY_JSON)
    want = re.sub(r'"lex:RecognizeText",\n *"lex:CreateBot"\n', '"lex:RecognizeText"\n', textwrap.dedent(RESOURCE_POLICY_JSON))
    want = want.replace('["lex:CreateBot", "lex:RecognizeText", "lexv2:DeleteSession"]',
                        '["lex:RecognizeText", "lex:DeleteSession"]').replace(
        '[\\"lex:ListBots\\", \\"lex:RecognizeText\\"]', '[\\"lex:RecognizeText\\"]')
    assert after == want
    assert list(json.loads(after)["Resources"]) == ["Policy", "Text"]
    assert "fixed 4 findings in 1 file (E9501 3, E9540 1)" in err


# --- HCL ---------------------------------------------------------------------------------------------------

HCL = """\
    variable "action" {
      default = "lexv2:RecognizeText"
    }

    locals {
      runtime = ["lex:RecognizeTxt", "lex:DeleteSession"]
    }

    resource "aws_iam_policy" "encoded" {
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["lexv2:RecognizeText", "lex:ListBots"] # a tuple
          Resource = "*"
        }]
      })
    }

    resource "aws_iam_policy" "heredoc" {
      policy = <<EOF
    {
      "Statement": [{"Effect": "Allow", "Action": "lexv2:RecognizeUtterance", "Resource": "${var.action}"}]
    }
    EOF
    }

    resource "aws_iam_policy" "indented" {
      policy = <<-JSON
        {
          "Statement": [
            {"Effect": "Allow", "Action": ["lex:ListBots,"], "Resource": "*"}
          ]
        }
      JSON
    }

    resource "aws_iam_policy" "quoted" {
      policy = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"lexv2:RecognizeText\\", \\"Resource\\": \\"*\\"}]}"
    }

    resource "aws_iam_policy" "from_var" {
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.action, Resource = "*" }] })
    }

    resource "aws_iam_policy" "from_local" {
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.runtime, Resource = "*" }] })
    }
    """  # noqa: E501


def test_hcl_strings_tuples_heredocs_and_json_strings(tmp_path: Path) -> None:
    after, err = fixed(tmp_path, "main.tf", HCL)
    assert diff_lines(HCL, after) == [
        ('  runtime = ["lex:RecognizeTxt", "lex:DeleteSession"]', '  runtime = ["lex:RecognizeText", "lex:DeleteSession"]'),
        ('      Action   = ["lexv2:RecognizeText", "lex:ListBots"] # a tuple',
         '      Action   = ["lex:RecognizeText", "lex:ListBots"] # a tuple'),
        ('  "Statement": [{"Effect": "Allow", "Action": "lexv2:RecognizeUtterance", "Resource": "${var.action}"}]',
         '  "Statement": [{"Effect": "Allow", "Action": "lex:RecognizeUtterance", "Resource": "${var.action}"}]'),
        ('        {"Effect": "Allow", "Action": ["lex:ListBots,"], "Resource": "*"}',
         '        {"Effect": "Allow", "Action": ["lex:ListBots"], "Resource": "*"}'),
        ('  policy = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"lexv2:RecognizeText\\", '
         '\\"Resource\\": \\"*\\"}]}"',
         '  policy = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"lex:RecognizeText\\", '
         '\\"Resource\\": \\"*\\"}]}"'),
    ]
    # a misspelt action is wrong wherever it is written (the local); a variable's default is never fixed
    assert re.search(r"not fixed: main.tf:2:13 E9540: the value is the default of variable action", err)


HCL_RESOURCE_POLICY = f"""\
    resource "awscc_lex_resource_policy" "alias" {{
      resource_arn = "{ALIAS_ARN}"
      policy = jsonencode({{
        Statement = [{{
          Effect    = "Allow"
          Principal = {{ AWS = "{CALLER}" }}
          Action = [
            "lex:RecognizeText", # runtime
            "lex:CreateBot",     # cannot be held
            /* a comment */ "lex:ListBots"
          ]
        }}]
      }})
    }}

    resource "awscc_lex_resource_policy" "heredoc" {{
      resource_arn = "{ALIAS_ARN}"
      policy       = <<-EOT
        {{"Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "{CALLER}"}},
          "Action": ["lex:RecognizeText", "lex:TagResource", "lex:UntagResource"]}}]}}
      EOT
    }}
    """


def test_hcl_removals(tmp_path: Path) -> None:
    after, err = fixed(tmp_path, "main.tf", HCL_RESOURCE_POLICY)
    # the last two items go with their lines, and the comma of the item that is now the last
    assert after == textwrap.dedent(HCL_RESOURCE_POLICY).replace(
        '"lex:RecognizeText", # runtime\n        "lex:CreateBot",     # cannot be held\n        /* a comment */ "lex:ListBots"\n',
        '"lex:RecognizeText" # runtime\n').replace(
        '["lex:RecognizeText", "lex:TagResource", "lex:UntagResource"]', '["lex:RecognizeText"]')
    assert "fixed 4 findings" in err


# --- what is not fixed ------------------------------------------------------------------------------------

def test_values_from_parameters_and_anchors_are_not_fixed(tmp_path: Path) -> None:
    text = f"""\
        Parameters:
          Service:
            Type: String
            Default: lex.amazonaws.com
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {{Service: !Ref Service}}
                    Action: sts:AssumeRole
          Bot:
            Type: AWS::Lex::Bot
            Properties:
              Name: B
              RoleArn: !GetAtt Role.Arn
          Shared:
            Type: {POLICY}
            Properties:
              PolicyDocument:
                Statement:
                  - &statement
                    Effect: Allow
                    Action: lexv2:RecognizeText
                    Resource: "*"
        """
    after, err = fixed(tmp_path, "t.yaml", text)
    assert after == textwrap.dedent(text)
    assert re.search(r"t.yaml:12:\d+ E9524: the value comes from parameter Service", err)
    assert "E9540: the value is shared through a YAML anchor" in err


def test_module_inputs_and_shared_data_sources_are_not_fixed(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(textwrap.dedent("""\
        variable "principal" {}
        resource "aws_iam_role" "bot" {
          assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
            Principal = { Service = var.principal } }] })
        }
        resource "aws_lexv2models_bot" "b" {
          name     = "b"
          role_arn = aws_iam_role.bot.arn
        }
        """), encoding="utf-8")
    text = """\
        module "bot" {
          source    = "./mod"
          principal = "lex.amazonaws.com"
        }
        data "aws_iam_policy_document" "trust" {
          statement {
            actions = ["sts:AssumeRole"]
            principals {
              type        = "Service"
              identifiers = ["lex.amazonaws.com"]
            }
          }
        }
        resource "aws_iam_role" "a" { assume_role_policy = data.aws_iam_policy_document.trust.json }
        resource "aws_iam_role" "b" { assume_role_policy = data.aws_iam_policy_document.trust.json }
        resource "aws_lexv2models_bot" "a" {
          name     = "a"
          role_arn = aws_iam_role.a.arn
        }
        """
    after, err = fixed(tmp_path, "main.tf", text)
    assert after == textwrap.dedent(text)
    assert "main.tf:3:15 E9524: the value is an input of module bot" in err
    assert "main.tf:10:22 E9524: the value is in data source aws_iam_policy_document.trust, which other resources" in err


def test_a_data_source_only_its_resource_uses_is_fixed(tmp_path: Path) -> None:
    text = """\
        data "aws_iam_policy_document" "trust" {
          statement {
            actions = ["sts:AssumeRole"]
            principals {
              type        = "Service"
              identifiers = ["lex.amazonaws.com"]
            }
          }
        }
        resource "aws_lexv2models_bot" "a" {
          name     = "a"
          role_arn = aws_iam_role.a.arn
        }
        """
    (tmp_path / "role.tf").write_text(
        'resource "aws_iam_role" "a" { assume_role_policy = data.aws_iam_policy_document.trust.json }\n')
    after, err = fixed(tmp_path, "main.tf", text)
    assert '["lexv2.amazonaws.com"]' in after and "fixed 1 finding in 1 file (E9524 1)" in err


def test_a_fix_that_brings_another_finding_is_rolled_back(tmp_path: Path) -> None:
    """lex:PostText -> lex:RecognizeText in a bot policy would make an action the bot policy cannot hold."""
    text = f"""\
        Resources:
          BotPolicy:
            Type: AWS::Lex::ResourcePolicy
            Properties:
              ResourceArn: arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ
              Policy:
                Statement:
                  - Effect: Allow
                    Principal: {{AWS: "{CALLER}"}}
                    Action: [lex:BuildBotLocale, lex:PostText]
        """
    after, err = fixed(tmp_path, "t.yaml", text)
    assert after == textwrap.dedent(text)
    assert re.search(r"not fixed: t.yaml:10:\d+ W9541: after the fix lexiam would report E9502 at t.yaml:10: "
                     "lex:RecognizeText can only be used in a bot alias policy", err)


def test_unsafe_fixes_only_when_asked(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "terraform" / "W9562-lambda-permission-source-arn-mismatch", tmp_path / "w")
    main = tmp_path / "w" / "bad" / "main.tf"
    before = main.read_text(encoding="utf-8")
    run = run_lexiam("fix", "--fail-on", "none", "w", cwd=tmp_path)
    assert main.read_text(encoding="utf-8") == before and "5 more findings have an unsafe fix" in run.stderr
    run = run_lexiam("fix", "--unsafe-fixes", "--fail-on", "none", "w", cwd=tmp_path)
    assert "fixed 5 findings in 1 file (W9562 5)" in run.stderr
    assert main.read_text(encoding="utf-8").count("source_arn    = awscc_lex_bot_alias.live.arn") == 5


# --- writing ---------------------------------------------------------------------------------------------

E9540_BAD = SAMPLES / "cloudformation" / "E9540-unknown-action" / "bad.yaml"


def test_diff_changes_nothing_and_git_applies_it(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "sample_templates")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    before = {p: p.read_bytes() for p in (tmp_path / "sample_templates").rglob("*") if p.is_file()}
    run = run_lexiam("fix", "--diff", "sample_templates/", cwd=tmp_path)
    assert run.code == 1 and run.stdout.startswith("--- a/sample_templates/")
    assert {p: p.read_bytes() for p in before} == before
    (tmp_path / "fix.diff").write_text(run.stdout, encoding="utf-8")
    subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True)
    applied = {p: p.read_bytes() for p in before}
    for p, data in before.items():
        p.write_bytes(data)
    run_lexiam("fix", "--fail-on", "none", "sample_templates/", cwd=tmp_path)
    assert {p: p.read_bytes() for p in before} == applied  # the diff is what fix writes


def test_documented_commands(tmp_path: Path) -> None:
    """Every command of docs/usage/fix.md, as written, and the summary lines it shows."""
    doc = (REPO / "docs" / "usage" / "fix.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```console\n(.*?)```", doc, re.S)
    shutil.copytree(SAMPLES, tmp_path / "sample_templates")
    runs = [run_lexiam(*line.split()[1:], cwd=tmp_path) for line in block.splitlines()]
    assert runs[0].code == 1 and runs[0].stdout  # --diff
    for line in re.findall(r"^    (lexiam: .*)$", doc, re.M):
        assert line in runs[1].stderr
    assert runs[1].code == 1  # findings without a fix are left: a scan of the fixed files fails
    assert "fixed 0 findings" in runs[2].stderr  # scan --fix: nothing left but the unsafe fixes
    assert "fixed 11 findings" in runs[3].stderr


def test_never_writes_through_a_link_or_into_git(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    shutil.copy(E9540_BAD, real)
    (tmp_path / "tree").mkdir()
    os.symlink(real, tmp_path / "tree" / "linked.yaml")
    (tmp_path / "tree" / ".git").mkdir()
    shutil.copy(E9540_BAD, tmp_path / "tree" / ".git" / "hook.yaml")
    before = real.read_bytes()
    run = run_lexiam("fix", "--fail-on", "none", "tree/linked.yaml", "tree/.git/hook.yaml", cwd=tmp_path)
    assert real.read_bytes() == before and (tmp_path / "tree" / "linked.yaml").is_symlink()
    assert (tmp_path / "tree" / ".git" / "hook.yaml").read_bytes() == before
    assert "linked.yaml: not written" in run.stderr and "symbolic link" in run.stderr
    assert "hook.yaml: not written" in run.stderr and ".git" in run.stderr


def test_a_written_file_is_fixed_atomically_and_keeps_its_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + E9540_BAD.read_bytes())
    run_lexiam("fix", "--fail-on", "none", "t.yaml", cwd=tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"lex:RecognizeText  #" in data
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]  # no temporary file left behind


# --- reports --------------------------------------------------------------------------------------------

def test_sarif_results_carry_fixes(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "s")
    run = run_lexiam("scan", "s", "--format", "sarif", "--fail-on", "none", cwd=tmp_path)
    doc = check_sarif_text(run.stdout)
    results = doc["runs"][0]["results"]
    with_fix = [r for r in results if "fixes" in r]
    assert len(with_fix) == 20 and {r["ruleId"] for r in with_fix} == {"E9501", "E9524", "E9540", "E9561", "W9541"}
    r = next(r for r in with_fix if r["ruleId"] == "E9540")
    change = r["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"] == r["locations"][0]["physicalLocation"]["artifactLocation"]
    (rep,) = change["replacements"]
    region = r["locations"][0]["physicalLocation"]["region"]
    assert rep["deletedRegion"] == {"startLine": region["startLine"], "startColumn": region["startColumn"],
                                    "endLine": region["endLine"], "endColumn": region["endColumn"]}
    assert rep["insertedContent"]["text"] in ("lex:RecognizeText", "lex:RecognizeUtterance", '"lex:RecognizeText"',
                                              '"lex:RecognizeUtterance"')
    assert not any((tmp_path / "s").rglob("*.lexiam-new"))  # the report wrote nothing into the tree


def test_github_step_summary_counts_what_fix_would_fix(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "s")
    summary = tmp_path / "summary.md"
    run_lexiam("scan", "s", "--format", "github", "--fail-on", "none", cwd=tmp_path,
               env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert ("`lexiam fix` would fix 20 findings (E9501 2, E9524 2, E9540 8, E9561 4, W9541 4); 11 more with "
            "`--unsafe-fixes`.") in summary.read_text(encoding="utf-8")


def test_rules_say_which_rules_fix(lexiam) -> None:
    listed = {line.split()[0]: line.split()[2] for line in lexiam("rules").stdout.splitlines()}
    assert listed["E9540"] == "fix:safe" and listed["W9562"] == "fix:unsafe" and listed["E9503"] == "-"
    rules = {r["id"]: r["fix"] for r in lexiam("rules", "--format", "json").json()}
    assert rules["E9501"] == "safe" and rules["E9502"] == "unsafe" and rules["E9508"] is None
    assert "fixes it" in (REPO / "docs" / "rules" / "E9524.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("text", ["a: b\rc: d\n", "Resources:\n  X: {Type: T}\n\x0c\n"])
def test_unusual_line_breaks_are_not_edited(tmp_path: Path, text: str) -> None:
    from lexiam.fix.text import FixError, Source

    with pytest.raises(FixError, match="unusual line break"):
        Source(text)
