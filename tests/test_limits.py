"""Every limit on hostile input, through the real CLI: one clear E9500 (or skip message), a bounded cost.

Each hostile file sits beside a known-bad template whose finding must survive.  Time bounds are loose
(a loaded CI machine is slow): they catch hangs and exponential blow-ups, not small regressions.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexiam import wildcard
from tests.conftest import SAMPLES, run_lexiam

BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
SECONDS = 30.0

BOT = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bot:
    Type: AWS::Lex::Bot
    Properties:
      Name: b
      RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/r
      DataPrivacy: {ChildDirected: false}
      IdleSessionTTLInSeconds: 300
  Policy:
    Type: AWS::Lex::ResourcePolicy
    Properties:
      ResourceArn: !GetAtt Bot.Arn
      Policy: POLICY
"""


def scan_beside_bad(folder: Path, *args: str) -> tuple[dict, float, str]:
    """Scan ``folder`` with a copy of the known-bad sample added; the report, the seconds taken, stderr."""
    (folder / "known-bad.yaml").write_text(BAD.read_text(encoding="utf-8"), encoding="utf-8")
    start = time.monotonic()
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", *args, cwd=folder)
    elapsed = time.monotonic() - start
    assert run.code == 0, run.stderr
    doc = run.json()
    assert [f["rule_id"] for f in doc["findings"] if f["file"] == "known-bad.yaml"] == ["E9501"]
    return doc, elapsed, run.stderr


def errors_of(doc: dict, file: str) -> list[str]:
    return [f["message"] for f in doc["findings"] if f["file"] == file and f["rule_id"] == "E9500"]


# --- file size ---------------------------------------------------------------------------------------

def test_default_file_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    with open(tmp_path / "huge.yaml", "wb") as fh:  # sparse: 6 MiB that take no disk space
        fh.truncate(6 * 1024 * 1024)
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert errors_of(doc, "huge.yaml") == [
        "file is 6291456 bytes, over the 5242880-byte file size limit (--max-file-size)"]
    assert elapsed < SECONDS


