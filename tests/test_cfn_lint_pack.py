"""The cfn-lint rule pack (``cfn-lint --append-rules lexiam.cfn_lint``), through the real cfn-lint executable.

The pack must report what ``lexiam scan`` reports (rule, line, column) on every CloudFormation sample,
and cfn-lint's own mechanisms must work on its rules.  Only our 95xx findings are looked at: cfn-lint's
own rules may say anything about these templates.  cfn-lint runs in an empty folder (no ``.cfnlintrc``
of the checkout or a parent applies) with ``--regions us-east-1``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, run_lexiam

pytest.importorskip("cfnlint", reason="cfn-lint is not installed (pip install '.[test]')")

PACK = "lexiam.cfn_lint"
OURS = re.compile(r"^[EWI]95\d\d$")
FIXTURES = Path(__file__).parent / "fixtures" / "cfn_lint_pack"
CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")

# Every CloudFormation sample (whatever samples exist now), except E9500's: cfn-lint reports the
# templates it cannot parse itself (E0000).  Plus the pack's own fixtures: JSON policy text in every
# string style, a JSON template, a SAM template, unquoted scalars and aliases.
TEMPLATES = sorted(
    p for p in (SAMPLES / "cloudformation").glob("*/*")
    if p.suffix in CFN_SUFFIXES and not p.parent.name.startswith("E9500")
) + sorted(p for p in FIXTURES.iterdir() if p.suffix in CFN_SUFFIXES)

BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"


def cfn_lint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The cfn-lint installed beside this Python (what a user of the venv runs), without any user config."""
    exe = Path(sys.executable).parent / "cfn-lint"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cfnlint"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CFN_LINT")}
    proc = subprocess.run([*cmd, "--regions", "us-east-1", *args], capture_output=True, text=True, cwd=cwd,
                          env={**env, "HOME": str(cwd)}, timeout=600)
    return proc


