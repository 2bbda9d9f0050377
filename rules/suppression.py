"""I9590: suppressions that name no rule or suppress nothing, reported by the engine's suppression stage."""

from __future__ import annotations

from lexiam.rules.registry import BY_ENGINE, rule
from lexiam.rules.sources import LEXIAM_SUPPRESSIONS

rule(
    "I9590", "suppression-unused", "A suppression that names no rule or suppresses nothing",
    "A suppression (template Metadata, cfn-lint ignore_checks, a lexiam:ignore comment) is only useful while "
    "it silences a finding. One that names no rule of the catalog (a typo such as E9599), or that matches "
    "no finding any more because the code was fixed, hides nothing today and may hide the wrong thing "
    "tomorrow; a comment that looks like a suppression but is not one (lexiam: ignore, with a space) silences "
    "nothing at all.",
    "Correct the rule ID or the comment as the message says, or delete the suppression.",
    "suppression", tags=("suppression",), reported_by=BY_ENGINE,
    evidence=(
        LEXIAM_SUPPRESSIONS.says("Suppressions", "The rule is about lexiam's own suppressions and makes no claim about "
                                 "AWS: a suppression's only effect is on lexiam's report, which the scan itself "
                                 "shows."),
    ),
)
