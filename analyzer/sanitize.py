"""Text from the scanned tree made safe to print: one sanitiser for every text that reaches a terminal or a log.

A Sid, an action, a file name can hold anything: ESC sequences that repaint a terminal, line breaks that
start a forged GitHub workflow command (``\\n::error file=...::``, ``::add-mask::``), bidirectional overrides
that reorder what a reviewer reads, bytes that are not UTF-8.  :func:`visible` escapes every such character
as a visible ``\\xNN`` / ``\\uNNNN`` sequence (a backslash the text holds is left as it is: faking an
escape shows text, it cannot move the cursor or start a command);
:func:`line` also breaks a leading ``::`` so that no printed line is a workflow command.
"""

from __future__ import annotations

import re

__all__ = ["line", "visible"]

# C0 controls but tab, DEL, C1 controls, the Unicode line and paragraph separators, bidi embeddings,
# overrides and isolates, the byte order mark, lone surrogates (a file name that is not UTF-8, decoded
# by Python with surrogateescape).
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
                     "\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control, line-breaking, direction-changing or undecodable character escaped."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def line(text: str) -> str:
    """:func:`visible`, and a line that cannot be taken for a GitHub workflow command (``::`` at its start)."""
    out = visible(text)
    stripped = out.lstrip(" \t")
    if stripped.startswith("::"):
        cut = len(out) - len(stripped)
        out = out[:cut] + "\\x3a" + stripped[1:]
    return out
