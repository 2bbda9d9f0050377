"""``lexiam fix``: safe, exact, format-preserving fixes for the mistakes that have one right answer.

The rules know the answer: a finding may carry a :class:`lexiam.model.Fix` (replace the value with this
text, remove it from its list, make it a reference to this alias's ARN), and each rule declares whether
its fixes are safe or unsafe (``fix_safety``).  This package knows the syntax: :mod:`lexiam.fix.edits`
turns a fix into a splice at the value's span in the file's own style (YAML plain, quoted, flow and block,
``!Sub`` strings, JSON, HCL strings, tuples and ``jsonencode`` objects, JSON policies in heredocs and in
strings), and :mod:`lexiam.fix.plan` makes the fixes in rounds on a shadow copy of the tree, scanning
again after each: a fixed finding must be gone, no finding may appear, the file must still parse.  Only
then are files written, through :func:`lexiam.output.safe_write`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from lexiam.fix.plan import FixPlan, plan_fixes, write_fixes

__all__ = ["FixPlan", "plan_fixes", "report_fixes", "summary", "write_fixes"]


def summary(plan: FixPlan, verb: str) -> str:
    """One line: how many findings the fixes remove, in how many files, by rule."""
    n = len(plan.fixed)
    rules = ", ".join(f"{rule} {count}" for rule, count in plan.by_rule().items())
    files = len(plan.changes)
    return (f"lexiam: {verb} {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}"
            + (f" ({rules})" if rules else ""))


def report_fixes(plan: FixPlan, paths: Iterable[Path], *, diff: bool, out: TextIO, err: TextIO) -> int:
    """Print (``diff``) or write the fixes and tell the user what was done and what was not.  With ``diff``
    the exit code is 1 when a file would change (nothing is written), else 0."""
    from lexiam.sanitize import line

    problems: list[str] = []
    if diff:
        for text in plan.diff().splitlines(keepends=True):
            out.write(line(text.rstrip("\n")) + "\n")
    else:
        problems = write_fixes(plan, paths)
    err.write(summary(plan, "would fix" if diff else "fixed") + "\n")
    for f, why in sorted(plan.refused, key=lambda fw: fw[0].sort_key()):
        err.write(line(f"lexiam: not fixed: {f.file}:{f.line}:{f.column} {f.rule_id}: {why}") + "\n")
    for problem in problems:
        err.write(line(f"lexiam: warning: {problem}") + "\n")
    if plan.unsafe:
        n = len(plan.unsafe)
        err.write(f"lexiam: {n} more finding{'s have' if n != 1 else ' has'} an unsafe fix "
                  "(lexiam fix --unsafe-fixes makes them; review them first)\n")
    for notice in plan.notices:
        err.write(line(f"lexiam: notice: {notice}") + "\n")
    return 1 if diff and plan.changes else 0
