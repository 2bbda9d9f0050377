"""The project's GitHub workflows (.github/workflows/), the Action's metadata (action.yml) and the workflow
the docs show, validated offline: GitHub's schemas as check-jsonschema vendors them
(``--builtin-schema vendor.github-workflows`` / ``vendor.github-actions``) and zizmor's audits
(``--offline``: no audit that asks GitHub).  Both come from PyPI with the test extras.

zizmor runs with its pedantic persona on the project's own files: no finding, and the only ignore
comments are the ones listed in :data:`IGNORED` (each with its reason beside it in the file).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import lexiam
from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTION = REPO / "action.yml"
DOCUMENTED = ("README.md", "docs/usage/github.md")
# (file, audit): the ignores written in the files, and why
IGNORED = {
    # the dogfood job runs this checkout's Action with ``uses: ./``; zizmor asks for GitHub's newer ``$/``
    # spelling, which self-hosted runners older than mid-2026 and actionlint do not know
    ("lexiam.yml", "self-repository"): 2,
}

needs_schema = pytest.mark.skipif(shutil.which("check-jsonschema") is None, reason="check-jsonschema is not installed")
needs_zizmor = pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor is not installed")


def on(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare ``on`` as true


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def documented_workflows(tmp: Path) -> list[Path]:
    out = []
    for doc in DOCUMENTED:
        text = (REPO / doc).read_text(encoding="utf-8")
        for i, block in enumerate(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if re.search(r"^jobs:", b, re.M)):
            path = tmp / f"{Path(doc).stem}-{i}.yml"
            path.write_text(block, encoding="utf-8")
            out.append(path)
    assert len(out) == len(DOCUMENTED)
    return out


def schema_check(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["check-jsonschema", "--builtin-schema", schema, *map(str, files)], capture_output=True,
                          text=True, timeout=300)


def zizmor(*args: str) -> list[dict]:
    proc = subprocess.run(["zizmor", "--offline", "--no-progress", "--format", "json", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode in (0, *range(10, 20)), proc.stderr  # 1x: findings, by severity
    return json.loads(proc.stdout or "[]")


def where(finding: dict) -> str:
    loc = finding["locations"][0]
    path = next(iter(loc["symbolic"]["key"].get("Local", {}).values()), "?")
    return f"{finding['ident']} at {path}:{loc['concrete']['location']['start_point']['row'] + 1}"


@needs_schema
def test_workflows_match_githubs_schema(tmp_path: Path) -> None:
    files = [*WORKFLOWS, *documented_workflows(tmp_path)]
    proc = schema_check("vendor.github-workflows", files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = schema_check("vendor.github-actions", [ACTION])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_schema
def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@v1\n        run: echo\n",
                   encoding="utf-8")
    assert schema_check("vendor.github-workflows", [bad]).returncode != 0


@needs_zizmor
def test_zizmor_finds_nothing_in_the_projects_workflows() -> None:
    findings = zizmor("--persona", "pedantic", *map(str, WORKFLOWS), str(ACTION))
    assert [where(f) for f in findings] == []
    written: dict[tuple[str, str], int] = {}
    for path in [*WORKFLOWS, ACTION]:
        for audit in re.findall(r"#\s*zizmor:\s*ignore\[([\w-]+)\]", path.read_text(encoding="utf-8")):
            written[(path.name, audit)] = written.get((path.name, audit), 0) + 1
    assert written == IGNORED


@needs_zizmor
def test_zizmor_on_the_documented_workflow(tmp_path: Path) -> None:
    """The one finding allowed: the docs pin lexiam by its release tag (v0.2.0): its commit SHA is known
    only once the tag exists (then the docs may pin ``lexiam/lexiam@<sha>  # v0.2.0``)."""
    for path in documented_workflows(tmp_path):
        findings = zizmor(str(path))
        uses = load(path)["jobs"]["lexiam"]["steps"][1]["uses"]
        expected = ["unpinned-uses"] if not re.fullmatch(r"lexiam/lexiam@[0-9a-f]{40}", uses) else []
        assert [f["ident"] for f in findings] == expected, [where(f) for f in findings]


@needs_zizmor
def test_zizmor_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request_target\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
                   "    steps:\n      - uses: actions/checkout@v4\n        with:\n"
                   "          ref: ${{ github.event.pull_request.head.sha }}\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n", encoding="utf-8")
    idents = {f["ident"] for f in zizmor(str(bad))}
    assert {"dangerous-triggers", "template-injection", "artipacked", "unpinned-uses"} <= idents


