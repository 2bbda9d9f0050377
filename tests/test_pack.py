"""The rule pack binds every check to the IDs it emits, verifies the binding when it loads, and runs only
the checks whose rules are on."""

from __future__ import annotations

import pytest

from lexiam.graph import Graph
from lexiam.model import INPUT_ERROR_ID, INPUT_ERROR_SLUG, Unit, input_error
from lexiam.rules import pack
from lexiam.rules.registry import BY_ENGINE, CHECKS, RULES, Check, Context
from lexiam.values import Location


def test_every_rule_is_bound_to_a_check_or_to_the_engine() -> None:
    pack.verify()  # raises PackError on a mismatch
    emitted = set().union(*(c.ids for c in CHECKS))
    for meta in pack.all_rules():
        assert (meta.id in emitted) != (meta.reported_by == BY_ENGINE), meta.id


def test_the_model_and_the_registry_agree_on_e9500() -> None:
    f = input_error("bad", Location("x.yaml", 2, 3))
    assert (f.rule_id, f.slug, f.severity) == (INPUT_ERROR_ID, INPUT_ERROR_SLUG, RULES[INPUT_ERROR_ID].severity)


def test_a_check_that_emits_an_undeclared_id_is_an_error() -> None:
    def rogue(ctx: Context):
        yield ctx.finding("E9501", "not mine", Location("x", 1, 1), "R")

    unit = Unit(file="x", format="cloudformation")
    with pytest.raises(AssertionError, match="does not declare"):
        list(pack.run(Context(unit, Graph(unit)), [Check(rogue, frozenset({"W9509"}))]))


def test_a_check_whose_ids_are_all_off_is_not_run() -> None:
    on = pack.checks(lambda rule_id: not rule_id.startswith("E95"))
    assert all(any(not i.startswith("E95") for i in c.ids) for c in on)
    assert len(on) < len(pack.checks())
    assert pack.checks(lambda rule_id: False) == []


def test_an_unknown_id_in_a_binding_fails_the_pack() -> None:
    CHECKS.append(Check(lambda ctx: iter(()), frozenset({"E9599"})))
    try:
        with pytest.raises(pack.PackError, match="E9599"):
            pack.verify()
    finally:
        CHECKS.pop()
