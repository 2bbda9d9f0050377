"""Configuration: ``.lexiam.yaml`` or ``[tool.lexiam]`` found from the scan root upwards, or ``--config``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lexiam.config import excluder
from tests.conftest import SAMPLES, run_lexiam
from tests.sarif_validation import check_sarif_text

BAD_W9509 = SAMPLES / "cloudformation" / "W9509-rp-wildcard-action" / "bad.yaml"
BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with two templates: a warning (W9509) in stacks/, an error (E9501) in legacy/."""
    (tmp_path / ".git").mkdir()
    for folder, src in (("stacks", BAD_W9509), ("legacy", BAD_E9501)):
        (tmp_path / folder).mkdir()
        shutil.copy(src, tmp_path / folder / "bot.yaml")
    return tmp_path


def findings(run) -> list[tuple[str, str]]:
    return [(f["rule_id"], f["severity"]) for f in run.json()["findings"]]


def test_yaml_config_found_from_a_subfolder(project: Path) -> None:
    (project / ".lexiam.yaml").write_text("format: json\nignore: [E9501]\n", encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=project / "stacks")
    assert findings(run) == [("W9509", "warning")] and run.code == 1


def test_pyproject_table(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.lexiam]\nformat = "json"\nfail-on = "error"\nexclude = ["legacy"]\n', encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=project)
    assert findings(run) == [("W9509", "warning")]
    assert run.code == 0  # fail-on error: a warning passes


def test_pyproject_without_a_lexiam_table_is_not_a_config(project: Path) -> None:
    repo = project / "repo"
    repo.mkdir()
    (project / ".git").rename(repo / ".git")
    shutil.move(project / "stacks", repo / "stacks")
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (project / ".lexiam.yaml").write_text("bogus: 1\n", encoding="utf-8")  # above the repository: never read
    run = run_lexiam("scan", ".", cwd=repo)
    assert run.code == 1 and "W9509" in run.stdout


def test_command_line_wins(project: Path) -> None:
    (project / ".lexiam.yaml").write_text("format: json\nfail-on: none\n", encoding="utf-8")
    run = run_lexiam("scan", ".", "--format", "text", "--fail-on", "warning", cwd=project)
    assert run.code == 1 and run.stdout.startswith("error E9501") and "--> legacy/bot.yaml:" in run.stdout


def test_severity_override(project: Path) -> None:
    (project / ".lexiam.yaml").write_text("format: json\nfail-on: error\nseverity:\n  W9509: error\n  E95: info\n",
                                          encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=project)
    assert sorted(findings(run)) == [("E9501", "info"), ("W9509", "error")]  # the longest prefix wins
    assert run.code == 1
    sarif = check_sarif_text(run_lexiam("scan", ".", "--format", "sarif", cwd=project).stdout)
    assert sorted(r["level"] for r in sarif["runs"][0]["results"]) == ["error", "note"]


