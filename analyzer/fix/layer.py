"""A string as written and the text it stands for: where each character of the decoded text is written,
and how text is written back in the string's own style.

A JSON policy inside a string (a YAML block or quoted scalar, a ``!Sub`` template, an HCL heredoc or
quoted string) is edited through its layer: the edit is computed on the decoded JSON text, then its
ends are mapped to the file and the new text is escaped as the string needs (``\\"`` in a double-quoted
scalar or an HCL string, ``''`` in a single-quoted one, ``${!`` in a ``!Sub`` template, ``$${`` in HCL).
A layer is only built when its decoded text is exactly the parser's value of the string.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lexiam.fix.text import FixError, Source
from lexiam.fix.tree import STR, Node

PLACEHOLDER = "@@lexiam{}@@"  # an interpolation inside HCL text: no character of the file


@dataclass
class Layer:
    """The decoded text of a string node; ``starts[i]``/``ends[i]`` span the i-th character's encoding in
    the file (-1 for a character that is no text of the file: an interpolation's placeholder)."""

    text: str
    starts: list[int]
    ends: list[int]
    encode: Callable[[str], str]  # decoded text -> the same text in the string's style

    def raw_range(self, start: int, end: int) -> tuple[int, int]:
        """The file offsets of the decoded characters [start, end) (an empty range: where it stands)."""
        if start == end:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else -1)
            if at < 0:
                raise FixError("the edit falls inside an interpolation")
            return at, at
        if any(self.starts[i] < 0 for i in range(start, end)):
            raise FixError("the edit would change an interpolation")
        return self.starts[start], self.ends[end - 1]


# --- encoders ---------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JSONISH = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def double_quoted(text: str) -> str:
    """Text for the inside of a YAML double-quoted scalar or a JSON string (escapes both read alike)."""
    return re.sub(r'["\\\x00-\x1f\x7f]', lambda m: _JSONISH.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text)


def single_quoted(text: str) -> str:
    if "\n" in text:
        raise FixError("a line break cannot be written in a single-quoted scalar without folding it")
    return text.replace("'", "''")


def verbatim(text: str) -> str:
    """Text for a block scalar, a plain scalar or a heredoc line: written as it is, on one line."""
    if "\n" in text or "\r" in text:
        raise FixError("the new text would need a line break here")
    return text


def hcl_quoted(text: str) -> str:
    text = re.sub(r'["\\\x00-\x1f\x7f]', lambda m: _JSONISH.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text)
    return _hcl_template(text)


def hcl_heredoc(text: str) -> str:
    return _hcl_template(verbatim(text))


def _hcl_template(text: str) -> str:
    return text.replace("${", "$${").replace("%{", "%%{")


def sub_template(encode: Callable[[str], str]) -> Callable[[str], str]:
    """An encoder for the text of a CloudFormation ``Fn::Sub`` template: a literal ``${`` is ``${!``."""
    return lambda text: encode(text.replace("${", "${!"))


ENCODERS: dict[str, Callable[[str], str]] = {
    '"': double_quoted, "'": single_quoted, "plain": verbatim, "|": verbatim, ">": verbatim,
    "hcl": hcl_quoted, "heredoc": hcl_heredoc,
}


# --- YAML scalars -----------------------------------------------------------------------------------------

_YAML_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
                 "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
                 "L": "\u2028", "P": "\u2029"}
_HEX = {"x": 2, "u": 4, "U": 8}


def yaml_layer(src: Source, node: Node, sub: bool) -> Layer:
    """The layer of a YAML scalar (the decoded text must be the parser's value)."""
    if node.kind != STR or node.value is None:
        raise FixError("the value is not a string")
    text = src.text
    s, e = node.inner
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def emit(ch: str, at: int, end: int) -> None:
        chars.append(ch)
        starts.append(at)
        ends.append(end)

    style = node.style
    if style in ("plain", "'", '"'):
        if "\n" in text[s:e]:
            raise FixError("a string written over several lines (folded) cannot be edited inside")
        i = s
        while i < e:
            c = text[i]
            if style == "'" and c == "'" and text[i + 1:i + 2] == "'":
                emit("'", i, i + 2)
                i += 2
            elif style == '"' and c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt in _HEX:
                    digits = text[i + 2:i + 2 + _HEX[nxt]]
                    if len(digits) != _HEX[nxt] or not re.fullmatch(r"[0-9A-Fa-f]+", digits):
                        raise FixError("an escape that cannot be read")
                    emit(chr(int(digits, 16)), i, i + 2 + len(digits))
                    i += 2 + len(digits)
                elif nxt in _YAML_ESCAPES:
                    emit(_YAML_ESCAPES[nxt], i, i + 2)
                    i += 2
                else:
                    raise FixError("an escape that cannot be read")
            else:
                emit(c, i, i + 1)
                i += 1
    elif style in ("|", ">"):
        _block(text, node, emit)
        if style == ">":
            chars, starts, ends = _fold(chars, starts, ends)
        chars, starts, ends = _chomp(text, node, chars, starts, ends)
    else:
        raise FixError(f"a string of style {style!r}")
    decoded = "".join(chars)
    if decoded != node.value:
        raise FixError("the characters of this string cannot be mapped to the file")
    encode = ENCODERS[style]
    return Layer(decoded, starts, ends, sub_template(encode) if sub else encode)