def test_max_file_size_flag(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(BAD.read_text(encoding="utf-8") + "#" * 8000 + "\n", encoding="utf-8")
    doc, _, _ = scan_beside_bad(tmp_path, "--max-file-size", "6K")
    size = (tmp_path / "t.yaml").stat().st_size
    assert errors_of(doc, "t.yaml") == [f"file is {size} bytes, over the 6144-byte file size limit (--max-file-size)"]


@pytest.mark.parametrize("value", ["0", "-1", "lots", "5X"])
def test_bad_limit_values_are_usage_errors(value: str) -> None:
    run = run_lexiam("scan", str(BAD), "--max-file-size", value)
    assert run.code == 2 and "--max-file-size" in run.stderr


# --- YAML aliases (billion laughs) and node count -------------------------------------------------------

def billion_laughs(levels: int = 12) -> str:
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Description: lex", 'l0: &l0 ["lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\nResources: {}\n"


def test_billion_laughs_stops_at_the_first_alias_over_the_node_budget(tmp_path: Path) -> None:
    (tmp_path / "laughs.yaml").write_text(billion_laughs(), encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert errors_of(doc, "laughs.yaml") == [
        "cannot parse the template: too many nodes (alias expansion or a very large document)"]
    line = next(f["line"] for f in doc["findings"] if f["file"] == "laughs.yaml")
    assert line == 9  # l6 is the first level whose expansion (10**6 + ...) passes 1,000,000 nodes
    assert elapsed < SECONDS


def test_recursive_alias_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text("Description: lex\nResources: &r\n  X: *r\n", encoding="utf-8")
    doc, _, _ = scan_beside_bad(tmp_path)
    assert errors_of(doc, "loop.yaml") == ["cannot parse the template: recursive alias *r"]


def test_max_nodes_flag(tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text(billion_laughs(3), encoding="utf-8")  # 244 nodes expanded
    (tmp_path / "large.yaml").write_text(billion_laughs(4), encoding="utf-8")  # 2,356 nodes expanded
    doc, _, _ = scan_beside_bad(tmp_path, "--max-nodes", "500")  # the known-bad sample has 147
    assert errors_of(doc, "small.yaml") == []
    assert errors_of(doc, "large.yaml") == [
        "cannot parse the template: too many nodes (alias expansion or a very large document)"]


# --- nesting depth ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["flow", "block", "json"])
def test_deep_nesting_stops_at_the_depth_limit(tmp_path: Path, shape: str) -> None:
    # half a million levels: libyaml's composer would recurse in C (a crash) and its scanner is quadratic
    # in depth (minutes); the loader stops at level 257
    n = 500_000
    if shape == "flow":
        text = "Description: lex\nResources:\n  X: " + "[" * n + "]" * n + "\n"
    elif shape == "block":
        text = "Description: lex\nResources:\n" + "".join(" " * i + "- \n" for i in range(2, 3000))
    else:
        text = '{"Description": "lex", "Resources": ' + '{"a": ' * n + "1" + "}" * n + "}"
    name = "deep.json" if shape == "json" else "deep.yaml"
    (tmp_path / name).write_text(text, encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert errors_of(doc, name) == ["cannot parse the template: nesting deeper than 256 levels"]
    assert elapsed < SECONDS


def test_max_depth_flag(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("Description: lex\nResources:\n  X: " + "[" * 30 + "]" * 30 + "\n", encoding="utf-8")
    doc, _, _ = scan_beside_bad(tmp_path, "--max-depth", "25")  # the known-bad sample is 9 deep
    assert errors_of(doc, "t.yaml") == ["cannot parse the template: nesting deeper than 25 levels"]
    doc, _, _ = scan_beside_bad(tmp_path, "--max-depth", "40")
    assert errors_of(doc, "t.yaml") == []


# --- number of files ----------------------------------------------------------------------------------

def test_max_files_flag_stops_the_walk_with_a_warning(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"t{i}.yaml").write_text(BAD.read_text(encoding="utf-8"), encoding="utf-8")
    run = run_lexiam("scan", ".", "--format", "json", "--no-config", "--max-files", "3", cwd=tmp_path)
    doc = run.json()
    assert [f["file"] for f in doc["findings"]] == ["t0.yaml", "t1.yaml", "t2.yaml"]
    assert doc["summary"]["scanned"] == 3 and doc["summary"]["skipped"] == 1
    assert "t3.yaml: over the 3-file limit (--max-files): this file and the rest were not scanned" in run.stderr


# --- JSON policy text: huge, deep ---------------------------------------------------------------------

def test_deeply_nested_json_policy_string(tmp_path: Path) -> None:
    n = 200_000
    policy = '{"Version": "2012-10-17", "Statement": ' + "[" * n + "]" * n + "}"
    (tmp_path / "t.yaml").write_text(BOT.replace("POLICY", json.dumps(policy)), encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    rules = {f["rule_id"]: f["message"] for f in doc["findings"] if f["file"] == "t.yaml"}
    assert rules["E9508"] == "the policy is too large to check: nesting deeper than 256 levels"
    assert elapsed < SECONDS


def test_huge_json_policy_string(tmp_path: Path) -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                 "Action": ["lex:RecognizeText", "lex:RecognizeUtterance"], "Resource": "*"}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement] * 20_000})  # 260,000 nodes
    (tmp_path / "t.yaml").write_text(BOT.replace("POLICY", json.dumps(policy)), encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    rules = {f["rule_id"]: f["message"] for f in doc["findings"] if f["file"] == "t.yaml"}
    assert rules["E9508"].startswith("the policy is too large to check: too many nodes")
    assert elapsed < SECONDS


# --- text that made the scan slow (regressions) -------------------------------------------------------

def test_blank_lines_do_not_slow_template_detection(tmp_path: Path) -> None:
    # the template-detection pattern was quadratic in consecutive blank lines (40,000 took 30 s)
    (tmp_path / "blank.yaml").write_text("\n" * 4_000_000 + "Resources: {}\n", encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path, "--parse-all")
    assert errors_of(doc, "blank.yaml") == []
    assert elapsed < SECONDS


def test_wildcard_arns_are_matched_in_linear_time(tmp_path: Path) -> None:
    # ARN wildcard matching built a regex of '.*' runs: exponential on '*a*a*a...b'
    arn = "arn:aws:lex:us-east-1:123456789012:bot/" + "*a" * 60 + "b"
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "lex:RecognizeText",
        "Resource": arn}]}
    text = BOT.replace("POLICY", json.dumps(json.dumps(policy))).replace(
        "!GetAtt Bot.Arn", "arn:aws:lex:us-east-1:123456789012:bot/" + "a" * 300)
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert any(f["rule_id"] == "E9504" for f in doc["findings"] if f["file"] == "t.yaml")
    assert elapsed < SECONDS


