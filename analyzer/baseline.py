"""Stable finding fingerprints, and baselines built from them.

A fingerprint hashes what identifies a finding: the rule ID, the file (relative to the scan root), the
resource, the path of the value inside the resource and the offending value as written (``subject``);
never the message (rewording a message, or learning a new Lex action, must not re-open baselined findings
or churn code-scanning alerts) and never line or column numbers (adding lines above a finding keeps its
fingerprint).  Identical findings are told apart by their order of occurrence.  SARIF's
``partialFingerprints`` and baselines use the same value.

A baseline written by an earlier version (format 1, whose fingerprints hashed the message) is still
read: its entries match findings by rule, file and resource, each entry one finding, a rule renamed or
split before the first release matching what it became.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lexiam.model import Finding

BASELINE_VERSION = 2
MAX_ENTRIES = 1_000_000


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a lexiam baseline."""


def _base_hash(f: Finding) -> str:
    key = "\x1f".join((f.rule_id, f.file, f.resource, json.dumps(list(f.path)), f.subject))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order: ``<hash>:<occurrence>`` (occurrence counts from 1)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for f in findings:
        h = _base_hash(f)
        seen[h] = seen.get(h, 0) + 1
        out.append(f"{h}:{seen[h]}")
    return out


def baseline_document(findings: list[Finding]) -> tuple[str, int]:
    """The text of a baseline recording the unsuppressed findings, and how many it records."""
    active = [f for f in findings if f.suppressed is None]
    entries = [{"fingerprint": fp, "rule_id": f.rule_id, "file": f.file, "resource": f.resource, "message": f.message}
               for f, fp in zip(active, fingerprints(active))]
    doc = {"lexiam_baseline": BASELINE_VERSION, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n", len(entries)


@dataclass(frozen=True)
class Baseline:
    version: int
    fingerprints: frozenset[str]
    keys: tuple[tuple[str, str, str], ...] = ()  # format 1: (rule, file, resource) of each entry

    def matcher(self, successors: Mapping[str, tuple[str, ...]]) -> Callable[[list[Finding]], set[int]]:
        """The indexes of the findings (in report order) this baseline records."""
        def match(findings: list[Finding]) -> set[int]:
            if self.version >= 2:
                return {i for i, fp in enumerate(fingerprints(findings)) if fp in self.fingerprints}
            left: dict[tuple[str, str, str], int] = {}
            for rule, file, resource in self.keys:
                for rid in (rule, *successors.get(rule, ())):
                    left[(rid, file, resource)] = left.get((rid, file, resource), 0) + 1
            out: set[int] = set()
            for i, f in enumerate(findings):
                key = (f.rule_id, f.file, f.resource)
                if left.get(key, 0) > 0:
                    left[key] -= 1
                    out.add(i)
            return out

        return match


def parse_baseline(text: str, name: str) -> Baseline:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise BaselineError(f"the baseline {name} is not JSON: nested too deeply") from None
    except ValueError as exc:
        raise BaselineError(f"the baseline {name} is not JSON: {exc}") from None
    version = doc.get("lexiam_baseline") if isinstance(doc, dict) else None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if version not in (1, BASELINE_VERSION) or not isinstance(entries, list):
        raise BaselineError(f"{name} is not a lexiam baseline (write one with --write-baseline)")
    if len(entries) > MAX_ENTRIES:
        raise BaselineError(f"{name} holds more than {MAX_ENTRIES} entries")
    try:
        if version == 1:
            keys = tuple((str(e["rule_id"]), str(e["file"]), str(e.get("resource", ""))) for e in entries)
            return Baseline(1, frozenset(), keys)
        return Baseline(version, frozenset(str(e["fingerprint"]) for e in entries))
    except (KeyError, TypeError, AttributeError):
        what = "a rule_id and a file" if version == 1 else "a fingerprint"
        raise BaselineError(f"{name}: every baseline entry needs {what}") from None


def read_baseline(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read the baseline {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_baseline(text, str(path))
