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
from lexiam.terraform.tfvalues import Lazy, rendered, unk
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
    if not ctx.spend(len(text), value.loc):
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
    if value.text is None or not ctx.spend(len(value.text), value.loc):
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
    if any(isinstance(o, Lazy) for o in options):  # a resource or module object: no document known
        return parse_policy(unk("a resource or module where a policy belongs"), path)
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


# --- reading JSON files ------------------------------------------------------------------------------

# Line breaks that YAML (and so the positioned reader) counts but JSON, Terraform and editors do not:
# they can only be inside strings of valid JSON, where they are swapped for characters of the same
# width while reading, and put back in the values.
_YAML_BREAKS = "\x85\u2028\u2029"


def load_json(text: str, rel: str, max_nodes: int = positioned.DEFAULT_MAX_NODES,
              max_depth: int = positioned.DEFAULT_MAX_DEPTH) -> tuple[positioned.PNode | None, list[tuple[str, Location]]]:
    """:func:`lexiam.positioned.load` of a JSON file (a ``.tf.json``, ``.tfvars.json``, a plan) with the
    positions Terraform and editors give: lines counted at line feeds only, surrogate pairs written as
    two escapes read.  Raises :class:`lexiam.positioned.LoadError`."""
    read, restore, mapper = _readable(text)
    tree, duplicates = positioned.load(read, rel, mapper=mapper, max_nodes=max_nodes, max_depth=max_depth)
    if restore:
        _restore_tree(tree, restore)
        duplicates = [(_restore_text(k, restore), loc) for k, loc in duplicates]
    return tree, duplicates


def _restore_text(text: str, restore: dict[str, str]) -> str:
    for stand_in, original in restore.items():
        text = text.replace(stand_in, original)
    return text


def _restore_tree(tree: object, restore: dict[str, str]) -> None:
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, positioned.PScalar):
            if node.text is not None:
                node.text = _restore_text(node.text, restore)
        elif isinstance(node, positioned.PMap):
            items = list(node.items())
            locs = dict(node.key_locs)
            node.clear()
            node.key_locs.clear()
            for key, value in items:
                fixed = _restore_text(key, restore)
                node[fixed] = value
                node.key_locs[fixed] = locs[key]
                stack.append(value)
        elif isinstance(node, positioned.PList):
            stack.extend(node)


# a surrogate pair written as two escapes (an emoji: "\ud83d\ude00"), after an even run of backslashes
_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _readable(text: str) -> tuple[str, dict[str, str], positioned.Mapper | None]:
    """The text as the positioned (YAML) reader can read it, the characters to put back in its strings,
    and the mapper from positions in it to positions in the file (None: they are the same).

    * YAML counts U+0085, U+2028 and U+2029 as line breaks, Terraform and editors do not: they can only
      be inside strings, where they are swapped for unused characters of the same width.
    * libyaml refuses a surrogate pair written as two escapes: it is written as one ``\\U`` escape,
      two characters shorter, which the mapper makes up for.
    """
    restore: dict[str, str] = {}
    if any(b in text for b in _YAML_BREAKS):
        code = 0xF0000  # a private use plane: characters no JSON needs, each one column wide
        for b in _YAML_BREAKS:
            if b not in text:
                continue
            while chr(code) in text:
                code += 1
            restore[chr(code)] = b
            text = text.replace(b, chr(code))
            code += 1
    if "\\u" not in text or not _PAIR.search(text):
        return text, restore, None
    pieces = re.split(r"(\r\n|\r|\n)", text)
    shifts: dict[int, list[tuple[int, int]]] = {}  # line -> (column in the text read, columns lost before it)
    for i in range(0, len(pieces), 2):
        row = pieces[i]
        if "\\u" not in row:
            continue
        out: list[str] = []
        marks: list[tuple[int, int]] = []
        pos = lost = 0
        for m in _PAIR.finditer(row):
            out.append(row[pos:m.start()])
            code = 0x10000 + ((int(m.group(2), 16) - 0xD800) << 10) + (int(m.group(3), 16) - 0xDC00)
            out.append(f"{m.group(1)}\\U{code:08X}")
            lost += 2
            marks.append((len("".join(out)), lost))
            pos = m.end()
        out.append(row[pos:])
        pieces[i] = "".join(out)
        shifts[i // 2] = marks

    def mapper(line: int, column: int) -> tuple[int, int]:
        extra = 0
        for at, lost_before in shifts.get(line, ()):
            if column >= at:
                extra = lost_before
        return line + 1, column + extra + 1

    return "".join(pieces), restore, mapper
