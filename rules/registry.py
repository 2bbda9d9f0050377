"""The rule registry: every rule's metadata, and the checks that produce findings.

A rule family module declares its rules with :func:`rule` and its checks with :func:`check`.  A
check is a pure function of a :class:`Context` (one unit's model, its graph and the scan options)
that yields findings through :meth:`Context.finding`.  IDs and slugs are the public contract of
``spec/RULES.md``; the adapters (CLI, cfn-lint pack, SARIF) read everything from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lexiam.model import Entity, Finding, Unit
from lexiam.values import Location

if TYPE_CHECKING:
    from lexiam.graph import Graph

SEVERITIES = {"E": "error", "W": "warning", "I": "info"}
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
DOCS_BASE = "https://github.com/lexiam/lexiam/blob/main/docs/rules/"


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

    @property
    def severity(self) -> str:
        return SEVERITIES[self.id[0]]

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}{self.id}.md"


RULES: dict[str, RuleMeta] = {}
Check = Callable[["Context"], Iterable[Finding]]
CHECKS: list[Check] = []


def rule(id: str, slug: str, title: str, rationale: str, fix: str, family: str, *,
         tags: tuple[str, ...] = (), security_severity: float | None = None,
         feature_rows: tuple[str, ...] = ()) -> RuleMeta:
    if id in RULES:
        raise ValueError(f"rule {id} declared twice")
    meta = RuleMeta(id, slug, title, rationale, fix, family, tags, security_severity, feature_rows)
    RULES[id] = meta
    return meta


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def make_finding(rule_id: str, message: str, loc: Location | None, *, resource: str = "",
                 path: tuple[str | int, ...] = (), fallback_file: str = "") -> Finding:
    meta = RULES[rule_id]
    if loc is None:
        loc = Location(fallback_file, 1, 1)
    return Finding(
        rule_id=rule_id, slug=meta.slug, severity=meta.severity, message=message, file=loc.file,
        line=loc.line, column=loc.column, end_line=loc.end_line or loc.line,
        end_column=loc.end_column or loc.column, resource=resource, path=path)


def input_error(message: str, loc: Location) -> Finding:
    """The one E9500 finding of a file that cannot be read or parsed."""
    _ensure_loaded()
    return make_finding("E9500", message, loc)


@dataclass
class Context:
    unit: Unit
    graph: Graph
    pins: dict[str, str] = field(default_factory=dict)

    def finding(self, rule_id: str, message: str, loc: Location | None, entity: Entity | str,
                path: tuple[str | int, ...] = ()) -> Finding:
        address = entity if isinstance(entity, str) else entity.address
        if loc is None and not isinstance(entity, str):
            loc = entity.loc
        if not path and loc is not None and self.unit.path_at is not None:
            path = self.unit.path_at(address, loc)
        return make_finding(rule_id, message, loc, resource=address, path=path, fallback_file=self.unit.file)


_loaded = False


def _ensure_loaded() -> None:
    """Import the rule family modules (they register themselves) once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import lexiam.rules.actions  # noqa: F401
    import lexiam.rules.input  # noqa: F401
    import lexiam.rules.invocation  # noqa: F401
    import lexiam.rules.resource_policy  # noqa: F401
    import lexiam.rules.roles  # noqa: F401


def all_rules() -> list[RuleMeta]:
    """Every rule, in catalog order (by number: E9500, E9501, ..., W9506, ...)."""
    _ensure_loaded()
    return sorted(RULES.values(), key=lambda m: (m.id[1:], m.id))


def run_checks(ctx: Context) -> Iterator[Finding]:
    _ensure_loaded()
    for fn in CHECKS:
        yield from fn(ctx)
