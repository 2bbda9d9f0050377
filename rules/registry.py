"""The rule registry: data only.

A rule family module declares its rules with :func:`rule` and binds each check to the rule IDs it emits
with :func:`check` (``@check("E9501", "E9502")``).  The registry imports no family: the pack is assembled
in :mod:`lexiam.rules.pack`, which imports the families and verifies the bindings.  A check is a pure
function of a :class:`Context` (one unit's model, its graph and the scan options) that yields findings
through :meth:`Context.finding`; a finding whose ID the check did not declare is an internal error.
IDs and slugs are the public contract of ``spec/RULES.md``; the adapters (CLI, cfn-lint pack, SARIF,
docs) read everything from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lexiam.model import SEVERITIES, Entity, Finding, Fix, Unit, finding_at
from lexiam.values import Location

if TYPE_CHECKING:
    from lexiam.graph import Graph

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
DOCS_BASE = "https://github.com/lexiam/lexiam/blob/main/docs/rules/"

# Who reports a rule: a check of the pack, or the engine itself (input errors, suppression bookkeeping).
BY_CHECK, BY_ENGINE = "check", "engine"
FIX_SAFE, FIX_UNSAFE = "safe", "unsafe"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a rule's claim comes from: an AWS page (title, section, address) and how directly it says it."""

    source: str  # the page title, as AWS writes it
    section: str  # the section (or table row) that says it
    url: str
    kind: str = "direct"  # "direct": the page says it; "inferred": it follows from what the page says
    says: str = ""  # what the page says, in our words


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    slug: str
    title: str
    rationale: str
    fix: str
    family: str
    tags: tuple[str, ...] = ()
    security_severity: float | None = None  # 0.0-10.0 for GitHub code scanning; None = not a security rule
    feature_rows: tuple[str, ...] = ()  # rows of the Lex V2 feature table this rule checks
    evidence: tuple[Evidence, ...] = ()
    fix_safety: str | None = None  # FIX_SAFE / FIX_UNSAFE when ``lexiam fix`` can fix its findings
    reported_by: str = BY_CHECK

    @property
    def severity(self) -> str:
        return SEVERITIES[self.id[0]]

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}{self.id}.md"


RULES: dict[str, RuleMeta] = {}
# IDs given before the first release, and the rules that now report what they reported (an ID split in
# two still exists beside its successor): a suppression or baseline naming an old ID keeps working.
RENAMED: dict[str, tuple[str, ...]] = {}

CheckFn = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    """A check and the rule IDs it emits."""

    fn: CheckFn
    ids: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


CHECKS: list[Check] = []


def rule(id: str, slug: str, title: str, rationale: str, fix: str, family: str, *,
         tags: tuple[str, ...] = (), security_severity: float | None = None,
         feature_rows: tuple[str, ...] = (), evidence: tuple[Evidence, ...] = (),
         fix_safety: str | None = None, reported_by: str = BY_CHECK, replaces: tuple[str, ...] = ()) -> RuleMeta:
    if id in RULES:
        raise ValueError(f"rule {id} declared twice")
    meta = RuleMeta(id, slug, title, rationale, fix, family, tags, security_severity, feature_rows, evidence,
                    fix_safety, reported_by)
    RULES[id] = meta
    for old in replaces:
        RENAMED[old] = (*RENAMED.get(old, ()), id)
    return meta


def check(*ids: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check that emits findings of exactly these rule IDs."""
    if not ids:
        raise ValueError("a check must name the rule IDs it emits")

    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append(Check(fn, frozenset(ids)))
        return fn

    return register


@dataclass
class Context:
    """What a check sees: one unit, its graph, the values pinned on the command line (account, region)."""

    unit: Unit
    graph: Graph
    pins: dict[str, str] = field(default_factory=dict)
    emits: frozenset[str] = frozenset()  # the IDs of the check running now

    def __post_init__(self) -> None:
        if self.pins and not self.graph.pins:
            self.graph.pins = self.pins  # references to the pinned account resolve the same way in the graph

    def finding(self, rule_id: str, message: str, loc: Location | None, entity: Entity | str,
                path: tuple[str | int, ...] = (), fix: Fix | None = None) -> Finding:
        if rule_id not in self.emits:
            raise AssertionError(f"a check emitted {rule_id}, which it does not declare ({sorted(self.emits)})")
        if fix is not None:
            fix = _declared_fix(RULES[rule_id], fix)
        address = entity if isinstance(entity, str) else entity.address
        if loc is None and not isinstance(entity, str):
            loc = entity.loc
        if not path and loc is not None and self.unit.path_at is not None:
            path = self.unit.path_at(address, loc)
        origin = self.unit.origin_of(address) if self.unit.origin_of is not None else None
        if origin:
            message = f"{message} ({origin})"
        found = finding_at(rule_id, RULES[rule_id].slug, message, loc, resource=address, path=path,
                           fallback_file=self.unit.file)
        if loc is not None and self.unit.text_at is not None:
            found = dataclasses.replace(found, subject=self.unit.text_at(loc))
        if fix is not None and loc is not None:  # a fix applies at the finding's span: without one, there is none
            found = dataclasses.replace(found, fix=fix)
        return found


def _declared_fix(meta: RuleMeta, fix: Fix) -> Fix:
    """A rule's fix with its safety: the rule's declared one, or less safe, never safer; a rule that declares
    no fix has none (an internal error, found by the tests of the rule)."""
    if meta.fix_safety is None:
        raise AssertionError(f"{meta.id} emitted a fix, but declares no fix_safety")
    safety = fix.safety or meta.fix_safety
    if safety not in (FIX_SAFE, FIX_UNSAFE) or (meta.fix_safety == FIX_UNSAFE and safety == FIX_SAFE):
        raise AssertionError(f"{meta.id} emitted a {safety!r} fix; it declares {meta.fix_safety!r} fixes")
    return fix if fix.safety == safety else dataclasses.replace(fix, safety=safety)
