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

    def no_serial(tasks, work, progress, size=None):  # noqa: ANN001, ANN202
        raise AssertionError("the scan did not use the pool")

    def run(tasks, work, weight, n, progress=None, before_fork=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        monkeypatch.setattr(jobs, "_serial", serial if n == 1 else no_serial)
        return original(tasks, work, weight, n, progress, before_fork, **kwargs)

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


# --- a worker that dies -------------------------------------------------------------------------------

def _die_on_3(t: int) -> int:
    import os
    import signal

    if t == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does
    return t * t


def test_a_worker_killed_by_sigkill_costs_its_task_only() -> None:
    if not jobs.can_fork():
        pytest.skip("no fork on this platform: --jobs runs the tasks in-process")
    tasks = list(range(12))
    heavy = (lambda t: 1_000_000)  # noqa: E731 - every task to the pool
    got = jobs.run(tasks, _die_on_3, heavy, 2, on_crash=lambda t, why: f"crashed {t}: {why}")
    assert got[:3] == [0, 1, 4] and got[4:] == [t * t for t in tasks[4:]]
    assert got[3] == "crashed 3: the worker process reading it was killed by SIGKILL (the system may have run out of memory)"
    with pytest.raises(RuntimeError, match="killed by SIGKILL"):
        jobs.run(tasks, _die_on_3, heavy, 2)  # without on_crash: an error, never a hang


def _wait_to_be_killed(t: int) -> int:
    import os
    import time

    if t == 5:
        marker = os.environ["LEXIAM_TEST_PID_FILE"]
        with open(marker + ".tmp", "w") as fh:
            fh.write(str(os.getpid()))
        os.replace(marker + ".tmp", marker)
        while True:  # until the test kills this process
            time.sleep(0.05)
    return t


def test_a_worker_killed_from_outside_while_it_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal
    import threading
    import time

    if not jobs.can_fork():
        pytest.skip("no fork on this platform: --jobs runs the tasks in-process")
    marker = tmp_path / "pid"
    monkeypatch.setenv("LEXIAM_TEST_PID_FILE", str(marker))
    killed: list[int] = []

    def killer() -> None:
        for _ in range(6000):  # bounded: 5 minutes at most, then the run itself fails the test
            if marker.exists():
                pid = int(marker.read_text())
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    got = jobs.run(list(range(10)), _wait_to_be_killed, lambda t: 1_000_000, 2, on_crash=lambda t, why: -1)
    thread.join()
    assert killed and killed[0] != os.getpid()
    assert got == [0, 1, 2, 3, 4, -1, 6, 7, 8, 9]


def test_the_scan_goes_on_when_a_worker_dies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the engine: the file whose worker died is one E9500, the other files' findings stay."""
    import os
    import signal

    from lexiam import engine

    if not jobs.can_fork():
        pytest.skip("no fork on this platform: --jobs runs the tasks in-process")
    for i in range(4):
        shutil.copy(CFN / "E9501-rp-unsupported-action" / "bad.yaml", tmp_path / f"t{i}.yaml")
    monkeypatch.setattr(jobs, "MIN_POOL_WORK", 0)
    original = engine.run_task
    parent = os.getpid()

    def run_task(task, options):  # noqa: ANN001, ANN202
        if task.path.name == "t2.yaml" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(task, options)

    monkeypatch.setattr(engine, "run_task", run_task)
    result = engine.scan([tmp_path], engine.Options(root=tmp_path, jobs=2))
    by_file = {(f.file, f.rule_id) for f in result.findings}
    assert by_file == {("t0.yaml", "E9501"), ("t1.yaml", "E9501"), ("t2.yaml", "E9500"), ("t3.yaml", "E9501")}
    (crash,) = [f for f in result.findings if f.rule_id == "E9500"]
    assert "killed by SIGKILL" in crash.message
    assert [r.status for r in result.files if r.file == "t2.yaml"] == ["error"]