def test_wildcard_actions_are_matched_in_linear_time(tmp_path: Path) -> None:
    # action patterns were expanded with a regex too: 'lex:*?*?*?...*Q' took minutes per policy
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": ["lex:" + "*?" * 40 + "*Q", "lex:" + "*e" * 40 + "*Q"], "Resource": "*"}]}
    (tmp_path / "t.yaml").write_text(BOT.replace("POLICY", json.dumps(json.dumps(policy))), encoding="utf-8")
    _, elapsed, _ = scan_beside_bad(tmp_path)
    assert elapsed < SECONDS


@pytest.mark.parametrize("shape", ["many pieces", "nested"])
def test_fn_sub_cannot_blow_up(tmp_path: Path, shape: str) -> None:
    # 100,000 pieces were concatenated in quadratic time; nested Fn::Sub multiply lengths (3 levels of
    # 1,000 would be 10**9 characters): over 1,000,000 characters a value is unknown
    if shape == "many pieces":
        role: object = {"Fn::Sub": ["${A}" * 100_000, {"A": "arn:aws:iam"}]}
    else:
        inner = {"Fn::Sub": ["${C}" * 1000, {"C": "lex"}]}
        role = {"Fn::Sub": ["${A}" * 1000, {"A": {"Fn::Sub": ["${B}" * 1000, {"B": inner}]}}]}
    text = BOT.replace("!Sub arn:aws:iam::${AWS::AccountId}:role/r", json.dumps(role)).replace("POLICY", "{}")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    _, elapsed, _ = scan_beside_bad(tmp_path)
    assert elapsed < SECONDS


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pattern=st.text(alphabet="ab*?", max_size=8), text=st.text(alphabet="ab", max_size=9))
def test_wildcard_match_agrees_with_the_regex_it_replaced(pattern: str, text: str) -> None:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    assert wildcard.match(pattern, text) == (re.fullmatch(regex, text, re.DOTALL) is not None)


# --- Terraform ----------------------------------------------------------------------------------------

def test_deep_hcl_expression_is_an_input_error(tmp_path: Path) -> None:
    n = 5_000
    (tmp_path / "main.tf").write_text(
        'locals {\n  lex = ' + "(" * n + "1" + ")" * n + '\n}\n', encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert errors_of(doc, "main.tf") == ["cannot parse the HCL: expression nested too deeply"]
    assert elapsed < SECONDS


def test_local_and_variable_cycles_end(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("""
variable "v" {
  default = local.a
}
locals {
  a = local.b
  b = [local.c, var.v]
  c = "${local.a}-lex"
}
resource "aws_lexv2models_bot" "bot" {
  name     = local.a
  role_arn = local.c
  data_privacy { child_directed = false }
  idle_session_ttl_in_seconds = 300
}
""", encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert errors_of(doc, "main.tf") == []
    assert elapsed < SECONDS


def test_exponential_local_fan_out_is_bounded(tmp_path: Path) -> None:
    chain = "".join(f"  l{i} = [local.l{i + 1}, local.l{i + 1}]\n" for i in range(60))
    (tmp_path / "main.tf").write_text(f"""
locals {{
{chain}  l60 = "lex"
}}
resource "aws_lexv2models_bot" "bot" {{
  name     = jsonencode(local.l0)
  role_arn = "arn:aws:iam::123456789012:role/r"
  data_privacy {{ child_directed = false }}
  idle_session_ttl_in_seconds = 300
}}
""", encoding="utf-8")
    doc, elapsed, _ = scan_beside_bad(tmp_path)
    assert elapsed < SECONDS
