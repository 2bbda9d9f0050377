"""Round trips of ``lexiam fix`` on every sample and on the Lex files of ../shared/corpus (copied): fix with
the real CLI, scan again, parse every changed file with the same parser and an independent one, and check
that the bytes that changed lie inside the spans of the findings that were fixed."""

from __future__ import annotations

import difflib
import re
import shutil
from collections import Counter
from pathlib import Path

from lexiam.contract import Options
from lexiam.engine import scan
from lexiam.model import FIX_REMOVE, ScanResult
from tests.conftest import SAMPLES, run_lexiam
from tests.fixcheck import Span, changes_outside, parses

EDITABLE = (".yaml", ".yml", ".json", ".template", ".tf")


def _scan(root: Path, target: str) -> ScanResult:
    return scan([root / target], Options(root=root, jobs=1))


def _identity(f) -> tuple:  # noqa: ANN001
    return (f.rule_id, f.file, f.resource, f.path)


def _texts(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8", errors="surrogateescape")
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in EDITABLE}


def round_trip(root: Path, target: str, spans_only: bool = True) -> tuple[int, Counter]:
    """Fix ``target`` below ``root`` with --unsafe-fixes and check the result; the number of findings fixed,
    by rule.  ``spans_only``: every changed byte is in the span of a finding of the first scan (not so when a
    fix reveals a finding that a later round fixes: the caller checks those changes another way)."""
    before = _scan(root, target)
    old = _texts(root)
    run = run_lexiam("fix", "--unsafe-fixes", "--fail-on", "none", "--format", "json", target, cwd=root)
    assert run.code == 0, run.stderr
    after = _scan(root, target)
    new = _texts(root)
    # no finding appeared; every finding with a fix is gone, or lexiam said why it is not fixed
    was, now = Counter(map(_identity, before.findings)), Counter(map(_identity, after.findings))
    assert not now - was, f"new findings: {now - was}"
    told = set(re.findall(r"not fixed: (\S+:\d+:\d+) ", run.stderr))
    fixed: Counter = Counter()
    spans: dict[str, list[Span]] = {}
    for f in before.findings:
        if f.fix is None or f.suppressed is not None:
            continue
        if now[_identity(f)] < was[_identity(f)]:
            fixed[f.rule_id] += 1
            spans.setdefault(f.file, []).append(Span(f.line, f.column, f.end_line, f.end_column, f.fix.kind == FIX_REMOVE))
        else:
            assert f"{f.file}:{f.line}:{f.column}" in told, f"{f.rule_id} at {f.file}:{f.line} neither fixed nor explained"
    changed = [name for name in old if new[name] != old[name]]
    for name in changed:
        path = root / name
        assert name in spans, f"{name} changed, but no finding of it was fixed"
        # (a file that is not strict JSON before, as CloudFormation tolerates, is not after either)
        assert parses(path) or not parses(path, old[name]), f"{name} does not parse with an independent parser"
        if spans_only:
            outside = changes_outside(old[name], new[name], spans[name])
            assert not outside, outside
    errors_before = {f.file for f in before.findings if f.rule_id == "E9500"}
    assert {f.file for f in after.findings if f.rule_id == "E9500"} <= errors_before  # the same parser still reads them
    assert sum(fixed.values()) == int(re.search(r"fixed (\d+) finding", run.stderr).group(1))
    again = run_lexiam("fix", "--unsafe-fixes", "--fail-on", "none", target, cwd=root)
    assert "fixed 0 findings" in again.stderr and _texts(root) == new  # nothing left to fix: the fixes are done
    return sum(fixed.values()), fixed


def test_round_trip_on_every_sample(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "sample_templates")
    count, by_rule = round_trip(tmp_path, "sample_templates")
    # every fixable sample finding is fixed (the good twins have none)
    assert by_rule == Counter({"E9501": 2, "E9502": 2, "E9524": 2, "E9540": 8, "E9561": 4, "W9541": 4, "W9562": 9})
    assert count == 31


def test_good_samples_are_left_alone(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "s")
    goods = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "s").rglob("good*"))
    run = run_lexiam("fix", "--diff", "--unsafe-fixes", *goods, cwd=tmp_path)
    assert len(goods) > 40 and run.code == 0 and run.stdout == "", run.stdout


