"""A file's text as the fix package edits it: offsets of lines, edits (splices), unified diffs.

Positions in findings are 1-based lines and columns of characters (code points); the parsers agree on
what a line is when lines end with ``\\n`` or ``\\r\\n``.  A text with other line breaks (a lone ``\\r``,
NEL, the Unicode line and paragraph separators, a form feed...) is not edited: YAML, HCL and Python's
``splitlines`` count its lines differently, so a position could name the wrong character.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

_ODD_BREAKS = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class FixError(Exception):
    """Why a value cannot be fixed: said to the user, and the finding is left as it is."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the characters [start, end) of a text with ``text``."""

    start: int
    end: int
    text: str

    def overlaps(self, other: Edit) -> bool:
        """Whether two edits touch the same characters (or insert at the same place)."""
        if self.start == self.end or other.start == other.end:
            return self.start <= other.end and other.start <= self.end
        return self.start < other.end and other.start < self.end


class Source:
    """A text with the offsets of its lines."""

    def __init__(self, text: str) -> None:
        odd = _ODD_BREAKS.search(text)
        if odd is not None:
            raise FixError(f"the file has an unusual line break (U+{ord(odd.group(0)):04X}) that parsers count differently")
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", text))

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based (line, column); FixError when it is not in the text."""
        if not 0 < line <= len(self.starts) or column < 1:
            raise FixError(f"position {line}:{column} is not in the file")
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        if start + column - 1 > end:
            raise FixError(f"position {line}:{column} is not in the file")
        return start + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of an offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line of ``offset`` (the text's length on the last line)."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end



def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with the edits made (they must not overlap)."""
    out: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise FixError("two edits overlap")
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff of two texts (``a/name`` -> ``b/name``), as ``git diff`` prints one."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"a/{name}", f"b/{name}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
