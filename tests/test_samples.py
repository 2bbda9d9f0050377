"""Every sample: the bad one fires exactly its marked findings (ID, file, line, column), the good one is silent.

A CloudFormation sample is a file (``bad.yaml``, ``bad-sam.yaml``); a Terraform sample is a module folder
(``bad/``). A sample whose first lines say ``# lexiam-scan: --account-id 444455556666`` is judged on a scan
with those options (a rule that needs the deploying account to be known).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, expected_findings, run_lexiam


def _samples(kind: str) -> list[Path]:
    return sorted(p for p in SAMPLES.rglob(f"{kind}*") if p.is_file() and p.parent.name != kind or
                  p.is_dir() and p.name == kind)


BAD = _samples("bad")
GOOD = _samples("good")


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(SAMPLES)) for p in paths]


def _files(sample: Path) -> list[Path]:
    return sorted(sample.glob("*.tf")) if sample.is_dir() else [sample]


def _rel(path: Path) -> str:
    return path.relative_to(SAMPLES.parent).as_posix()


_SCAN_ARGS = re.compile(r"#\s*lexiam-scan:\s*(.+)$")


def scan_args(sample: Path) -> tuple[str, ...]:
    """The options a sample asks to be scanned with (``# lexiam-scan: ...`` in its first lines)."""
    for f in _files(sample):
        for line in f.read_text(encoding="utf-8").splitlines()[:3]:
            m = _SCAN_ARGS.search(line)
            if m:
                return tuple(m.group(1).split())
    return ()


def _by_file(run) -> dict[str, list[dict]]:
    assert run.code == 0, run.stderr
    by_file: dict[str, list[dict]] = {}
    for f in run.json()["findings"]:
        by_file.setdefault(f["file"], []).append(f)
    return by_file


@pytest.fixture(scope="module")
def scan_all() -> dict[str, list[dict]]:
    by_file = _by_file(run_lexiam("scan", str(SAMPLES), "--format", "json", "--fail-on", "none", cwd=SAMPLES.parent))
    with_args: dict[tuple[str, ...], list[Path]] = {}
    for sample in BAD + GOOD:
        args = scan_args(sample)
        if args:
            with_args.setdefault(args, []).append(sample)
    for args, samples in with_args.items():
        run = run_lexiam("scan", *(str(s) for s in samples), *args, "--format", "json", "--fail-on", "none",
                         cwd=SAMPLES.parent)
        found = _by_file(run)
        for sample in samples:
            for f in _files(sample):
                by_file[_rel(f)] = found.get(_rel(f), [])
    return by_file


def _actual(scan_all: dict[str, list[dict]], sample: Path) -> set[tuple[str, str, int, int]]:
    """What a sample reports: its findings that no suppression written in it silences."""
    return {(_rel(f), x["rule_id"], x["line"], x["column"]) for f in _files(sample) for x in scan_all.get(_rel(f), [])
            if "suppressed" not in x}


def _expected(sample: Path) -> set[tuple[str, str, int, int]]:
    return {(_rel(f), rule, line, col) for f in _files(sample) for rule, line, col in expected_findings(f)}


@pytest.mark.parametrize("sample", BAD, ids=_ids(BAD))
def test_bad_sample_fires_exactly_its_markers(sample: Path, scan_all) -> None:
    expected = _expected(sample)
    assert expected, f"{sample} has no '# expect:' markers"
    assert _actual(scan_all, sample) == expected


@pytest.mark.parametrize("sample", GOOD, ids=_ids(GOOD))
def test_good_sample_is_silent(sample: Path, scan_all) -> None:
    assert _actual(scan_all, sample) == set()


def _rule_of(sample: Path) -> str:
    folder = sample.parent if sample.is_file() else sample.parent
    return folder.name.split("-")[0]


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_every_rule_has_a_bad_and_a_good_sample(fmt: str) -> None:
    from lexiam.rules.pack import all_rules

    base = SAMPLES / fmt
    have = {_rule_of(p) for p in BAD if base in p.parents} & {_rule_of(p) for p in GOOD if base in p.parents}
    missing = [r.id for r in all_rules() if r.id not in have]
    assert not missing, f"rules without {fmt} samples: {missing}"


def test_each_bad_sample_fires_its_own_rule() -> None:
    for sample in BAD:
        rule = _rule_of(sample)
        assert any(r == rule for _, r, _, _ in _expected(sample)), sample
