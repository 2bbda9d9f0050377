"""Suppression comments written in source text: ``# lexiam:ignore E9501 <reason>``.

Format-neutral: the functions here see a file's lines, a finding's rule ID and line, and the line range
of the block (resource) the finding belongs to; they know nothing of HCL beyond its comment markers
(``#`` and ``//``). The engine applies them to every finding of a Terraform (``.tf``) file.

A comment suppresses a finding when it stands

* at the end of the offending line, or on the comment lines directly above it;
* at the end of the block's first line (``resource "x" "y" {  # lexiam:ignore ...``), on the comment
  lines directly above the block, or at the end of the block's last line (``}  # lexiam:ignore ...``).

One comment may name several rules (``E9501,W9509``); an ID matches itself and any longer ID it is a
prefix of (``E95`` covers every error of the pack), as in template Metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NO_REASON = "no reason given"
_DIRECTIVE = re.compile(r"^lexiam:ignore(?:\s*[=:]\s*|\s+)([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)(.*)$", re.S)


def comment_of(line: str) -> str | None:
    """The text of the comment on a line (after ``#`` or ``//``, outside double-quoted strings), else None."""
    in_string = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "#":
            return line[i + 1:]
        elif line.startswith("//", i):
            return line[i + 2:]
        i += 1
    return None


def directive(line: str) -> tuple[tuple[str, ...], str] | None:
    """The rule IDs and reason of a ``lexiam:ignore`` comment on the line, else None."""
    comment = comment_of(line)
    if comment is None:
        return None
    m = _DIRECTIVE.match(comment.strip())
    if not m:
        return None
    ids = tuple(x.strip().upper() for x in m.group(1).split(","))
    reason = m.group(2).strip().lstrip("-–—:").strip()
    return ids, reason or NO_REASON


def _is_comment_only(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("#", "//"))


def _lines_to_check(lines: Sequence[str], line: int) -> list[int]:
    """The given 1-based line, then the run of comment-only lines directly above it."""
    out = [line]
    above = line - 1
    while above >= 1 and _is_comment_only(lines[above - 1]):
        out.append(above)
        above -= 1
    return out


def comment_suppression(lines: Sequence[str], rule_id: str, line: int,
                        block: tuple[int, int] | None = None) -> str | None:
    """The reason of the first ``lexiam:ignore`` comment that covers ``rule_id`` at ``line``, else None.

    ``block`` is the 1-based (first, last) line of the resource the finding belongs to, when known.
    """
    candidates: list[int] = []
    if 0 < line <= len(lines):
        candidates += _lines_to_check(lines, line)
    if block is not None:
        first, last = block
        if 0 < first <= len(lines):
            candidates += _lines_to_check(lines, first)
        if first < last <= len(lines):
            candidates.append(last)
    for n in candidates:
        found = directive(lines[n - 1])
        if found and any(rule_id.startswith(rid) for rid in found[0]):
            return found[1]
    return None