def test_explicit_config_file_and_relative_paths(project: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("conf")
    (elsewhere / "team.yaml").write_text("output: report.json\nformat: json\nexclude: ['**/legacy/**']\n", encoding="utf-8")
    run = run_lexiam("scan", str(project), "--config", str(elsewhere / "team.yaml"), "--fail-on", "none", cwd=project)
    assert run.stdout == ""
    report = (elsewhere / "report.json").read_text(encoding="utf-8")  # relative to the config file
    assert '"W9509"' in report and '"E9501"' in report  # the excludes are relative to the config file too
    toml = elsewhere / "lexiam.toml"
    toml.write_text('format = "json"\nignore = ["W9509"]\n', encoding="utf-8")
    run = run_lexiam("scan", ".", "--config", str(toml), cwd=project)
    assert findings(run) == [("E9501", "error")]


def test_no_config_flag(project: Path) -> None:
    (project / ".lexiam.yaml").write_text("format: json\n", encoding="utf-8")
    assert "--> legacy/bot.yaml:" in run_lexiam("scan", ".", "--no-config", cwd=project).stdout


def test_vars_and_account(project: Path) -> None:
    (project / ".lexiam.yaml").write_text(
        "account-id: '123456789012'\nregion: eu-west-1\nvars: {env: prod, count: 2}\nvar-files: [prod.tfvars]\n"
        "inline-ignores: false\nshow-suppressed: true\n", encoding="utf-8")
    (project / "prod.tfvars").write_text('env = "prod"\n', encoding="utf-8")
    run = run_lexiam("scan", ".", "--fail-on", "none", cwd=project)
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("text, message", [
    ("colour: red\n", "unknown key 'colour'"),
    ("fail-on: sometimes\n", "fail-on: must be one of"),
    ("format: [json]\n", "format: must be one of"),
    ("account-id: 12345\n", "account-id: must be a 12-digit account ID"),
    ("severity: {W9509: fatal}\n", "W9509: must be error, warning or info"),
    ("severity: {Z1: error}\n", "Z1: no rule has this ID or prefix"),
    ("ignore: [Q77]\n", "Q77: no rule has this ID or prefix"),
    ("exclude: 3\n", "exclude: must be a list of strings"),
    ("inline-ignores: maybe\n", "inline-ignores: must be true or false"),
    ("vars: [a, b]\n", "vars: must be a mapping"),
    ("- just\n- a list\n", "must be a mapping of keys to values"),
    ("format: json\n  bad: indent\n", "not valid YAML"),
], ids=lambda v: v if len(v) < 30 else None)
def test_bad_yaml_config_is_a_usage_error(project: Path, text: str, message: str) -> None:
    (project / ".lexiam.yaml").write_text(text, encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=project)  # run_lexiam asserts there is no traceback
    assert run.code == 2 and message in run.stderr and run.stderr.startswith("lexiam: error: ")


@pytest.mark.parametrize("text, message", [
    ("[tool.lexiam]\nformat = 'json\n", "not valid TOML"),
    ("[tool.lexiam]\nfail_on = 3\n", "fail_on: must be one of"),
    ("[tool.lexiam]\nunknown-thing = true\n", "unknown key 'unknown-thing'"),
])
def test_bad_toml_config_is_a_usage_error(project: Path, text: str, message: str) -> None:
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=project)
    assert run.code == 2 and message in run.stderr


def test_missing_or_tableless_explicit_config(project: Path) -> None:
    run = run_lexiam("scan", ".", "--config", "nope.yaml", cwd=project)
    assert run.code == 2 and "cannot read the configuration" in run.stderr
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    run = run_lexiam("scan", ".", "--config", "pyproject.toml", cwd=project)
    assert run.code == 2 and "no [tool.lexiam] table" in run.stderr


def test_exclude_globs(tmp_path: Path) -> None:
    ex = excluder(["legacy", "build/", "**/cdk.out/**", "stacks/*.json", "/top.yaml"], tmp_path)
    assert ex(tmp_path / "legacy") and ex(tmp_path / "a" / "legacy" / "x.yaml")
    assert ex(tmp_path / "build" / "x.yaml") and ex(tmp_path / "a" / "cdk.out" / "t.json")
    assert ex(tmp_path / "stacks" / "x.json") and not ex(tmp_path / "stacks" / "deep" / "x.json")
    assert ex(tmp_path / "top.yaml") and not ex(tmp_path / "sub" / "top.yaml")
    assert not ex(tmp_path / "legacy2" / "x.yaml") and not ex(tmp_path.parent / "legacy")


def test_excluded_file_named_on_the_command_line_is_skipped(project: Path) -> None:
    (project / ".lexiam.yaml").write_text("format: json\nexclude: [legacy]\n", encoding="utf-8")
    run = run_lexiam("scan", "legacy/bot.yaml", "stacks/bot.yaml", cwd=project)
    doc = run.json()
    assert [f["rule_id"] for f in doc["findings"]] == ["W9509"] and doc["summary"]["skipped"] == 1


@pytest.mark.parametrize("key", ["output", "sarif-file", "baseline"])
def test_config_paths_must_stay_inside_its_folder(lexiam, tmp_path: Path, key: str) -> None:
    # the configuration comes with the scanned code: it must not send reports elsewhere on the machine
    (tmp_path / ".lexiam.yaml").write_text(f"{key}: ../../outside.json\n")
    (tmp_path / "t.yaml").write_text("Resources: {}\n")
    run = lexiam("scan", str(tmp_path), "--root", str(tmp_path))
    assert run.code == 2 and "outside the folder of the configuration file" in run.stderr
    assert not (tmp_path.parent.parent / "outside.json").exists()
