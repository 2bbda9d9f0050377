"""A YAML/JSON loader that keeps the position of every node and never constructs Python objects.

JSON is read with the same loader (JSON is, for all templates seen in practice, a YAML flow
document; this also accepts the trailing commas that CloudFormation itself tolerates).  The libyaml
composer is used when available; nodes are turned into plain dict/list/scalar wrappers carrying a
:class:`~lexiam.values.Location`.  CloudFormation short-form tags (``!Sub``, ``!GetAtt A.B``) are
turned into their long form here so that the resolver sees one shape.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import yaml

from lexiam.values import Location

try:  # pragma: no cover - depends on the build of PyYAML
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"

DEFAULT_MAX_NODES = 1_000_000
DEFAULT_MAX_DEPTH = 256
LIMIT_REASONS = ("too many nodes", "nesting deeper than")  # how the reasons of a LoadError for a limit start

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


def path_to(node: object, loc: Location) -> tuple[str | int, ...] | None:
    """The keys and indexes from ``node`` down to the innermost node written at ``loc``
    (``("Properties", "RoleArn")``); None when ``loc`` is not inside ``node``."""
    if not isinstance(node, (PMap, PList, PScalar)) or not node.loc.covers(loc):
        return None
    path: list[str | int] = []
    while True:
        items = node.items() if isinstance(node, PMap) else enumerate(node) if isinstance(node, PList) else ()
        inner = next(((k, child) for k, child in items if child.loc.covers(loc)), None)
        if inner is None:
            return tuple(path)
        path.append(inner[0])
        node = inner[1]


def _intrinsic_name(tag: str) -> str:
    name = tag[1:]
    if name in ("Ref", "Condition"):
        return name
    return "Fn::" + name


class _Open:
    """A sequence or mapping whose end event has not come yet."""

    __slots__ = ("node", "start", "tag", "anchor", "budget", "height", "key", "key_loc", "merge", "explicit")

    def __init__(self, node: PMap | PList, start: yaml.Event, tag: str, budget: int) -> None:
        self.node = node
        self.start = start
        self.tag = tag
        self.anchor: str | None = start.anchor
        self.budget = budget  # the node budget left when the collection started
        self.height = 0  # how many levels below this one the deepest descendant is
        self.key: str | None = None  # a mapping's pending key (None: the next node is a key)
        self.key_loc: Location | None = None
        self.merge = False  # the pending key is the merge key ``<<``
        self.explicit: set[str] = set()  # keys written in this mapping (not merged in)


class _Builder:
    """Build the positioned tree from the parser's events, without recursion.

    Walking events (rather than composing nodes) bounds the cost of hostile input: nesting deeper than
    ``max_depth`` stops the parse at that depth (libyaml's composer recurses in C and its scanner slows
    down quadratically with depth), and an alias is charged the size of what it expands to, so an
    exponential alias chain (billion laughs) stops at the first alias over ``max_nodes``.  An alias
    shares the anchored node instead of copying it: the tree is a DAG whose expanded size is within
    the budget.  Nothing is ever constructed from a tag: ``!!python/object`` is a tag on plain data.
    """

    def __init__(self, file: str, mapper: Mapper | None, max_nodes: int, max_depth: int) -> None:
        self.file = file
        self.mapper = mapper
        self.budget = max_nodes
        self.max_depth = max_depth
        self.duplicates: list[tuple[str, Location]] = []
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[PNode, int, int]] = {}  # anchor -> node, expanded size, height
        self.resolver = yaml.resolver.Resolver()
        self.tags: dict[str, str] = {}  # plain scalar text -> its resolved tag
        self.root: PNode | None = None
        self.documents = 0
        self.starts: list[int] | None = None  # set by load() when libyaml's line count is not the file's

    def loc(self, start: yaml.Mark, end: yaml.Mark) -> Location:
        if self.starts is not None:
            (sl, sc), (el, ec) = self.place(start), self.place(end)
        else:
            sl, sc, el, ec = start.line, start.column, end.line, end.column
        if self.mapper is not None:
            sl, sc = self.mapper(sl, sc)
            el, ec = self.mapper(el, ec)
            return Location(self.file, sl, sc, el, ec)
        return Location(self.file, sl + 1, sc + 1, el + 1, ec + 1)

    def place(self, mark: yaml.Mark) -> tuple[int, int]:
        """The 0-based line and column of a mark, lines counted at ``\\n`` only (see :func:`_line_starts`)."""
        if self.starts is None:
            return mark.line, mark.column
        line = bisect.bisect_right(self.starts, mark.index) - 1
        return line, mark.index - self.starts[line]

    def fail(self, reason: str, mark: yaml.Mark) -> LoadError:
        return self.fail_at(reason, *self.place(mark))

    def fail_at(self, reason: str, line: int, col: int) -> LoadError:
        """A LoadError at a 0-based position of the text (mapped to the file when the text is embedded)."""
        if self.mapper is not None:
            return LoadError(reason, *self.mapper(line, col))
        return LoadError(reason, line + 1, col + 1)

    def charge(self, cost: int, mark: yaml.Mark) -> None:
        self.budget -= cost
        if self.budget < 0:
            raise self.fail("too many nodes (alias expansion or a very large document)", mark)

    def check_depth(self, height: int, mark: yaml.Mark) -> None:
        if len(self.stack) + height > self.max_depth:
            raise self.fail(f"nesting deeper than {self.max_depth} levels", mark)

    def handlers(self) -> dict[type, Callable[[yaml.Event], None]]:
        return {
            yaml.ScalarEvent: self.scalar,  # type: ignore[dict-item]
            yaml.SequenceStartEvent: self.open, yaml.MappingStartEvent: self.open,  # type: ignore[dict-item]
            yaml.SequenceEndEvent: self.close, yaml.MappingEndEvent: self.close,  # type: ignore[dict-item]
            yaml.AliasEvent: self.alias,  # type: ignore[dict-item]
            yaml.DocumentStartEvent: self.document,
        }

    def document(self, event: yaml.Event) -> None:
        self.documents += 1
        if self.documents > 1:
            raise self.fail("expected a single document in the stream, but found another document", event.start_mark)

    def scalar(self, event: yaml.ScalarEvent) -> None:
        stack = self.stack
        self.budget -= 1
        if self.budget < 0 or len(stack) > self.max_depth:
            self.charge(0, event.start_mark)
            self.check_depth(0, event.start_mark)
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if event.implicit[0]:  # plain: resolved from its text (null, bool, int, merge...)
                tag = self.tags.get(value)
                if tag is None:
                    tag = self.tags[value] = self.resolver.resolve(yaml.ScalarNode, value, (True, False))
            else:
                tag = _STR
        sm, em = event.start_mark, event.end_mark
        if self.mapper is None and self.starts is None:
            loc = Location(self.file, sm.line + 1, sm.column + 1, em.line + 1, em.column + 1)
        else:
            loc = self.loc(sm, em)
        top = stack[-1] if stack else None
        if top is not None and top.key is None and isinstance(top.node, PMap):  # a mapping key
            top.key, top.key_loc, top.merge = value, loc, tag == _MERGE
            if event.anchor is not None:
                self.anchors[event.anchor] = (PScalar(value, loc, event.style, True), 1, 0)
            return
        if tag == _STR:
            node: PNode = PScalar(value, loc, event.style, True)
        elif tag == _NULL:
            node = PScalar(None, loc, event.style, False)
        elif _is_short(tag):
            node = self.short(tag, PScalar(value, loc, event.style, True), loc)
        else:
            node = PScalar(value, loc, event.style, bool(event.style))
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1, 0)
        self.add(node, 0, sm)

    def open(self, event: yaml.CollectionStartEvent) -> None:
        self.charge(1, event.start_mark)
        self.check_depth(0, event.start_mark)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.node, PMap) and top.key is None:
            raise self.fail("a mapping key must be a scalar", event.start_mark)
        is_map = isinstance(event, yaml.MappingStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP if is_map else _SEQ
        placeholder = Location(self.file, 1, 1)
        node: PMap | PList = PMap(placeholder) if is_map else PList(placeholder)
        self.stack.append(_Open(node, event, tag, self.budget))
        if event.anchor is not None:
            self.anchors.pop(event.anchor, None)  # an alias to an unfinished collection is recursive

    def close(self, event: yaml.CollectionEndEvent) -> None:
        done = self.stack.pop()
        node = done.node
        node.loc = self.loc(done.start.start_mark, event.end_mark)
        out: PNode = self.short(done.tag, node, node.loc) if _is_short(done.tag) else node
        if done.anchor is not None:
            self.anchors[done.anchor] = (out, done.budget - self.budget + 1, done.height)
        self.add(out, done.height, done.start.start_mark)

    def alias(self, event: yaml.AliasEvent) -> None:
        anchor = event.anchor
        if anchor not in self.anchors:
            if any(o.anchor == anchor for o in self.stack):
                raise self.fail(f"recursive alias *{anchor}", event.start_mark)
            raise self.fail(f"found undefined alias *{anchor}", event.start_mark)
        node, size, height = self.anchors[anchor]
        self.charge(size, event.start_mark)
        self.check_depth(height, event.start_mark)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.node, PMap) and top.key is None:
            if not isinstance(node, PScalar):
                raise self.fail("a mapping key must be a scalar", event.start_mark)
            top.key, top.key_loc, top.merge = node.text or "", self.loc(event.start_mark, event.end_mark), False
            return
        self.add(node, height, event.start_mark)

    def add(self, node: PNode, height: int, mark: yaml.Mark) -> None:
        if not self.stack:
            self.root = node
            return
        top = self.stack[-1]
        top.height = max(top.height, height + 1)
        if isinstance(top.node, PList):
            top.node.append(node)
            return
        mapping, key, key_loc = top.node, top.key, top.key_loc
        top.key = None
        assert key is not None and key_loc is not None
        if top.merge:
            for m in node if isinstance(node, PList) else [node]:
                if isinstance(m, PMap):
                    for k, v in m.items():
                        if k not in top.explicit:
                            mapping.setdefault(k, v)
                            mapping.key_locs.setdefault(k, m.key_locs.get(k, m.loc))
            return
        if key in top.explicit:
            self.duplicates.append((key, key_loc))
        top.explicit.add(key)
        mapping[key] = node
        mapping.key_locs[key] = key_loc

    def short(self, tag: str, inner: PNode, loc: Location) -> PMap:
        name = _intrinsic_name(tag)
        if name == "Fn::GetAtt" and isinstance(inner, PScalar) and inner.text:
            resource, _, attr = inner.text.partition(".")
            parts = PList(inner.loc)
            parts.append(PScalar(resource, inner.loc, inner.style, True))
            parts.append(PScalar(attr, inner.loc, inner.style, True))
            inner = parts
        out = PMap(loc)
        out[name] = inner
        out.key_locs[name] = out.loc
        return out


def _is_short(tag: str) -> bool:
    return tag.startswith("!") and not tag.startswith("!!")


_LIBYAML_MAX_DEPTH = 1000


# libyaml ends a line at NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029) and a lone CR
# too (YAML 1.1); GitHub, editors and every other reader of the file count lines at LF.
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


def _line_starts(text: str) -> list[int] | None:
    """The offsets of the lines of ``text`` counted at LF, when libyaml would count them otherwise (else
    None: its marks are right as they are).  A mark's ``index`` is a character offset: with these, it gives
    the line and column that a finding reports, so that an annotation lands on the line it is about."""
    if text.isascii() and "\r" not in text or _OTHER_BREAKS.search(text) is None:
        return None
    return [0, *(m.end() for m in re.finditer("\n", text))]


def load(text: str, file: str, *, mapper: Mapper | None = None, max_nodes: int = DEFAULT_MAX_NODES,
         max_depth: int = DEFAULT_MAX_DEPTH) -> tuple[PNode | None, list[tuple[str, Location]]]:
    """Parse one YAML/JSON document; returns the tree and the duplicate keys met (key, location)."""
    builder = _Builder(file, mapper, max_nodes, max_depth)
    builder.starts = _line_starts(text)
    handlers = builder.handlers()
    try:
        loader = _Loader(text)
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from a "\ud800" escape in a string
        before = text[: exc.start]
        raise builder.fail_at(f"text is not valid Unicode (lone surrogate U+{ord(text[exc.start]):04X})",
                              before.count("\n"), exc.start - (before.rfind("\n") + 1)) from None
    try:
        next_event = loader.get_event
        while (event := next_event()) is not None:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(str(x) for x in (exc.context, exc.problem) if x) or str(exc)
        if "maximum nesting depth" in reason:
            # libyaml (0.2.5+) stops at 1,000 flow levels while scanning ahead, before our own count
            # sees the depth; the document is then deeper than our limit too (or than libyaml's).
            reason = f"nesting deeper than {min(max_depth, _LIBYAML_MAX_DEPTH)} levels"
        if mark is None:
            raise LoadError(reason) from None
        raise builder.fail(reason, mark) from None
    except yaml.reader.ReaderError as exc:
        char = f" #x{exc.character:04x}" if isinstance(exc.character, int) else ""
        raise builder.fail_at(f"unacceptable character{char}: {exc.reason}", *_position(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    finally:
        loader.dispose()
    return builder.root, builder.duplicates


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 0-based line and column of a libyaml reader offset (bytes of the UTF-8 text)."""
    before = text.encode("utf-8")[:max(offset, 0)].decode("utf-8", "ignore")
    return before.count("\n"), len(before) - (before.rfind("\n") + 1)
