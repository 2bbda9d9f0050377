"""``--jobs``: worker processes never change the report (no timing here: speed is bench/bench.py's)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lexiam import jobs
from lexiam.cli import main
from tests.conftest import SAMPLES

CFN = SAMPLES / "cloudformation"
TF = SAMPLES / "terraform"


@pytest.fixture
def pool_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool even for small scans, and fail if a scan with --jobs > 1 runs without it."""
    if not jobs.can_fork():
        pytest.skip("no fork on this platform: --jobs runs the tasks in-process")
    monkeypatch.setattr(jobs, "MIN_POOL_WORK", 0)
    serial = jobs._serial

    def no_serial(tasks, work, progress):  # noqa: ANN001, ANN202
        raise AssertionError("the scan did not use the pool")

    def run(tasks, work, weight, n, progress=None, before_fork=None):  # noqa: ANN001, ANN202
        monkeypatch.setattr(jobs, "_serial", serial if n == 1 else no_serial)
        return original(tasks, work, weight, n, progress, before_fork)

    original = jobs.run
    monkeypatch.setattr(jobs, "run", run)


def _report(tmp_path: Path, cwd: Path, paths: list[str], n: int, fmt: str = "json") -> bytes:
    out = tmp_path / f"report-{n}.{fmt}"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        code = main(["scan", *paths, "--no-config", "--format", fmt, "--output", str(out), "--jobs", str(n)])
    assert code in (0, 1)
    return out.read_bytes()


def _mixed_tree(root: Path) -> Path:
    """Templates with and without Lex, Terraform modules (one calling a local child), a file that does
    not parse, a non-template, in nested folders."""
    for i, sample in enumerate(sorted(CFN.iterdir())):
        dest = root / "stacks" / f"team{i % 3}" / sample.name
        shutil.copytree(sample, dest)
    for sample in sorted(TF.iterdir()):
        shutil.copytree(sample, root / "infra" / sample.name)
    parent = root / "infra" / "composed"
    child = root / "infra" / "modules" / "bot"
    child.mkdir(parents=True)
    (child / "main.tf").write_text(
        'variable "role" {}\n'
        'resource "aws_lexv2models_bot" "b" {\n  name = "b"\n  role_arn = var.role\n'
        '  idle_session_ttl_in_seconds = 300\n  data_privacy { child_directed = false }\n}\n')
    parent.mkdir()
    (parent / "main.tf").write_text(
        'module "bot" {\n  source = "../modules/bot"\n'
        '  role = "arn:aws:iam::123456789012:role/aws-service-role/lex.amazonaws.com/AWSServiceRoleForLexBots"\n}\n')
    (root / "stacks" / "plain.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    (root / "stacks" / "broken-lex.yaml").write_text("Resources:\n  Bot: {Type: AWS::Lex::Bot\n")
    (root / "stacks" / "notes.json").write_text('{"lex": "not a template"}\n')
    (root / "infra" / "broken").mkdir()
    (root / "infra" / "broken" / "main.tf").write_text('resource "aws_lexv2models_bot" "x" {\n')
    return root


@pytest.mark.usefixtures("pool_forced")
def test_jobs_2_and_1_give_the_same_json_on_the_samples(tmp_path: Path) -> None:
    two = _report(tmp_path, SAMPLES, ["."], 2)
    one = _report(tmp_path, SAMPLES, ["."], 1)
    assert two == one
    assert b'"rule_id": "E9501"' in one


@pytest.mark.usefixtures("pool_forced")
def test_jobs_2_and_1_give_the_same_json_on_a_mixed_tree(tmp_path: Path) -> None:
    root = _mixed_tree(tmp_path / "repo")
    two = _report(tmp_path, root, ["."], 2)
    one = _report(tmp_path, root, ["."], 1)
    assert two == one
    for rule in (b"E9500", b"E9522"):
        assert rule in one
    assert _report(tmp_path, root, ["stacks", "infra/composed/main.tf"], 2) == \
        _report(tmp_path, root, ["stacks", "infra/composed/main.tf"], 1)


@pytest.mark.usefixtures("pool_forced")
def test_jobs_2_and_1_give_the_same_sarif(tmp_path: Path) -> None:
    root = _mixed_tree(tmp_path / "repo")
    assert _report(tmp_path, root, ["."], 2, "sarif") == _report(tmp_path, root, ["."], 1, "sarif")


def test_console_script_jobs_flag(lexiam) -> None:
    one = lexiam("scan", "sample_templates", "--no-config", "--format", "json", "--jobs", "1")
    two = lexiam("scan", "sample_templates", "--no-config", "--format", "json", "-j", "2")
    assert one.code == two.code == 1 and one.stdout == two.stdout


@pytest.mark.parametrize("value", ["0", "-1", "-8", "two", ""])
def test_jobs_under_1_or_not_a_number_is_a_usage_error(lexiam, value: str) -> None:
    run = lexiam("scan", "sample_templates", "--jobs", value)
    assert run.code == 2 and "--jobs" in run.stderr and run.stdout == ""


def test_small_scans_stay_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_pool() -> bool:
        raise AssertionError("a pool was considered for a scan with nothing to parse in parallel")

    monkeypatch.setattr(jobs, "can_fork", no_pool)
    _report(tmp_path, CFN / "E9501-rp-unsupported-action", ["bad.yaml"], 4)


def test_results_keep_the_order_of_the_tasks() -> None:
    tasks = list(range(40))
    weight = (lambda t: 0 if t % 3 else 1_000_000)  # noqa: E731 - light ones here, heavy ones in the pool
    if jobs.can_fork():
        assert jobs.run(tasks, _square, weight, 2) == [t * t for t in tasks]
    assert jobs.run(tasks, _square, weight, 1) == [t * t for t in tasks]


def _square(t: int) -> int:
    return t * t


def _freeze_count(_t: int) -> int:
    import gc

    return gc.get_freeze_count()


def test_workers_inherit_frozen_objects_and_the_parent_is_left_as_it_was() -> None:
    # the parent's objects are frozen for the workers (the cycle collector would otherwise write to
    # pages they share), and unfrozen after, unless the program had frozen them itself
    import gc

    if not jobs.can_fork():
        pytest.skip("no fork on this platform: --jobs runs the tasks in-process")
    tasks = list(range(4))
    heavy = (lambda t: 1_000_000)  # noqa: E731
    assert gc.get_freeze_count() == 0
    counts = jobs.run(tasks, _freeze_count, heavy, 2)
    assert all(c > 0 for c in counts)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        jobs.run(tasks, _freeze_count, heavy, 2)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
