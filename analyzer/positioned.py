"""A YAML/JSON loader that keeps the position of every node and never constructs Python objects.

JSON is read with the same loader (JSON is, for all templates seen in practice, a YAML flow
document; this also accepts the trailing commas that CloudFormation itself tolerates).  The libyaml
composer is used when available; nodes are turned into plain dict/list/scalar wrappers carrying a
:class:`~analyzer.values.Location`.  CloudFormation short-form tags (``!Sub``, ``!GetAtt A.B``) are
turned into their long form here so that the resolver sees one shape.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from analyzer.values import Location

try:  # pragma: no cover - depends on the build of PyYAML
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

DEFAULT_MAX_NODES = 2_000_000
DEFAULT_MAX_DEPTH = 256

Mapper = Callable[[int, int], tuple[int, int]]


class LoadError(Exception):
    """A file (or embedded document) that cannot be read: a reason and a 1-based position."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


class PMap(dict):  # type: ignore[type-arg]
    __slots__ = ("loc", "key_locs")

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Location] = {}


class PList(list):  # type: ignore[type-arg]
    __slots__ = ("loc",)

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc


class PScalar:
    """A scalar as written: its text (None for null), whether it is a string, and its style."""

    __slots__ = ("text", "loc", "style", "is_str")

    def __init__(self, text: str | None, loc: Location, style: str | None, is_str: bool) -> None:
        self.text = text
        self.loc = loc
        self.style = style
        self.is_str = is_str

    def __repr__(self) -> str:
        return f"PScalar({self.text!r})"


PNode = PMap | PList | PScalar


def _intrinsic_name(tag: str) -> str:
    name = tag[1:]
    if name in ("Ref", "Condition"):
        return name
    return "Fn::" + name


class _Converter:
    def __init__(self, file: str, mapper: Mapper | None, max_nodes: int, max_depth: int) -> None:
        self.file = file
        self.mapper = mapper
        self.budget = max_nodes
        self.max_depth = max_depth
        self.duplicates: list[tuple[str, Location]] = []

    def loc(self, node: yaml.Node) -> Location:
        s, e = node.start_mark, node.end_mark
        if self.mapper is not None:
            sl, sc = self.mapper(s.line, s.column)
            el, ec = self.mapper(e.line, e.column)
            return Location(self.file, sl, sc, el, ec)
        return Location(self.file, s.line + 1, s.column + 1, e.line + 1, e.column + 1)

    def convert(self, node: yaml.Node, depth: int = 0) -> PNode:
        self.budget -= 1
        if self.budget < 0:
            raise LoadError("too many nodes (alias expansion or a very large document)",
                            node.start_mark.line + 1, node.start_mark.column + 1)
        if depth > self.max_depth:
            raise LoadError(f"nesting deeper than {self.max_depth} levels",
                            node.start_mark.line + 1, node.start_mark.column + 1)
        tag = node.tag or ""
        short = tag.startswith("!") and not tag.startswith("!!")
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if short:
                return self._short(tag, self._scalar(node, value), node, depth)
            if tag == _NULL:
                out: PNode = PScalar(None, self.loc(node), node.style, False)
            else:
                out = PScalar(value, self.loc(node), node.style, tag == _STR or bool(node.style))
            return out
        if isinstance(node, yaml.SequenceNode):
            seq = PList(self.loc(node))
            for item in node.value:
                seq.append(self.convert(item, depth + 1))
            return self._short(tag, seq, node, depth) if short else seq
        if isinstance(node, yaml.MappingNode):
            mapping = PMap(self.loc(node))
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.convert(value_node, depth + 1)
                    for m in merged if isinstance(merged, PList) else [merged]:
                        if isinstance(m, PMap):
                            for k, v in m.items():
                                mapping.setdefault(k, v)
                                mapping.key_locs.setdefault(k, m.key_locs.get(k, m.loc))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise LoadError("a mapping key must be a scalar", key_node.start_mark.line + 1,
                                    key_node.start_mark.column + 1)
                key = key_node.value
                key_loc = self.loc(key_node)
                if key in mapping:
                    self.duplicates.append((key, key_loc))
                mapping[key] = self.convert(value_node, depth + 1)
                mapping.key_locs[key] = key_loc
            return self._short(tag, mapping, node, depth) if short else mapping
        raise LoadError(f"unsupported node {type(node).__name__}")  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode, value: str) -> PScalar:
        return PScalar(value, self.loc(node), node.style, True)

    def _short(self, tag: str, inner: PNode, node: yaml.Node, depth: int) -> PMap:
        name = _intrinsic_name(tag)
        if name == "Fn::GetAtt" and isinstance(inner, PScalar) and inner.text:
            resource, _, attr = inner.text.partition(".")
            parts = PList(inner.loc)
            parts.append(PScalar(resource, inner.loc, inner.style, True))
            parts.append(PScalar(attr, inner.loc, inner.style, True))
            inner = parts
        out = PMap(self.loc(node))
        out[name] = inner
        out.key_locs[name] = out.loc
        return out


def load(text: str, file: str, *, mapper: Mapper | None = None, max_nodes: int = DEFAULT_MAX_NODES,
         max_depth: int = DEFAULT_MAX_DEPTH) -> tuple[PNode | None, list[tuple[str, Location]]]:
    """Parse one YAML/JSON document; returns the tree and the duplicate keys met (key, location)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(str(x) for x in (exc.context, exc.problem) if x) or str(exc)
        line, col = (mark.line, mark.column) if mark else (0, 0)
        if mapper is not None:
            line, col = mapper(line, col)
        else:
            line, col = line + 1, col + 1
        raise LoadError(reason, line, col) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    except RecursionError:
        raise LoadError("nesting too deep to parse") from None
    if node is None:
        return None, []
    conv = _Converter(file, mapper, max_nodes, max_depth)
    try:
        tree = conv.convert(node)
    except RecursionError:
        raise LoadError("nesting too deep to parse") from None
    return tree, conv.duplicates
