"""Every sample template: the bad one fires exactly its marked findings (ID, line, column), the good one is silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLES, expected_findings, run_lexiam

BAD = sorted(p for p in SAMPLES.rglob("bad*") if p.is_file())
GOOD = sorted(p for p in SAMPLES.rglob("good*") if p.is_file())


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(SAMPLES)) for p in paths]


@pytest.fixture(scope="module")
def scan_all() -> dict[str, list[dict]]:
    run = run_lexiam("scan", str(SAMPLES), "--format", "json", "--fail-on", "none", cwd=SAMPLES.parent)
    assert run.code == 0, run.stderr
    by_file: dict[str, list[dict]] = {}
    for f in run.json()["findings"]:
        by_file.setdefault(f["file"], []).append(f)
    return by_file


def _findings_for(scan_all: dict[str, list[dict]], path: Path) -> list[dict]:
    rel = str(path.relative_to(SAMPLES.parent))
    return scan_all.get(rel, [])


@pytest.mark.parametrize("path", BAD, ids=_ids(BAD))
def test_bad_sample_fires_exactly_its_markers(path: Path, scan_all) -> None:
    expected = expected_findings(path)
    assert expected, f"{path} has no '# expect:' markers"
    actual = {(f["rule_id"], f["line"], f["column"]) for f in _findings_for(scan_all, path)}
    assert actual == expected


@pytest.mark.parametrize("path", GOOD, ids=_ids(GOOD))
def test_good_sample_is_silent(path: Path, scan_all) -> None:
    assert _findings_for(scan_all, path) == []


def test_every_rule_has_a_bad_and_a_good_sample() -> None:
    from rules.registry import all_rules

    folders = {p.parent.name.split("-")[0] for p in BAD} & {p.parent.name.split("-")[0] for p in GOOD}
    missing = [r.id for r in all_rules() if r.id not in folders]
    assert not missing, f"rules without samples: {missing}"


def test_each_bad_sample_fires_its_own_rule() -> None:
    for path in BAD:
        rule = path.parent.name.split("-")[0]
        assert any(r == rule for r, _, _ in expected_findings(path)), path
