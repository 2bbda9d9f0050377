"""The rule pack, assembled: every family imported once, the check bindings verified, the checks run.

The families register their rules and checks in :mod:`lexiam.rules.registry` when imported here; no
family imports another's module or this one.  :func:`verify` runs once, when this module is imported:
every ID a check declares is a rule of the catalog, every rule reported by checks has one, and every rule
reported by the engine has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lexiam.model import INPUT_ERROR_ID, INPUT_ERROR_SLUG, Finding
from lexiam.rules import actions, input, invocation, resource_policy, roles, suppression  # noqa: F401 - they register
from lexiam.rules.registry import BY_CHECK, BY_ENGINE, CHECKS, RENAMED, RULES, Check, Context, RuleMeta


class PackError(Exception):
    """The families disagree with the catalog: a bug of the pack, found when it loads."""


def verify() -> None:
    problems: list[str] = []
    emitted: set[str] = set()
    for c in CHECKS:
        unknown = sorted(c.ids - RULES.keys())
        if unknown:
            problems.append(f"{c.name} declares {', '.join(unknown)}, which no family declares as a rule")
        emitted |= c.ids
    for meta in RULES.values():
        if meta.reported_by == BY_CHECK and meta.id not in emitted:
            problems.append(f"{meta.id} is reported by checks, but no check declares it")
        if meta.reported_by == BY_ENGINE and meta.id in emitted:
            problems.append(f"{meta.id} is reported by the engine, but a check declares it")
    for old, new in RENAMED.items():
        if any(n == old for n in new):
            problems.append(f"{old} is declared to replace itself")
    input_rule = RULES.get(INPUT_ERROR_ID)
    if input_rule is None or input_rule.slug != INPUT_ERROR_SLUG or input_rule.reported_by != BY_ENGINE:
        problems.append(f"{INPUT_ERROR_ID} must be the engine's {INPUT_ERROR_SLUG} rule")
    if problems:
        raise PackError("; ".join(problems))


verify()


def all_rules() -> list[RuleMeta]:
    """Every rule, in catalog order (by number: E9500, E9501, ..., W9506, ...)."""
    return sorted(RULES.values(), key=lambda m: (m.id[1:], m.id))


def rule_meta(rule_id: str) -> RuleMeta | None:
    return RULES.get(rule_id)


def successors(rule_id: str) -> tuple[str, ...]:
    """The IDs that report today what ``rule_id`` reported before the first release (itself, if it still is a rule)."""
    own = (rule_id,) if rule_id in RULES else ()
    return own + RENAMED.get(rule_id, ())


def checks(enabled: Callable[[str], bool] | None = None) -> list[Check]:
    """The checks to run: those with at least one enabled ID (a check whose IDs are all ignored is not run)."""
    return [c for c in CHECKS if enabled is None or any(enabled(i) for i in c.ids)]


def run(ctx: Context, selected: list[Check] | None = None) -> Iterator[Finding]:
    for c in CHECKS if selected is None else selected:
        ctx.emits = c.ids
        yield from c.fn(ctx)
