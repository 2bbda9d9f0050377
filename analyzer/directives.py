"""The one grammar of suppression comments: ``lexiam:ignore E9501[,W9509] reason``.

A front end hands every comment of a file to :func:`parse_comment` (it knows its comment markers, this
module does not).  The grammar, whatever the format::

    lexiam:ignore RULES [REASON]        the findings of the line or block the comment belongs to
    lexiam:ignore-file RULES [REASON]   every finding of the file

RULES is one or more rule IDs or ID prefixes (``E9501``, ``E95``), separated by commas or blanks, written
right after the directive or after ``=`` / ``:``; REASON is the rest of the comment (a leading ``-``,
``--`` or ``:`` is dropped).  A comment that looks like a suppression but is not one (``lexiam: ignore``,
``lexiam-ignore``, ``lexiam:ignore`` naming no rule) is returned as malformed with a did-you-mean: it
suppresses nothing, and the suppression stage reports it (I9590) instead of letting it pass unnoticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"lexiam:ignore(-file)?(?![\w-])")
# What a reader would take for a suppression: "lexiam", an optional separator, "ignore" (any case)
_LOOKALIKE = re.compile(r"lexiam\s*[:=_-]?\s*ignore(?:[\s_-]*file)?", re.I)
_RULE = re.compile(r"[A-Za-z]\d{2,4}")
_SEP = re.compile(r"\s*[=:]\s*|\s+")
_REASON_LEAD = re.compile(r"^(?:--?|:|—|–)\s*")
_BLOCK_END = re.compile(r"\s*\*/\s*$")


@dataclass(frozen=True, slots=True)
class Directive:
    """A parsed suppression comment: the rules it names, its reason ("" when none), its scope."""

    rules: tuple[str, ...]
    reason: str
    file_wide: bool
    problem: str = ""  # set for a comment that looks like a suppression but is not one


def parse_comment(comment: str) -> Directive | None:
    """The suppression a comment's text holds (markers such as ``#`` may be left in), or None."""
    m = _DIRECTIVE.search(comment)
    if m is None:
        near = _LOOKALIKE.search(comment)
        if near is None:
            return None
        wanted = "lexiam:ignore-file" if "file" in near.group(0).lower() else "lexiam:ignore"
        return Directive((), "", False, f"'{near.group(0)}' is not a suppression; did you mean '{wanted}'?")
    file_wide = m.group(1) is not None
    rest = _BLOCK_END.sub("", comment[m.end():])
    sep = _SEP.match(rest)
    if sep is None and rest:  # text glued to the directive: lexiam:ignoreE9501
        return Directive((), "", file_wide, f"'{m.group(0)}{rest.split()[0]}' is not a suppression; write "
                         f"'{m.group(0)} RULE reason'")
    rest = rest[sep.end():] if sep else rest
    rules: list[str] = []
    while True:
        r = _RULE.match(rest)
        if r is None or (r.end() < len(rest) and not (rest[r.end()].isspace() or rest[r.end()] == ",")):
            break
        rules.append(r.group(0).upper())
        rest = rest[r.end():]
        comma = re.match(r"\s*,\s*|\s+", rest)
        if comma is None:
            break
        rest = rest[comma.end():]
    if not rules:
        return Directive((), "", file_wide, f"'{m.group(0)}' names no rule; write '{m.group(0)} RULE reason' "
                         "(a rule ID such as E9501, or a prefix such as E95)")
    reason = " ".join(_REASON_LEAD.sub("", rest.strip()).split())
    return Directive(tuple(rules), reason, file_wide)