def _block(text: str, node: Node, emit: Callable[[str, int, int], None]) -> None:
    """The lines of a block scalar without their indentation, each with its line break."""
    s, e = node.inner
    header_end = text.find("\n", s)
    if header_end < 0 or header_end >= e:
        return
    if re.search(r"[1-9]", text[s:header_end].split("#", 1)[0]):
        raise FixError("a block scalar with an explicit indentation indicator")
    rows: list[tuple[int, int]] = []
    pos = header_end + 1
    while pos < e:
        end = text.find("\n", pos)
        end = e if end < 0 or end > e else end
        rows.append((pos, end))
        pos = end + 1
    indent = next((len(text[a:b]) - len(text[a:b].lstrip(" ")) for a, b in rows if text[a:b].strip()), 0)
    for k, (a, b) in enumerate(rows):
        content = a + min(indent, b - a)
        if text[a:content].strip(" "):
            break  # a less indented line: the scalar ended (a comment)
        for i in range(content, b):
            emit(text[i], i, i + 1)
        nxt = rows[k + 1][0] if k + 1 < len(rows) else b + 1
        nxt_content = nxt + min(indent, max(rows[k + 1][1] - nxt, 0)) if k + 1 < len(rows) else nxt
        emit("\n", b, nxt_content)


def _fold(chars: list[str], starts: list[int], ends: list[int]) -> tuple[list[str], list[int], list[int]]:
    """YAML line folding of a folded block scalar's lines (as libyaml does it): the break between two lines
    of text that start with no blank is a space, or, with empty lines between them, goes, and each empty
    line is a break; breaks next to a more indented line stay."""
    text = "".join(chars)
    rows: list[tuple[int, int]] = []  # [start, end) of each line's text; its break is at ``end``
    pos = 0
    for line in text.split("\n"):
        rows.append((pos, pos + len(line)))
        pos += len(line) + 1
    out_c: list[str] = []
    out_s: list[int] = []
    out_e: list[int] = []

    def copy(i: int) -> None:
        out_c.append(chars[i])
        out_s.append(starts[i])
        out_e.append(ends[i])

    k = 0
    while k < len(rows):
        a, b = rows[k]
        for i in range(a, b):
            copy(i)
        if b >= len(chars):
            break
        if a == b:  # an empty line (before any text): its break stays
            copy(b)
            k += 1
            continue
        nxt = k + 1
        while nxt < len(rows) and rows[nxt][0] == rows[nxt][1] and rows[nxt][1] < len(chars):
            nxt += 1
        empties = [rows[j][1] for j in range(k + 1, nxt)]
        following = text[rows[nxt][0]:rows[nxt][1]] if nxt < len(rows) else ""
        if text[a] not in " \t" and following and following[0] not in " \t":
            if not empties:
                out_c.append(" ")
                out_s.append(starts[b])
                out_e.append(ends[b])
        else:
            copy(b)
        for j in empties:
            copy(j)
        k = nxt
    return out_c, out_s, out_e


def _chomp(text: str, node: Node, chars: list[str], starts: list[int], ends: list[int],
           ) -> tuple[list[str], list[int], list[int]]:
    header = text[node.inner[0]:text.find("\n", node.inner[0])].split("#", 1)[0]
    n = len(chars)
    while n and chars[n - 1] == "\n":
        n -= 1
    if "+" in header:
        return chars, starts, ends
    keep = n if "-" in header else min(n + 1, len(chars)) if n else 0
    return chars[:keep], starts[:keep], ends[:keep]


# --- HCL strings ------------------------------------------------------------------------------------------

def hcl_layer(src: Source, node: Node) -> Layer:
    """The layer of an HCL quoted string or heredoc, from the front end's decoded pieces and their
    positions (an interpolation is a placeholder that no edit may touch)."""
    from lexiam.terraform.hcl import position_in
    from lexiam.terraform.nodes import Chunk, Template

    template = node.extra
    if not isinstance(template, Template):
        raise FixError("the value is not a string")
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    holes = 0
    text = src.text
    for part in template.parts:
        if isinstance(part, Chunk):
            for k, ch in enumerate(part.text):
                line, col = position_in(part, k)
                at = src.offset(line, col)
                chars.append(ch)
                starts.append(at)
                ends.append(at + _hcl_width(text, at))
        else:
            hole = PLACEHOLDER.format(holes)
            holes += 1
            chars.extend(hole)
            starts.extend([-1] * len(hole))
            ends.extend([-1] * len(hole))
    return Layer("".join(chars), starts, ends, ENCODERS[node.style])


def _hcl_width(text: str, at: int) -> int:
    """How many characters of the file one decoded character of an HCL string takes."""
    if text[at:at + 1] != "\\":
        return 1
    nxt = text[at + 1:at + 2]
    return {"u": 6, "U": 10}.get(nxt, 2)