def _copy_corpus(shared: Path, dest: Path) -> Path:
    """A writable copy of the Lex corpus (../shared may be read-only, as in CI)."""
    shutil.copytree(shared / "corpus" / "lex", dest, ignore=shutil.ignore_patterns("MANIFEST.tsv"),
                    copy_function=shutil.copyfile)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def test_round_trip_on_the_lex_corpus(shared: Path, tmp_path: Path) -> None:
    _copy_corpus(shared, tmp_path / "lex")
    count, by_rule = round_trip(tmp_path, "lex")
    # measured: the trust policies and Lambda permissions of the Lex V1 principal, the Lex V1 runtime actions
    # beside their Lex V2 twins, and a trailing comma in a bot role's Polly action
    assert by_rule == Counter({"E9524": 5, "E9561": 3, "W9541": 2, "E9540": 1}), by_rule
    assert count == 11


# Mistakes seeded into the corpus, each the text of one token (so every file still parses): the fixes must
# put them back as they were, and touch nothing else.
SEEDS = [(re.compile(r"\blex:RecognizeText\b"), "lexv2:RecognizeText"),
         (re.compile(r"\blex:RecognizeUtterance\b"), "lex:RecognizeUtterence"),
         (re.compile(r'"lex:DeleteSession"'), '"lex:DeleteSession,"'),
         (re.compile(r"(?<![\w.-])lexv2\.amazonaws\.com\b"), "lex.amazonaws.com")]


def _seed(root: Path) -> dict[str, set[int]]:
    """Seed the mistakes; the lines changed, by file."""
    out: dict[str, set[int]] = {}
    for name, text in _texts(root).items():
        seeded = text
        for rx, rep in SEEDS:
            seeded = rx.sub(rep, seeded)
        if seeded != text:
            (root / name).write_text(seeded, encoding="utf-8", errors="surrogateescape")
            out[name] = {i for i, (a, b) in enumerate(zip(text.splitlines(), seeded.splitlines())) if a != b}
    return out


def _moved(before: list[str], after: list[str], lines: set[int]) -> set[int]:
    """Where lines of ``before`` are in ``after`` (edited lines stay where they were; removed ones go)."""
    out = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag in ("equal", "replace") and i2 - i1 == j2 - j1:
            out.update(j1 + (i - i1) for i in lines if i1 <= i < i2)
    return out


def test_seeded_corpus_is_fixed_back(shared: Path, tmp_path: Path) -> None:
    """The corpus fixed, and the corpus with the seeded mistakes fixed, differ only on seeded lines: a fix
    never changes anything but the value it fixes, and the seeded mistakes come back as written."""
    plain, seeded = _copy_corpus(shared, tmp_path / "plain" / "lex"), _copy_corpus(shared, tmp_path / "seeded" / "lex")
    sites = _seed(seeded)
    seeded_texts = _texts(seeded)
    count, by_rule = round_trip(tmp_path / "seeded", "lex", spans_only=False)
    run_lexiam("fix", "--unsafe-fixes", "--fail-on", "none", "lex", cwd=tmp_path / "plain")
    want, got = _texts(plain), _texts(seeded)
    restored = 0
    for name in want:
        a, b = want[name].splitlines(), got[name].splitlines()
        assert len(a) == len(b), name
        differ = {i for i, (x, y) in enumerate(zip(a, b)) if x != y}
        at = _moved(seeded_texts[name].splitlines(), b, sites.get(name, set()))  # removed lines move the rest
        assert differ <= at, (name, sorted(differ - at))
        restored += len(at - differ)
    total = sum(len(s) for s in sites.values())
    # measured: 83 seeded lines, of which the ones left are in variables, data sources other resources use too,
    # comments, and Lambda permissions whose fix would leave another finding
    assert total == 83 and restored >= 50, (total, restored, by_rule)
    assert count >= 60


def test_every_seed_is_a_finding_with_a_fix(shared: Path, tmp_path: Path) -> None:
    """The seeds are mistakes lexiam reports with a fix (else the test above would prove little)."""
    root = _copy_corpus(shared, tmp_path / "lex")
    _seed(root)
    subjects = [f.subject for f in scan([root], Options(root=tmp_path, jobs=1)).findings if f.fix is not None]
    for _rx, rep in SEEDS:
        assert any(rep.strip('"') in s for s in subjects), rep
