"""Turn a resolved policy node (a map, or JSON text) into a :class:`~lexiam.model.PolicyDocument`.

Both front ends call :func:`parse_policy` with what they resolved: a map (CloudFormation YAML/JSON,
Terraform ``jsonencode`` or a policy-document data source) or a string holding JSON (a JSON string
property, ``Fn::Sub`` of JSON, a Terraform heredoc).  Text is parsed with the positioned loader and
positions inside the string are mapped back to the file.  Deploy-time symbols inside JSON text are
kept: they are swapped for placeholders while parsing and put back into the string leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lexiam import positioned
from lexiam.model import Condition, PolicyDocument, PolicyProblem, Principal, Statement
from lexiam.values import (
    NOVALUE,
    Choice,
    Location,
    Part,
    RList,
    RMap,
    Symbol,
    Value,
    candidates,
    loc_of,
)

LinesOf = Callable[[str], list[str] | None]

_PLACEHOLDER = re.compile(r"@@lexiam(\d+)@@")


def placeholder(index: int) -> str:
    """The text that stands for the index-th symbol while JSON text with symbols is parsed."""
    return f"@@lexiam{index}@@"

STATEMENT_KEYS = frozenset({
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
    "Condition",
})


def parse_policy(node: object, path: tuple[str | int, ...] = (), *, lines_of: LinesOf | None = None,
                 max_nodes: int = 200_000) -> PolicyDocument | None:
    """The policy document a resolved node stands for; None when there is no node at all."""
    options = list(candidates(node))
    if not options:
        return None
    doc = options[0]
    if isinstance(doc, Value):
        return _from_text(doc, path, lines_of, max_nodes)
    if not isinstance(doc, RMap):
        return PolicyDocument((), loc_of(doc), path, (PolicyProblem("the policy document is not an object",
                                                                    loc_of(doc), path),))
    return _from_map(doc, path)


def _from_map(doc: RMap, path: tuple[str | int, ...]) -> PolicyDocument:
    problems: list[PolicyProblem] = []
    if "Statement" not in doc:
        problems.append(PolicyProblem("the policy has no Statement", doc.loc, path))
        return PolicyDocument((), doc.loc, path, tuple(problems))
    raw = doc["Statement"]
    items: list[tuple[object, tuple[str | int, ...]]] = []
    unresolved = False
    for opt in candidates(raw):
        if isinstance(opt, RList):
            for i, item in enumerate(opt):
                items.extend((c, (*path, "Statement", i)) for c in candidates(item))
        elif isinstance(opt, RMap):
            items.append((opt, (*path, "Statement")))
        elif isinstance(opt, Value) and opt.is_unknown:
            unresolved = True
        else:
            problems.append(PolicyProblem("Statement must be an object or a list of objects", loc_of(opt),
                                          (*path, "Statement")))
    statements = []
    for index, (item, spath) in enumerate(items):
        if isinstance(item, RMap):
            statements.append(_statement(index, item, spath))
        elif isinstance(item, Value) and item.is_unknown:
            unresolved = True
        else:
            problems.append(PolicyProblem("a statement must be an object", loc_of(item), spath))
    return PolicyDocument(tuple(statements), doc.loc, path, tuple(problems), resolved=not unresolved or bool(statements))


def _values(node: object, unresolved: set[str], key: str) -> tuple[Value, ...]:
    out: list[Value] = []
    for c in candidates(node):
        if isinstance(c, Value):
            if c.is_unknown and len(c.parts) == 1:
                unresolved.add(key)
            out.append(c)
        elif isinstance(c, RList):
            for item in c:
                for v in candidates(item):
                    if isinstance(v, Value):
                        out.append(v)
                    else:
                        unresolved.add(key)
        else:
            unresolved.add(key)
    return tuple(out)


def _statement(index: int, st: RMap, path: tuple[str | int, ...]) -> Statement:
    unresolved: set[str] = set()

    def first_key(*keys: str) -> str | None:
        return next((k for k in keys if k in st), None)

    action_key = first_key("Action", "NotAction")
    resource_key = first_key("Resource", "NotResource")
    principal_key = first_key("Principal", "NotPrincipal")
    principals: list[Principal] = []
    principal_loc = None
    if principal_key:
        pnode = st[principal_key]
        principal_loc = loc_of(pnode)
        for opt in candidates(pnode):
            if isinstance(opt, Value):
                if opt.is_unknown:
                    unresolved.add(principal_key)
                principals.append(Principal("*" if opt.text == "*" else "AWS", opt))
            elif isinstance(opt, RMap):
                for kind, vals in opt.items():
                    for v in _values(vals, unresolved, principal_key):
                        principals.append(Principal(kind, v))
            else:
                unresolved.add(principal_key)
    conditions: list[Condition] = []
    if "Condition" in st:
        for opt in candidates(st["Condition"]):
            if not isinstance(opt, RMap):
                unresolved.add("Condition")
                continue
            for op, block in opt.items():
                for b in candidates(block):
                    if not isinstance(b, RMap):
                        unresolved.add("Condition")
                        continue
                    for key, vals in b.items():
                        key_loc = b.key_locs.get(key, b.loc)
                        conditions.append(Condition(op, Value.of(key, key_loc), _values(vals, unresolved, "Condition")))
    sid = _scalar(st.get("Sid"))
    effect = _scalar(st.get("Effect"))
    return Statement(
        index=index,
        loc=st.loc,
        path=path,
        sid=sid,
        effect=effect,
        actions=_values(st[action_key], unresolved, action_key) if action_key else (),
        action_key=action_key,
        resources=_values(st[resource_key], unresolved, resource_key) if resource_key else (),
        resource_key=resource_key,
        principals=tuple(principals),
        principal_key=principal_key,
        principal_loc=principal_loc,
        conditions=tuple(conditions),
        unresolved=frozenset(unresolved),
    )


def _scalar(node: object) -> Value | None:
    for c in candidates(node):
        if isinstance(c, Value):
            return c
    return None


# --- JSON text ---------------------------------------------------------------------------------

def text_mapper(loc: Location | None, lines: list[str] | None) -> positioned.Mapper:
    """Map a 0-based (line, column) inside a string value back to the 1-based file position."""
    if loc is None:
        return lambda line, col: (line + 1, col + 1)
    base_line, base_col = loc.line, loc.column
    indicator = ""
    row = ""
    if lines is not None and 0 < base_line <= len(lines):
        row = lines[base_line - 1]
        tail = row[base_col - 1:]
        tag = _TAG.match(tail)  # a node written `!Sub |` starts at its tag
        if tag:
            base_col += tag.end()
            tail = tail[tag.end():]
        indicator = tail[:1]
    if indicator in ("|", ">") and lines is not None:
        indent = 0
        for row in lines[base_line:]:
            if row.strip():
                indent = len(row) - len(row.lstrip(" "))
                break
        return lambda line, col: (base_line + 1 + line, indent + col + 1)
    shift = 1 if indicator in ('"', "'") else 0
    offsets = _raw_offsets(row[base_col:], indicator) if indicator in ('"', "'") else None

    def quoted(line: int, col: int) -> tuple[int, int]:
        if line == 0:
            if offsets is not None and col < len(offsets):
                return base_line, base_col + shift + offsets[col]
            return base_line, base_col + shift + col
        return base_line + line, col + 1

    return quoted


_TAG = re.compile(r"!\S*\s+")
_ESCAPE_LEN = {"x": 4, "u": 6, "U": 10}


def _raw_offsets(raw: str, quote: str) -> list[int]:
    """For a quoted scalar's raw text (after the opening quote): the raw offset of each decoded character."""
    offsets: list[int] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == quote:
            if quote == "'" and raw[i + 1:i + 2] == "'":  # '' is one quote in single-quoted YAML
                offsets.append(i)
                i += 2
                continue
            break
        offsets.append(i)
        i += _ESCAPE_LEN.get(raw[i + 1:i + 2], 2) if c == "\\" and quote == '"' else 1
    offsets.append(i)
    return offsets


