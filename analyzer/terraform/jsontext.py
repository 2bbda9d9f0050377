"""JSON written as text inside Terraform (a heredoc, a quoted string, a ``file()``, a string in a
plan) turned into resolved maps whose positions point at the characters in the file.

The evaluator records, for every string value that may hold JSON, where each of its characters
was written (:meth:`lexiam.terraform.context.Context.remember`): escapes, heredoc indentation
and interpolations included.  Here that map becomes the ``mapper`` of the positioned loader, so a
``"lex:Foo"`` inside a heredoc policy is reported at its own line and column.  Deploy-time symbols
inside the text are swapped for placeholders while parsing and put back into the string leaves.
"""

from __future__ import annotations

import dataclasses
import json
import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from lexiam import positioned
from lexiam.model import PolicyDocument
from lexiam.policy import literal_tree, parse_policy
from lexiam.terraform.tfvalues import rendered
from lexiam.values import NOVALUE, Location, RList, RMap, Symbol, Value, candidates

if TYPE_CHECKING:
    from lexiam.terraform.context import Context
    from lexiam.terraform.nodes import Seg


def segment_mapper(text: str, segs: list[Seg]) -> positioned.Mapper:
    """A mapper from 0-based (line, column) in ``text`` to the 1-based file position."""
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    offsets = [s[0] for s in segs]

    def mapper(line: int, col: int) -> tuple[int, int]:
        base = starts[line] if line < len(starts) else len(text)
        off = base + col
        i = max(bisect_right(offsets, off) - 1, 0)
        o, ln, c = segs[i]
        return ln, c + (off - o)

    return mapper


class JsonFailure:
    __slots__ = ("reason", "loc")

    def __init__(self, reason: str, loc: Location) -> None:
        self.reason = reason
        self.loc = loc


def _parse_mapped(ctx: Context, value: Value) -> object | JsonFailure | None:
    """The JSON tree of a string value whose characters' positions are known; None when they are not."""
    if value.loc is None:
        return None
    text = rendered(value)
    segs = ctx.srcmaps.get((value.loc, text))
    if segs is None:
        return None
    mapper = segment_mapper(text, segs)
    try:
        tree, _dups = positioned.load(text, value.loc.file, mapper=mapper, max_nodes=ctx.options.max_nodes,
                                      max_depth=ctx.options.max_depth)
    except positioned.LoadError as exc:
        return JsonFailure(exc.reason, Location(value.loc.file, exc.line, exc.column))
    return literal_tree(tree, list(value.symbols)) if tree is not None else None


def decode(ctx: Context, value: Value) -> object | None:
    """``jsondecode()``: the resolved tree of JSON text, positioned when possible; None if not JSON."""
    tree = _parse_mapped(ctx, value)
    if isinstance(tree, JsonFailure):
        return None
    if tree is not None:
        return tree
    if value.text is None:
        return None
    try:
        data = json.loads(value.text)
    except (ValueError, RecursionError):
        return None
    return _from_python(data, value.loc, 0)


def policy_from(ctx: Context, node: object, path: tuple[str | int, ...]) -> PolicyDocument | None:
    """The policy a resolved attribute stands for (a map, or JSON text with mapped positions)."""
    options = list(candidates(node))
    if not options:
        return None
    first = options[0]
    if isinstance(first, Value) and not (first.is_unknown and all(isinstance(p, Symbol) for p in first.parts)):
        tree = _parse_mapped(ctx, first)
        if isinstance(tree, JsonFailure):
            doc = parse_policy(first, path, lines_of=ctx.lines_of, max_nodes=ctx.options.max_nodes)
            return _relocate(doc, tree.loc)
        if isinstance(tree, RMap):
            return parse_policy(tree, path)
    return parse_policy(node, path, lines_of=ctx.lines_of, max_nodes=ctx.options.max_nodes)


def _relocate(doc: PolicyDocument | None, loc: Location) -> PolicyDocument | None:
    if doc is None or not doc.problems:
        return doc
    first = doc.problems[0]
    if not first.message.startswith("the policy is not valid JSON"):
        return doc
    return dataclasses.replace(doc, problems=(dataclasses.replace(first, loc=loc), *doc.problems[1:]))


def _from_python(data: object, loc: Location | None, depth: int) -> object:
    if depth > 64:
        return Value.of("", loc)
    if isinstance(data, dict):
        out = RMap(loc=loc)
        for k, v in data.items():
            out[str(k)] = _from_python(v, loc, depth + 1)
        return out
    if isinstance(data, list):
        return RList([_from_python(v, loc, depth + 1) for v in data], loc=loc)
    if data is None:
        return NOVALUE
    if isinstance(data, bool):
        return Value.of("true" if data else "false", loc)
    return Value.of(data, loc)


def json_string_segs(lines: list[str], loc: Location) -> list[Seg] | None:
    """Where each character of a JSON string literal (opening quote at ``loc``) was written,
    escapes taken into account: the source map of a policy embedded in a plan."""
    line = loc.line
    if not 0 < line <= len(lines):
        return None
    row = lines[line - 1]
    i = loc.column  # index just after the opening quote (column is 1-based)
    if loc.column - 1 >= len(row) or row[loc.column - 1] != '"':
        return None
    segs: list[Seg] = []
    out_len = 0
    expected = -1  # the column the next character has when it follows the previous one directly
    limit = len(row)
    while i < limit:
        ch = row[i]
        if ch == '"':
            break
        width = 1
        if ch == "\\" and i + 1 < limit:
            width = 2
            if row[i + 1] == "u":
                width = 6
                code = int(row[i + 2:i + 6], 16) if re.fullmatch(r"[0-9a-fA-F]{4}", row[i + 2:i + 6]) else 0
                if 0xD800 <= code < 0xDC00 and row[i + 6:i + 8] == "\\u":
                    width = 12  # a surrogate pair: one character from two escapes
        col = i + 1
        if col != expected:
            segs.append((out_len, line, col))
        expected = col + 1
        out_len += 1
        i += width
    return segs
