"""Stable finding fingerprints, and baselines built from them.

A fingerprint hashes what identifies a finding independently of where it sits in the file: the rule ID,
the file (relative to the scan root), the resource, the path of the value inside the resource and the
message; never line or column numbers, so adding lines above a finding keeps its fingerprint. Identical
findings (the same action listed twice in one statement) are told apart by their order of occurrence.
SARIF's ``partialFingerprints`` and baselines use the same value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from lexiam.engine import ScanResult
from lexiam.model import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a lexiam baseline."""


def _base_hash(f: Finding) -> str:
    key = "\x1f".join((f.rule_id, f.file, f.resource, json.dumps(list(f.path)), f.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order: ``<hash>:<occurrence>`` (occurrence counts from 1)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for f in findings:
        h = _base_hash(f)
        seen[h] = seen.get(h, 0) + 1
        out.append(f"{h}:{seen[h]}")
    return out


def write_baseline(path: Path, result: ScanResult) -> int:
    """Record the unsuppressed findings of ``result``; return how many."""
    entries = [
        {"fingerprint": fp, "rule_id": f.rule_id, "file": f.file, "resource": f.resource, "message": f.message}
        for f, fp in zip(result.findings, fingerprints(result.findings)) if f.suppressed is None
    ]
    doc = {"lexiam_baseline": BASELINE_VERSION, "findings": entries}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> frozenset[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"the baseline {path} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("lexiam_baseline") != BASELINE_VERSION or not isinstance(
            doc.get("findings"), list):
        raise BaselineError(f"{path} is not a lexiam baseline (write one with --write-baseline)")
    try:
        return frozenset(str(e["fingerprint"]) for e in doc["findings"])
    except (KeyError, TypeError):
        raise BaselineError(f"{path}: every baseline entry needs a fingerprint") from None


def apply_baseline(result: ScanResult, known: frozenset[str]) -> ScanResult:
    """Drop the unsuppressed findings recorded in the baseline; count them in ``baselined``."""
    kept: list[Finding] = []
    dropped = 0
    for f, fp in zip(result.findings, fingerprints(result.findings)):
        if f.suppressed is None and fp in known:
            dropped += 1
        else:
            kept.append(f)
    return dataclasses.replace(result, findings=kept, baselined=result.baselined + dropped)
