"""Every command the README and docs/ show, run as written (tests/commands.py finds them).

Each block's commands run in order, with bash, in a fresh copy of the repository to which the
documents' example inputs are added: ``template.yaml`` (the bad sample of E9501, so that a command
that lints it must report E9501) and ``infra/`` (bad CloudFormation and Terraform samples).  Nothing
else of a command is changed.  What "works" means:

* no traceback; ``lexiam`` and ``pre-commit`` exit 0 or 1 (1: findings), ``cfn-lint`` without its
  "linting failed" bit (1), every other program 0;
* a block that installs (``pip install``) does so into a fresh virtual environment, first on PATH;
* a pytest command collects its tests without running them (``PYTEST_ADDOPTS=--collect-only``): the
  suite does not run itself.  The README's test command (``pip install '.[test]' && python -m pytest
  -q``) is the one .ci/run runs, verbatim: checked here to be what .ci/run extracts;
* a synopsis (``lexiam scan PATH... [--format ...]``) is not run: each option it shows must be in the
  ``--help`` of its command.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands import Command, extract, setup_commands
from tests.conftest import REPO, SAMPLES

RUN, SYNOPSES = extract(REPO)
README_TEST_COMMAND = "pip install '.[test]' && python -m pytest -q"
TEMPLATE = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
TF_BAD = SAMPLES / "terraform" / "E9501-rp-unsupported-action" / "bad"
COPY_IGNORE = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".work",
                                     ".pytest_cache", ".ruff_cache", ".hypothesis", ".venv")
BLOCKS: dict[int, list[Command]] = {}
for _c in RUN:
    if _c.text != README_TEST_COMMAND:
        BLOCKS.setdefault(_c.block, []).append(_c)


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def workspace(tmp: Path) -> Path:
    ws = tmp / "ws"
    shutil.copytree(REPO, ws, ignore=COPY_IGNORE)
    shutil.copy(TEMPLATE, ws / "template.yaml")
    (ws / "infra").mkdir(exist_ok=True)
    shutil.copy(TEMPLATE, ws / "infra" / "bot.yaml")
    if TF_BAD.is_dir():
        shutil.copytree(TF_BAD, ws / "infra" / "tf")
    return ws


@pytest.fixture(scope="module")
def install_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment for the blocks that install (made once: pip works on it as a user's)."""
    venv = tmp_path_factory.mktemp("docs-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return venv


def allowed(program: str, code: int) -> bool:
    if program in ("lexiam", "pre-commit"):
        return code in (0, 1)
    if program == "cfn-lint":  # a bit mask: 2 error, 4 warning, 8 info; 1: linting failed
        return code & 1 == 0
    return code == 0


def test_the_commands_are_found() -> None:
    """The extraction cannot come back empty-handed: the README's own commands are among those found."""
    texts = [c.text for c in RUN]
    assert "pip install . && lexiam scan sample_templates/ --fail-on none" in texts
    assert README_TEST_COMMAND in texts
    assert any(t.startswith("cfn-lint ") and "lexiam.cfn_lint" in t for t in texts)
    assert sum(len(b) for b in BLOCKS.values()) >= 6
    print(f"\n{sum(len(b) for b in BLOCKS.values())} documented commands run, {len(SYNOPSES)} synopsis lines checked")


def test_ci_runs_the_readme_setup_commands() -> None:
    """.ci/run runs the README's second set-up command verbatim; the first installs and scans the samples."""
    first, second = setup_commands((REPO / "README.md").read_text(encoding="utf-8"))[:2]
    assert second == README_TEST_COMMAND
    assert first.startswith("pip install ") and "lexiam scan sample_templates/" in first
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "sed -n 's/^    \\$ //p' README.md | sed -n '2p'" in ci and 'bash -c "$test_cmd"' in ci


@pytest.mark.parametrize("block", list(BLOCKS.values()), ids=lambda b: " ".join(c.id for c in b))
def test_documented_command(block: list[Command], tmp_path: Path, request) -> None:
    ws = workspace(tmp_path)
    path = [str(Path(sys.executable).parent)]
    env = {**os.environ, "PYTEST_ADDOPTS": "--collect-only", "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    if any("pip" in c.programs for c in block):
        venv = request.getfixturevalue("install_venv")
        path.insert(0, str(bin_dir(venv)))
        env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([*path, os.environ.get("PATH", "")])
    for cmd in block:
        proc = subprocess.run(["bash", "-c", cmd.text], cwd=ws, env=env, capture_output=True, text=True, timeout=900)
        out = proc.stdout + proc.stderr
        where = f"{cmd.doc}:{cmd.line}: {cmd.text}\nexit {proc.returncode}\n{out[-4000:]}"
        assert "Traceback" not in out, where
        assert allowed(cmd.programs[-1], proc.returncode), where
        if re.search(r"(?<![\w/.-])template\.yaml\b", cmd.text):
            assert "E9501" in proc.stdout, where  # it did lint the template, with the pack


@pytest.mark.parametrize("cmd", SYNOPSES, ids=lambda c: c.id)
def test_documented_synopsis(cmd: Command) -> None:
    words = cmd.text.split(" #", 1)[0].split()
    if words[0] == "lexiam":
        base = [sys.executable, "-m", "lexiam"]
        rest = words[1:]
    else:
        assert words[:3] == ["python", "-m", "lexiam"], cmd.text
        base = [sys.executable, "-m", "lexiam"]
        rest = words[3:]
    sub = [rest[0]] if rest and re.fullmatch(r"[a-z]+", rest[0]) else []
    proc = subprocess.run([*base, *sub, "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for option in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", cmd.text))):
        assert re.search(rf"(?<![\w-]){option}(?![\w-])", proc.stdout), f"{cmd.doc}:{cmd.line}: {option} is not an option"