def _from_text(value: Value, path: tuple[str | int, ...], lines_of: LinesOf | None, max_nodes: int) -> PolicyDocument:
    loc = value.loc
    if value.is_unknown and all(isinstance(p, Symbol) for p in value.parts):
        return PolicyDocument((), loc, path, resolved=False)
    symbols: list[Symbol] = []
    chunks: list[str] = []
    for p in value.parts:
        if isinstance(p, Symbol):
            chunks.append(placeholder(len(symbols)))
            symbols.append(p)
        else:
            chunks.append(p)
    text = "".join(chunks)
    lines = lines_of(loc.file) if (lines_of and loc) else None
    mapper = text_mapper(loc, lines)
    try:
        tree, _dups = positioned.load(text, loc.file if loc else "", mapper=mapper, max_nodes=max_nodes)
    except positioned.LoadError as exc:
        if symbols:  # a symbol outside a JSON string: the document is not known
            return PolicyDocument((), loc, path, resolved=False)
        at = Location(loc.file, exc.line, exc.column) if loc else None
        what = "is too large to check" if exc.reason.startswith(positioned.LIMIT_REASONS) else "is not valid JSON"
        return PolicyDocument((), loc, path, (PolicyProblem(f"the policy {what}: {exc.reason}", at, path),))
    if tree is None or not isinstance(tree, positioned.PMap):
        if symbols and _PLACEHOLDER.fullmatch(text.strip()):
            return PolicyDocument((), loc, path, resolved=False)
        return PolicyDocument((), loc, path, (PolicyProblem("the policy text is not a JSON object", loc, path),))
    return _from_map(literal_tree(tree, symbols), path)


def literal_tree(node: positioned.PNode, symbols: list[Symbol]) -> object:
    """A parsed JSON tree as a resolved tree (no intrinsics inside policy text), symbols restored."""
    if isinstance(node, positioned.PMap):
        out = RMap(loc=node.loc)
        for k, v in node.items():
            out[k] = literal_tree(v, symbols)
        out.key_locs.update(node.key_locs)
        return out
    if isinstance(node, positioned.PList):
        return RList([literal_tree(v, symbols) for v in node], loc=node.loc)
    if node.text is None:
        return NOVALUE
    return _restore(node.text, node.loc, symbols)


def _restore(text: str, loc: Location, symbols: list[Symbol]) -> Value:
    if "@@lexiam" not in text:
        return Value.of(text, loc)
    parts: list[Part] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        if m.start() > pos:
            parts.append(text[pos:m.start()])
        index = int(m.group(1))
        parts.append(symbols[index] if index < len(symbols) else m.group(0))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return Value(tuple(parts), loc)


__all__ = ["parse_policy", "text_mapper", "literal_tree", "placeholder", "STATEMENT_KEYS", "Choice"]
