"""The pre-commit hook (.pre-commit-hooks.yaml), run with the real ``pre-commit try-repo``.

The hook repository is a copy of this checkout committed with fixed dates, so its revision (and
the hook environment pre-commit builds for it, once per test session) stays the same across calls.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SAMPLES, run_lexiam

pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")

BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
GOOD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "good.yaml"
TF_BAD = SAMPLES / "terraform" / "E9501-rp-unsupported-action" / "bad" / "main.tf"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                   check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("hookrepo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("analyzer", "rules"):
        shutil.copytree(REPO / name, repo / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, repo / name)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "hook repo", cwd=repo)
    return repo


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with templates, a workflow file, and a Terraform module split over two files."""
    (tmp_path / "stacks").mkdir()
    shutil.copy(BAD_E9501, tmp_path / "stacks" / "bad.yaml")
    shutil.copy(GOOD, tmp_path / "stacks" / "good.yaml")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    if TF_BAD.is_file():
        # main.tf declares the bot; policy.tf the bot policy that names it: the policy is a *bot* policy
        # (and E9501 fires) only when both files are read as one module.
        text = re.sub(r"\s*# expect:.*", "", TF_BAD.read_text(encoding="utf-8"))
        start = text.index('resource "awscc_lex_resource_policy"')
        end = text.index("\n}\n", start) + 3
        (tmp_path / "tf").mkdir()
        (tmp_path / "tf" / "main.tf").write_text(text[:start] + text[end:], encoding="utf-8")
        (tmp_path / "tf" / "policy.tf").write_text(text[start:end], encoding="utf-8")
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    return tmp_path


def try_repo(hook_repo: Path, home: Path, project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pre-commit", "try-repo", str(hook_repo), "lexiam", "--files", *files],
                          cwd=project, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)})


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "lexiam" and hook["entry"] == "lexiam scan" and hook["language"] == "python"
    assert hook["require_serial"] is True
    files = re.compile(hook["files"])
    for name in ("a/stack.yaml", "b.yml", "t.json", "x.template", "main.tf", "prod.tfvars", "UPPER.YAML"):
        assert files.search(name), name
    for name in ("README.md", "main.py", "tf.lock.hcl"):
        assert not files.search(name), name


def test_try_repo(hook_repo: Path, pre_commit_home: Path, project: Path) -> None:
    """One real ``pre-commit try-repo`` (it builds a fresh hook environment every time: ~20 s)."""
    files = ["stacks/bad.yaml", "stacks/good.yaml", ".github/workflows/ci.yml"]
    tf = (project / "tf").is_dir() and importlib.util.find_spec("lexiam.terraform") is not None
    if tf:
        files.append("tf/policy.tf")
    run = try_repo(hook_repo, pre_commit_home, project, *files)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "lexiam (Amazon Lex V2 IAM)" in out and "Failed" in out
    assert "error E9501 rp-unsupported-action" in out and "--> stacks/bad.yaml:70:17" in out
    assert "stacks/good.yaml" not in out.split("- exit code: 1")[1].split(" files: ")[0]
    if tf:  # policy.tf was read with main.tf (its module); only policy.tf is reported
        assert "--> tf/policy.tf:" in out and "tf/main.tf" not in out
        assert "in 4 files: 3 scanned, 1 skipped" in out  # ci.yml: not a template
    else:
        assert "in 3 files: 2 scanned, 1 skipped" in out


needs_terraform = pytest.mark.skipif(importlib.util.find_spec("lexiam.terraform") is None or not TF_BAD.is_file(),
                                     reason="the Terraform front end is not in this checkout")


@needs_terraform
@pytest.mark.parametrize("named, reported", [
    (["tf/policy.tf"], ["tf/policy.tf"]),  # the bot it names is in main.tf: read for context
    (["tf/main.tf"], []),  # the finding is in policy.tf, which was not named
    (["tf/main.tf", "tf/policy.tf"], ["tf/policy.tf"]),
    (["tf"], ["tf/policy.tf"]),  # a folder: everything in it
    (["tf/prod.tfvars"], ["tf/policy.tf"]),  # variable values: the whole module beside them
])
def test_named_terraform_files(project: Path, named: list[str], reported: list[str]) -> None:
    (project / "tf" / "prod.tfvars").write_text('env = "prod"\n', encoding="utf-8")
    run = run_lexiam("scan", *named, "--format", "json", cwd=project)
    assert sorted({f["file"] for f in run.json()["findings"]}) == reported
    assert run.code == (1 if reported else 0)


def test_documented_config_pins_the_release(tmp_path: Path) -> None:
    """docs/usage/pre-commit.md: a valid .pre-commit-config.yaml that pins this version's tag (no branch:
    pre-commit warns about a mutable rev)."""
    import lexiam

    text = (REPO / "docs" / "usage" / "pre-commit.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "repos:" in b]
    (repo,) = yaml.safe_load(block)["repos"]
    assert repo["repo"] == "https://github.com/lexiam/lexiam" and repo["rev"] == f"v{lexiam.__version__}"
    assert [h["id"] for h in repo["hooks"]] == ["lexiam"]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(block, encoding="utf-8")
    proc = subprocess.run(["pre-commit", "validate-config", str(config)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "mutable reference" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
