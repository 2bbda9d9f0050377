"""The suppression stage: every way of not reporting a finding, applied in one place, after the rules.

What a scan may be told not to report, and what becomes of the findings:

* ``--ignore`` / ``--select`` and the configuration's ``ignore`` / ``select``: the findings of those rules
  are not reported at all (the checks that emit only them are not even run).  E9500, a file that could not
  be read, is left out only when ``--ignore`` names it exactly: ``--ignore E`` or ``--select W`` never hides
  an unreadable file.  A configuration read with ``--config-mode restricted`` cannot leave findings out:
  what its ignore / select cover is kept and marked suppressed (``suppressed_by`` "config").
* suppressions written in the scanned files (:class:`~lexiam.model.Suppression`: template Metadata, cfn-lint
  ``ignore_checks``, ``lexiam:ignore`` comments): the finding is kept, marked with the reason, counted as
  suppressed; ``--no-inline-ignores`` turns them off.  A rule ID matches itself and every longer ID it is a
  prefix of (``E95``); an ID renamed before the first release matches what it became (with a notice).
* a baseline: the findings it records are left out and counted as baselined.

One reason format: the reason as written, else ``no reason given``.  What a suppression does not do is
reported too (I9590 suppression-unused): a malformed one, one that names no rule, one that matches no
finding.  Matching is by dictionary lookups: linear in findings plus suppressions.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from lexiam.model import INPUT_ERROR_ID, MAX_PER_RULE, Finding, Suppression, cap_notice, enclosing, finding_at

NO_REASON = "no reason given"
UNUSED_ID, UNUSED_SLUG = "I9590", "suppression-unused"

PACK_BLOCK = ("E95", "W95", "I95")  # the IDs cfn-lint leaves to this pack
ORIGINS = {"metadata": "template Metadata", "cfn-lint": "cfn-lint ignore_checks", "comment": "lexiam:ignore comment"}


def disabled(rule_id: str, ignore: Collection[str], select: Collection[str] | None = None) -> bool:
    """Whether ``--ignore`` / ``--select`` / the configuration turn a rule off: a prefix in ``ignore`` turns
    off every rule it starts, and with ``select`` given, every rule that no prefix of it starts is off.
    E9500 (a file that could not be read) only when ``ignore`` names it exactly: neither ``--ignore E`` nor
    ``--select W`` hides an unreadable file."""
    if rule_id == INPUT_ERROR_ID:
        return rule_id in ignore
    if any(rule_id.startswith(prefix) for prefix in ignore):
        return True
    return select is not None and not any(rule_id.startswith(prefix) for prefix in select)


@dataclass
class Stage:
    """How to apply the stage: the catalog's IDs, what is turned off, the written suppressions' switch,
    severity overrides and the baseline's matcher."""

    known: Collection[str]
    ignore: Collection[str] = ()
    renamed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # old ID -> the IDs it became
    inline: bool = True
    severity: Mapping[str, str] = field(default_factory=dict)  # rule ID or prefix -> severity
    baseline: Callable[[list[Finding]], set[int]] | None = None  # the indexes of the findings it records
    reported: Callable[[str], bool] | None = None  # which files' findings are reported (None: all)
    select: Collection[str] | None = None  # --select: only these rules (None: every rule)
    # a configuration read in restricted mode: what its ignore / select would leave out is kept, suppressed
    visible_ignore: Collection[str] = ()
    visible_select: Collection[str] | None = None
    visible_reason: str = "ignored by the configuration"

    def off(self, rule_id: str) -> bool:
        return disabled(rule_id, self.ignore, self.select)


@dataclass
class Outcome:
    findings: list[Finding]
    notices: list[str]
    baselined: int = 0


def apply(findings: Iterable[Finding], written: Iterable[Suppression], stage: Stage) -> Outcome:
    """The stage over the findings of one unit and the suppressions written in it."""
    return apply_groups([(list(findings), list(written))], stage)


def apply_groups(groups: Iterable[tuple[list[Finding], list[Suppression]]], stage: Stage) -> Outcome:
    """The stage over several units' findings, each group matched only with the suppressions of its own
    unit (a resource of one template is not a resource of another); unused suppressions are judged over
    all of them (a comment of a module read in two units is used when either uses it)."""
    notices: list[str] = []
    found: list[Finding] = []
    every: list[Suppression] = []
    used: set[tuple[object, ...]] = set()
    renames_seen: set[tuple[object, ...]] = set()
    for group, written in groups:
        if stage.reported is not None:
            group = [f for f in group if stage.reported(f.file)]
        if stage.inline:
            group = _written(group, written, stage, notices, used, renames_seen)
            every.extend(written)
        found.extend(group)
    if stage.inline:
        found.extend(_unused(every, used, stage, notices))
    found = [f for f in found if not stage.off(f.rule_id)]
    if stage.visible_ignore or stage.visible_select is not None:
        found = [_mark_config(f, stage) for f in found]
    if stage.severity:
        found = [_override_severity(f, stage.severity) for f in found]
    baselined = 0
    if stage.baseline is not None:
        recorded = stage.baseline([f for f in found if f.suppressed is None])
        active = [i for i, f in enumerate(found) if f.suppressed is None]
        drop = {active[i] for i in recorded}
        baselined = len(drop)
        found = [f for i, f in enumerate(found) if i not in drop]
    return Outcome(found, notices, baselined)


