"""The syntax tree the fix package edits: every node with the offsets of its text.

One node class for the three syntaxes.  YAML (and JSON, which the CloudFormation front end reads as YAML,
and JSON policy text inside a string) is read here from libyaml's parser events: nothing is constructed,
a node keeps its tag, anchor and style, and its offsets are libyaml's character offsets.  HCL nodes come
from :mod:`lexiam.fix.hcl`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from lexiam.fix.text import FixError

try:  # pragma: no cover - depends on the build of PyYAML
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_DEPTH = 512

STR, SEQ, MAP, EXPR = "str", "seq", "map", "expr"


@dataclass(eq=False)
class Node:
    """A node of a file (or of JSON text inside a string).

    ``kind`` is STR (a string as written: quoted or plain scalar, HCL string or heredoc), SEQ (a list),
    MAP (a mapping or object) or EXPR (anything else: a number, a reference, a function call, an alias).
    ``start``/``end`` span the node's text, a YAML node's tag and anchor included; for a STR node,
    ``inner`` spans what is inside its quotes (after its tag).  ``value`` is a STR node's decoded text
    (None when it is built from expressions, as an HCL ``"${x}y"``).
    """

    kind: str
    start: int
    end: int
    parent: Node | None = None
    items: list[Node] = field(default_factory=list)  # list items, mapping values, sub-expressions
    keys: list[str | None] = field(default_factory=list)  # a mapping's keys, beside its values
    value: str | None = None
    style: str = ""  # STR: "plain" "'" '"' "|" ">" "hcl" "heredoc"; SEQ: "flow" "block"; MAP: "flow" "block"
    inner: tuple[int, int] = (0, 0)
    tag: str | None = None
    anchor: bool = False  # a YAML anchor: the value may be used elsewhere through an alias
    extra: object = None  # the front end's node where a layer needs it (an HCL Template)

    def key(self) -> str | None:
        """The key this node is the value of, in its parent mapping."""
        p = self.parent
        if p is None or p.kind != MAP:
            return None
        for k, v in zip(p.keys, p.items):
            if v is self:
                return k
        return None

    def index(self) -> int:
        assert self.parent is not None
        return next(i for i, n in enumerate(self.parent.items) if n is self)

    def walk(self):  # noqa: ANN201 - iterator of nodes, this one first
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.items))


_STYLES = {None: "plain", "": "plain", "'": "'", '"': '"', "|": "|", ">": ">"}


def yaml_tree(text: str) -> Node:
    """The tree of one YAML or JSON document; FixError when it does not parse."""
    loader = _Loader(text)
    stack: list[Node] = []
    root: Node | None = None

    def add(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        top = stack[-1]
        node.parent = top
        if top.kind == MAP and len(top.keys) == len(top.items):  # a key
            if node.value is None or node.items:
                raise FixError("a mapping key that is not a scalar")
            top.keys.append(node.value)
            return
        top.items.append(node)

    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.ScalarEvent):
                s, e = event.start_mark.index, event.end_mark.index
                plain_str = event.style in (None, "") and event.implicit[0]
                node = Node(STR, s, e, value=event.value, style=_STYLES.get(event.style, "plain"),
                            tag=event.tag if event.tag not in (None, "!") else None, anchor=event.anchor is not None)
                if plain_str and _resolves_to_other(event.value):
                    node.kind = EXPR  # a number, bool or null written plain
                node.inner = (_after_properties(text, s, e), e)
                if node.style in ('"', "'"):
                    node.inner = (node.inner[0] + 1, e - 1)
                add(node)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if stack and stack[-1].kind == MAP and len(stack[-1].keys) == len(stack[-1].items):
                    raise FixError("a mapping key that is not a scalar")
                if len(stack) >= MAX_DEPTH:
                    raise FixError("the file nests too deeply to edit")
                kind = SEQ if isinstance(event, yaml.SequenceStartEvent) else MAP
                node = Node(kind, event.start_mark.index, event.end_mark.index,
                            style="flow" if event.flow_style else "block",
                            tag=event.tag if event.tag not in (None, "!") else None, anchor=event.anchor is not None)
                add(node)
                stack.append(node)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                node = stack.pop()
                if node.style == "flow":
                    node.end = event.end_mark.index
                else:  # a block collection ends where its last content does (libyaml marks the next token)
                    node.end = max((c.end for c in node.items), default=node.start)
            elif isinstance(event, yaml.AliasEvent):
                add(Node(EXPR, event.start_mark.index, event.end_mark.index, tag="alias"))
    except yaml.YAMLError as exc:
        raise FixError(f"the text does not parse as YAML or JSON: {str(exc).splitlines()[0]}") from None
    finally:
        loader.dispose()
    if root is None:
        raise FixError("the text is empty")
    return root


def _after_properties(text: str, start: int, end: int) -> int:
    """The offset of a scalar's text after its tag and anchor (``!Sub "x"`` -> the quote)."""
    i = start
    while i < end and text[i] in "!&":
        while i < end and not text[i].isspace():
            i += 1
        while i < end and text[i] in " \t\r\n":
            i += 1
    return i


_RESOLVER = yaml.resolver.Resolver()


def _resolves_to_other(value: str) -> bool:
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    return tag != "tag:yaml.org,2002:str"


def find_span(root: Node, start: int, end: int) -> list[Node]:
    """The nodes whose text is exactly [start, end), outermost first."""
    out = []
    for node in root.walk():
        if node.start == start and node.end == end:
            out.append(node)
    return out


def innermost_str(root: Node, start: int, end: int) -> Node | None:
    """The innermost string node whose text holds [start, end) strictly inside its quotes or markers."""
    best: Node | None = None
    node: Node | None = root
    while node is not None:
        inside = next((c for c in node.items if c.start <= start and end <= c.end), None)
        if node.kind == STR and node.inner[0] <= start and end <= node.inner[1]:
            best = node
        node = inside
    return best


def ancestors(node: Node) -> list[Node]:
    out = []
    p = node.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out