def test_the_tests_run_on_every_supported_python_and_os() -> None:
    workflow = load(REPO / ".github" / "workflows" / "tests.yml")
    matrix = workflow["jobs"]["tests"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    classifiers = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    assert matrix["python"] == classifiers == ["3.10", "3.11", "3.12", "3.13"]
    steps = workflow["jobs"]["tests"]["steps"]
    assert any(s.get("run") == "python -m pip install '.[test]'" for s in steps)
    assert any(s.get("run") == "python -m pytest -q" for s in steps)
    assert set(on(workflow)) == {"push", "pull_request"}


def test_the_action_is_dogfooded_on_the_samples() -> None:
    workflow = load(REPO / ".github" / "workflows" / "lexiam.yml")
    job = workflow["jobs"]["samples"]
    assert set(job["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    ours = [s for s in job["steps"] if s.get("uses") == "./"]
    assert ours and ours[0]["with"]["path"] == "sample_templates/"
    assert set(ours[0]["with"]) <= set(load(ACTION)["inputs"])


def test_the_release_workflow() -> None:
    workflow = load(REPO / ".github" / "workflows" / "release.yml")
    assert on(workflow) == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = [s.get("run", "") for s in build["steps"]]
    assert "python -m build" in runs and "python -m twine check --strict dist/*" in runs
    assert any('test "$TAG" = "v$version"' in r for r in runs)  # a tag that is not the version publishes nothing
    assert build["permissions"] == {"contents": "read"}
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}  # trusted publishing
    assert publish["environment"]["name"] == "pypi"
    assert re.fullmatch(r"pypa/gh-action-pypi-publish@[0-9a-f]{40}", publish["steps"][-1]["uses"])
    assert "with" not in publish["steps"][-1] or "password" not in publish["steps"][-1]["with"]  # no token


def test_every_action_is_pinned_by_sha_on_its_current_major() -> None:
    """One SHA per action across the workflows, the Action and the docs (the tags they are: in the comment)."""
    seen: dict[str, set[str]] = {}
    texts = [p.read_text(encoding="utf-8") for p in [*WORKFLOWS, ACTION]]
    texts += [(REPO / d).read_text(encoding="utf-8") for d in DOCUMENTED]
    for text in texts:
        for name, ref, comment in re.findall(r"uses:\s*([\w.-]+/[\w./-]+)@(\S+)(?:\s*#\s*(\S+))?", text):
            if name == "lexiam/lexiam":
                tag = f"v{lexiam.__version__}"
                assert ref == tag or (re.fullmatch(r"[0-9a-f]{40}", ref) and comment == tag), ref
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", ref) and re.fullmatch(r"v\d+\.\d+\.\d+", comment or ""), f"{name}@{ref}"
            seen.setdefault(name, set()).add(f"{ref} {comment}")
    assert all(len(v) == 1 for v in seen.values()), seen
    majors = {name: next(iter(v)).split()[1].split(".")[0] for name, v in seen.items()}
    assert majors == {"actions/checkout": "v7", "actions/setup-python": "v7", "actions/cache": "v5",
                      "actions/upload-artifact": "v7", "actions/download-artifact": "v8",
                      "github/codeql-action/upload-sarif": "v4", "pypa/gh-action-pypi-publish": "v1"}