def _covers(rule: str, rule_id: str, renamed: Mapping[str, tuple[str, ...]]) -> str | None:
    """How a suppression's rule covers a finding's: "" exactly or by prefix, the old ID when through a
    rename, None when it does not."""
    if rule_id.startswith(rule):
        return ""
    if rule_id in renamed.get(rule, ()):
        return rule
    return None


def _written(findings: list[Finding], written: list[Suppression], stage: Stage, notices: list[str],
             used: set[tuple[object, ...]], renames_seen: set[tuple[object, ...]]) -> list[Finding]:
    by_resource: dict[str, list[Suppression]] = {}
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    by_file: dict[str, list[Suppression]] = {}
    live: list[Suppression] = []
    for s in written:
        if s.problem or not s.rule:
            continue
        live.append(s)
        if s.resource is not None:
            by_resource.setdefault(s.resource, []).append(s)
        if s.line is not None:
            by_line.setdefault((s.loc.file, s.line), []).append(s)
        if s.resource is None and s.line is None:
            by_file.setdefault(s.loc.file, []).append(s)
    out: list[Finding] = []
    for f in findings:
        if f.rule_id in (INPUT_ERROR_ID, UNUSED_ID):
            out.append(f)
            continue
        candidates = [*by_line.get((f.file, f.line), ()), *_resource_candidates(by_resource, f.resource),
                      *by_file.get(f.file, ())]
        for s in candidates:
            via = _covers(s.rule, f.rule_id, stage.renamed)
            if via is None:
                continue
            used.add(_key(s))
            if via and _key(s) not in renames_seen:
                renames_seen.add(_key(s))
                notices.append(f"{s.loc.file}:{s.loc.line}: the suppression of {via} covers {f.rule_id}: {via} was "
                               f"renamed or split before the first release; name {f.rule_id} instead")
            f = dataclasses.replace(f, suppressed=s.reason or NO_REASON, suppressed_by=s.origin)
            break
        out.append(f)
    return out


def _resource_candidates(by_resource: dict[str, list[Suppression]], resource: str) -> list[Suppression]:
    """The suppressions of a resource and of the resources it is part of (``Bot`` for ``Bot.TestBotAlias``;
    ``aws_lambda_permission.allow`` for its instance ``aws_lambda_permission.allow["orders"]``)."""
    if not resource or not by_resource:
        return []
    out = list(by_resource.get(resource, ()))
    for head in enclosing(resource):
        out.extend(by_resource.get(head, ()))
    return out


def _key(s: Suppression) -> tuple[object, ...]:
    return (s.loc.file, s.loc.line, s.loc.column, s.rule, s.origin)


def _unused(written: list[Suppression], used: set[tuple[object, ...]], stage: Stage,
            notices: list[str]) -> list[Finding]:
    """The I9590 findings of the suppressions that did nothing, at most MAX_PER_RULE in one file (the rest
    counted in a notice)."""
    out: list[Finding] = []
    seen: set[tuple[object, ...]] = set()
    per_file: dict[str, int] = {}
    for s in written:
        key = _key(s)
        if key in used or key in seen or (stage.reported is not None and not stage.reported(s.loc.file)):
            continue
        seen.add(key)
        if s.origin == "cfn-lint" and not s.problem and not s.rule.startswith(PACK_BLOCK):
            continue  # one of cfn-lint's own rules (W3005): not lexiam's to judge
        where = ORIGINS.get(s.origin, s.origin)
        if s.problem:
            message = s.problem
        elif not any(k.startswith(s.rule) for k in stage.known) and s.rule not in stage.renamed:
            hint = difflib.get_close_matches(s.rule, sorted(stage.known), n=1, cutoff=0.6)
            message = (f"the {where} names {s.rule}, which is no rule of lexiam"
                       + (f"; did you mean {hint[0]}?" if hint else " (see 'lexiam rules')"))
        elif all(stage.off(k) for k in stage.known if k.startswith(s.rule)):
            continue  # its rules were not run: whether it would match cannot be known
        else:
            message = f"the {where} of {s.rule} suppresses nothing: no {s.rule} finding " + (
                f"in {s.resource}" if s.resource else f"on line {s.line}" if s.line else "in this file")
        n = per_file[s.loc.file] = per_file.get(s.loc.file, 0) + 1
        if n <= MAX_PER_RULE:
            out.append(finding_at(UNUSED_ID, UNUSED_SLUG, message, s.loc, resource=s.resource or ""))
    if not stage.off(UNUSED_ID):
        for file, n in sorted(per_file.items()):
            if n > MAX_PER_RULE:
                notices.append(cap_notice(file, UNUSED_ID, n - MAX_PER_RULE, "one file"))
    return out


def _mark_config(f: Finding, stage: Stage) -> Finding:
    """A finding that the configuration's ignore / select would leave out, kept and marked suppressed
    (restricted mode: the repository may suppress, visibly, but not hide)."""
    if f.suppressed is not None or not disabled(f.rule_id, stage.visible_ignore, stage.visible_select):
        return f
    return dataclasses.replace(f, suppressed=stage.visible_reason, suppressed_by="config")


def _override_severity(finding: Finding, overrides: Mapping[str, str]) -> Finding:
    """The finding with the severity the configuration gives its rule (the longest matching prefix wins)."""
    best = max((k for k in overrides if finding.rule_id.startswith(k)), key=len, default=None)
    if best is None or overrides[best] == finding.severity:
        return finding
    return dataclasses.replace(finding, severity=overrides[best])