def ours(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    """Our findings from ``--format json`` output."""
    return [m for m in json.loads(proc.stdout) if OURS.match(m["Rule"]["Id"])]


def keys(matches: list[dict]) -> set[tuple[str, int, int]]:
    return {(m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"], m["Location"]["Start"]["ColumnNumber"])
            for m in matches}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


POLICY = """
  NAME:
    Type: AWS::Lex::ResourcePolicy
    Properties:
      ResourceArn: !GetAtt Alias.Arn
      Policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: ACTIONS
            Resource: !GetAtt Alias.Arn"""
# Two bot alias policies: E9501 and W9509 on First, E9501 on Second.
TWO_RESOURCES = (
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Alias:\n    Type: AWS::Lex::BotAlias\n'
    "    Properties: {BotId: ABCDEFGHIJ, BotAliasName: live}"
    + POLICY.replace("NAME", "First").replace("ACTIONS", '[lex:RecognizeText, lex:CreateBot, "lex:*"]')
    + POLICY.replace("NAME", "Second").replace("ACTIONS", "[lex:RecognizeText, lex:ListBots]") + "\n"
)
FIRST = "  First:\n    Type: AWS::Lex::ResourcePolicy\n"
SECOND = "  Second:\n    Type: AWS::Lex::ResourcePolicy\n"
VARIANTS = {
    "two.yaml": TWO_RESOURCES,
    "template-ignore.yaml": TWO_RESOURCES.replace(
        "Resources:", "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [W9509]\nResources:", 1),
    "resource-ignore.yaml": TWO_RESOURCES.replace(
        FIRST, FIRST + "    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [E9501]\n"),
    "lexiam-ignore.yaml": TWO_RESOURCES.replace(
        SECOND, SECOND + "    Metadata:\n      lexiam:\n        ignore: [{id: E9501, reason: accepted}]\n"),
    "broken.yaml": "Resources:\n  Bot:\n    Type: AWS::Lex::Bot\n    Properties: {Name: [\n",
}
SAM = SAMPLES / "cloudformation" / "E9525-slr-arn-misused" / "bad.yaml"
SERVERLESS = "cfn_lint_serverless.rules"


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("templates")
    return {name: str(write(folder, name, text)) for name, text in VARIANTS.items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, variants: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every cfn-lint run of this module, started together (cfn-lint takes seconds to start)."""
    empty = tmp_path_factory.mktemp("empty")
    t = variants
    rc = tmp_path_factory.mktemp("cfnlintrc")
    (rc / ".cfnlintrc").write_text(f"append_rules:\n  - {PACK}\n", encoding="utf-8")
    json_out = ("--format", "json")
    plan: dict[str, tuple[tuple[str, ...], Path]] = {
        # info rules too (--include-checks I), as lexiam reports them
        "samples": (("--append-rules", PACK, "--include-checks", "I", *json_out, *map(str, TEMPLATES)), empty),
        "default": (("--append-rules", PACK, *json_out, str(BAD), str(SAM),
                     *(path for name, path in t.items() if name != "broken.yaml")), empty),
        # alone: a template that does not parse stops older cfn-lint from linting the others
        "broken": (("--append-rules", PACK, *json_out, t["broken.yaml"]), empty),
        "ignore E95": (("--append-rules", PACK, "--ignore-checks", "E95", *json_out, t["two.yaml"]), empty),
        "mandatory": (("--append-rules", PACK, "--mandatory-checks", "E9501", *json_out, t["resource-ignore.yaml"]), empty),
        "parseable": (("--append-rules", PACK, "--format", "parseable", str(BAD)), empty),
        "sarif": (("--append-rules", PACK, "--format", "sarif", str(BAD)), empty),
        ".cfnlintrc": ((*json_out, str(BAD)), rc),
        # named in .cfnlintrc and on the command line (merged), and twice on the command line
        "merged": (("--merge-configs", "--append-rules", PACK, "--append-rules", PACK, *json_out, str(BAD)), rc),
    }
    if importlib.util.find_spec("cfn_lint_serverless") is not None:
        plan["serverless"] = (("--append-rules", SERVERLESS, *json_out, str(SAM)), empty)
        plan["serverless, pack"] = (("--append-rules", SERVERLESS, "--append-rules", PACK, *json_out, str(SAM)), empty)
        plan["pack, serverless, pack"] = (("--append-rules", PACK, "--append-rules", SERVERLESS, "--append-rules", PACK,
                                           *json_out, str(SAM)), empty)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(cfn_lint, *args, cwd=cwd) for name, (args, cwd) in plan.items()}
        return {name: f.result() for name, f in futures.items()}


def result(runs: dict, name: str) -> subprocess.CompletedProcess[str]:
    """Run ``name``; cfn-lint must not have failed (a traceback, exit code 1, or 32 for bad arguments)."""
    proc = runs[name]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode not in (1, 32), proc.stdout + proc.stderr
    return proc


def in_file(runs: dict, name: str, path: str | Path) -> list[dict]:
    """Our findings of run ``name`` in one file."""
    want = Path(path).resolve()
    return [m for m in ours(result(runs, name)) if Path(m["Filename"]).resolve() == want]


# --- the pack reports what lexiam scan reports ----------------------------------------------------

@pytest.fixture(scope="module")
def pack_run(runs) -> dict[Path, list[dict]]:
    by_file: dict[Path, list[dict]] = {}
    for m in json.loads(result(runs, "samples").stdout):
        by_file.setdefault(Path(m["Filename"]).resolve(), []).append(m)
    return by_file


@pytest.fixture(scope="module")
def scan_run() -> dict[Path, list[dict]]:
    run = run_lexiam("scan", *map(str, TEMPLATES), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    by_file: dict[Path, list[dict]] = {}
    for f in run.json()["findings"]:
        if f["rule_id"] != "E9500" and "suppressed" not in f:
            by_file.setdefault((REPO / f["file"]).resolve(), []).append(f)
    return by_file


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(REPO)) for p in TEMPLATES])
def test_pack_reports_what_lexiam_scan_reports(path: Path, pack_run, scan_run) -> None:
    matches = pack_run.get(path.resolve(), [])
    if any(m["Rule"]["Id"] == "E0000" for m in matches):
        pytest.skip("cfn-lint cannot parse this template (E0000): no rule of any pack runs on it")
    found = [m for m in matches if OURS.match(m["Rule"]["Id"])]
    expected = scan_run.get(path.resolve(), [])
    assert keys(found) == {(f["rule_id"], f["line"], f["column"]) for f in expected}
    # cfn-lint paths start at the resource, so that cfn-lint's resource-level suppression applies
    assert {(m["Rule"]["Id"], m["Location"]["Path"][1]) for m in found} == \
        {(f["rule_id"], f["resource"].split(".")[0]) for f in expected}
    assert all(m["Location"]["Path"][0] == "Resources" for m in found)
    assert not any(m["Rule"]["Id"] == "E0002" and re.search(r"rule [EWI]95", m["Message"]) for m in matches)


def test_every_bad_sample_fires_in_cfn_lint(pack_run) -> None:
    silent = [p for p in TEMPLATES if p.name.startswith("bad")
              and not any(OURS.match(m["Rule"]["Id"]) for m in pack_run.get(p.resolve(), []))]
    assert not silent


# --- cfn-lint's own mechanisms on our rules -------------------------------------------------------

def by_resource(matches: list[dict]) -> set[tuple[str, str]]:
    return {(m["Rule"]["Id"], m["Location"]["Path"][1]) for m in matches}


def test_baseline_of_the_suppression_tests(runs, variants) -> None:
    assert by_resource(in_file(runs, "default", variants["two.yaml"])) == \
        {("E9501", "First"), ("W9509", "First"), ("E9501", "Second")}


def test_ignore_checks_by_prefix(runs, variants) -> None:
    assert by_resource(in_file(runs, "ignore E95", variants["two.yaml"])) == {("W9509", "First")}


def test_template_metadata_ignore_checks(runs, variants) -> None:
    assert by_resource(in_file(runs, "default", variants["template-ignore.yaml"])) == \
        {("E9501", "First"), ("E9501", "Second")}


def test_resource_metadata_ignore_checks(runs, variants) -> None:
    path = variants["resource-ignore.yaml"]
    assert by_resource(in_file(runs, "default", path)) == {("W9509", "First"), ("E9501", "Second")}
    # cfn-lint decides: Metadata does not suppress a mandatory check (lexiam leaves cfn-lint's to cfn-lint)
    assert by_resource(in_file(runs, "mandatory", path)) == {("E9501", "First"), ("W9509", "First"), ("E9501", "Second")}


def test_lexiam_metadata_ignore_is_honoured_too(runs, variants) -> None:
    assert by_resource(in_file(runs, "default", variants["lexiam-ignore.yaml"])) == \
        {("E9501", "First"), ("W9509", "First")}


def test_info_rules_only_with_include_checks_i(runs, pack_run) -> None:
    from lexiam.rules.pack import all_rules

    default = in_file(runs, "default", BAD)
    with_i = [m for m in pack_run[BAD.resolve()] if OURS.match(m["Rule"]["Id"])]
    assert not any(m["Rule"]["Id"].startswith("I") for m in default)
    assert keys([m for m in with_i if not m["Rule"]["Id"].startswith("I")]) == keys(default) != set()
    info = {r.id for r in all_rules() if r.id.startswith("I")}
    assert {m["Rule"]["Id"] for m in with_i if m["Rule"]["Id"].startswith("I")} <= info


def test_output_formats(runs) -> None:
    assert ("E9501", 70, 17) in keys(in_file(runs, "default", BAD))
    assert re.search(r"bad\.yaml:70:17:70:35:E9501:lex:CreateBotAlias", result(runs, "parseable").stdout)
    (run,) = json.loads(result(runs, "sarif").stdout)["runs"]
    found = next(r for r in run["results"] if r["ruleId"] == "E9501")
    region = found["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (70, 17)
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "E9501")
    assert rule["helpUri"].endswith("/E9501.md")


def test_parse_errors_are_cfn_lints_e0000_not_e9500(runs, variants) -> None:
    broken = Path(variants["broken.yaml"]).resolve()
    found = [m for m in json.loads(result(runs, "broken").stdout) if Path(m["Filename"]).resolve() == broken]
    assert "E0000" in {m["Rule"]["Id"] for m in found}
    assert not [m for m in found if OURS.match(m["Rule"]["Id"])]


# --- loading -------------------------------------------------------------------------------------

def test_cfnlintrc_append_rules(runs) -> None:
    assert keys(in_file(runs, ".cfnlintrc", BAD)) == keys(in_file(runs, "default", BAD))


def test_the_pack_named_twice_loads_once(runs) -> None:
    found = in_file(runs, "merged", BAD)
    assert keys(found) == keys(in_file(runs, "default", BAD))
    assert len(found) == len(keys(found))


def test_beside_cfn_lint_serverless(runs) -> None:
    if "serverless" not in runs:
        pytest.skip("cfn-lint-serverless is not installed")
    alone = runs["serverless"]
    if alone.returncode == 1 or "Traceback" in alone.stderr:
        pytest.skip("cfn-lint-serverless does not load with this cfn-lint")
    theirs = {m["Rule"]["Id"] for m in json.loads(alone.stdout)} - {"E0002"}
    assert any(rid.startswith(("ES", "WS")) for rid in theirs)
    expected = keys(in_file(runs, "default", SAM))
    for name in ("serverless, pack", "pack, serverless, pack"):
        both = json.loads(result(runs, name).stdout)
        assert keys([m for m in both if OURS.match(m["Rule"]["Id"])]) == expected != set()
        assert {m["Rule"]["Id"] for m in both} >= theirs


# --- the module ----------------------------------------------------------------------------------

def test_one_rule_class_per_registry_rule_but_e9500() -> None:
    from cfnlint.helpers import create_rules

    import lexiam.cfn_lint as pack
    from lexiam.rules.pack import all_rules

    rules = {r.id: r for r in create_rules(pack)}
    assert set(rules) == {m.id for m in all_rules()} - {"E9500"}
    for meta in all_rules():
        if meta.id == "E9500":
            continue
        rule = rules[meta.id]
        assert (rule.shortdesc, rule.description, rule.source_url) == (meta.title, meta.rationale, meta.docs_url)
        assert set(meta.tags) <= set(rule.tags)
        assert rule.severity == {"error": "error", "warning": "warning", "info": "informational"}[meta.severity]


def test_an_error_in_the_pack_is_one_e0002_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfnlint.api import ManualArgs, lint

    import lexiam.cfn_lint as pack

    def broken(template: object, file: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pack, "_prepare", broken)
    matches = lint(BAD.read_text(encoding="utf-8"), config=ManualArgs(append_rules=[PACK], regions=["us-east-1"]))
    errors = [m for m in matches if m.rule.id == "E0002" and "boom" in m.message]
    assert len(errors) == 1
    assert not [m for m in matches if OURS.match(m.rule.id)]


def test_the_lexiam_command_does_not_import_cfn_lint(tmp_path: Path) -> None:
    code = ("import sys\nfrom lexiam.cli import main\ntry:\n    main(['scan', sys.argv[1], '--fail-on', 'none'])\n"
            "except SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.startswith('cfnlint')))")
    proc = subprocess.run([sys.executable, "-c", code, str(BAD)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
