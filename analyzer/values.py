"""Three-valued template values.

A value that came out of a template is a sequence of *parts*: known text, or a :class:`Symbol` that
stands for something only known at deploy time (the deploying account, the region, a resource's
ID) or not known at all (a parameter without a default, a module input).  Rules reason with these:

* ``known``: every part is text.
* ``symbolic``: some parts are deploy-time symbols of a known kind; ``${AWS::AccountId}`` and
  ``data.aws_caller_identity.x.account_id`` are both the deploying account and compare equal.
* ``unknown``: at least one part is :data:`UNKNOWN`-kind; such a value never produces a finding on
  its own.

Structured data (maps, lists) that a front end resolved is held in :class:`RMap` / :class:`RList`,
which carry the :class:`Location` of the node they came from.  Where a template offers alternatives
(``Fn::If``, a Terraform conditional) the front end yields a :class:`Choice`; every option is a
candidate value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# Symbol kinds
ACCOUNT = "account"  # the deploying account
REGION = "region"  # the deploying region
PARTITION = "partition"
URL_SUFFIX = "urlsuffix"
STACK = "stack"  # stack name/ID, workspace, ...
RESOURCE = "resource"  # an attribute of a resource declared in the same unit
UNKNOWN = "unknown"

SELF_KINDS = frozenset({ACCOUNT, REGION, PARTITION, URL_SUFFIX})


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value stands in a file: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def covers(self, other: Location) -> bool:
        """Whether ``other`` starts within this span (its end included; a span without an end is its
        start).  The file is not compared."""
        end = (self.end_line, self.end_column) if self.end_line else (self.line, self.column)
        return (self.line, self.column) <= (other.line, other.column) <= end

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
        }


@dataclass(frozen=True, slots=True)
class Symbol:
    """A part of a value known only at deploy time, or not at all.

    ``name`` is how the template wrote it (``AWS::AccountId``, ``var.bot_id``, a logical ID);
    for RESOURCE symbols ``address`` is the resource's logical ID / Terraform address, ``entity``
    the IaC-neutral entity kind (``lex_bot``, ``iam_role``...) and ``attr`` the attribute.
    """

    kind: str
    name: str = ""
    address: str = ""
    entity: str = ""
    attr: str = ""

    def render(self) -> str:
        return "${" + (self.name or self.kind) + "}"


Part = str | Symbol


def unknown(reason: str) -> Symbol:
    return Symbol(UNKNOWN, reason)


@dataclass(frozen=True, slots=True)
class Value:
    """A scalar from a template: its parts and where it was written."""

    parts: tuple[Part, ...]
    loc: Location | None = None

    @staticmethod
    def of(text: object, loc: Location | None = None) -> Value:
        if isinstance(text, bool):
            text = "true" if text else "false"
        return Value((str(text),) if text != "" else (), loc)

    @property
    def text(self) -> str | None:
        """The text when every part is known, else None."""
        if all(isinstance(p, str) for p in self.parts):
            return "".join(self.parts)  # type: ignore[arg-type]
        return None

    @property
    def is_known(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    @property
    def is_unknown(self) -> bool:
        return any(isinstance(p, Symbol) and p.kind == UNKNOWN for p in self.parts)

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        return tuple(p for p in self.parts if isinstance(p, Symbol))

    def render(self) -> str:
        return "".join(p if isinstance(p, str) else p.render() for p in self.parts)

    def split(self, sep: str) -> list[tuple[Part, ...]]:
        """Split on ``sep`` occurring in known text; symbols stay inside their segment."""
        out: list[list[Part]] = [[]]
        for p in self.parts:
            if isinstance(p, Symbol):
                out[-1].append(p)
                continue
            pieces = p.split(sep)
            for i, piece in enumerate(pieces):
                if i:
                    out.append([])
                if piece:
                    out[-1].append(piece)
        return [tuple(seg) for seg in out]

    def with_loc(self, loc: Location | None) -> Value:
        return Value(self.parts, loc)


def concat(values: list[Value], loc: Location | None = None, limit: int | None = None) -> Value:
    """The values one after the other (adjacent text merged, in linear time: a template can join
    100,000 pieces).  With ``limit``, text longer than that many characters is an unknown value: a few
    nested ``Fn::Sub`` multiply lengths, and an unknown never produces a finding."""
    parts: list[Part] = []
    run: list[str] = []
    size = 0
    for v in values:
        for p in v.parts:
            if isinstance(p, str):
                run.append(p)
                size += len(p)
            else:
                if run:
                    parts.append("".join(run))
                    run = []
                parts.append(p)
        if limit is not None and size > limit:
            return Value((unknown(f"a value longer than {limit} characters"),), loc)
    if run:
        parts.append("".join(run))
    return Value(tuple(p for p in parts if p != ""), loc)


def segment_text(seg: tuple[Part, ...]) -> str | None:
    if all(isinstance(p, str) for p in seg):
        return "".join(seg)  # type: ignore[arg-type]
    return None


def segment_symbol(seg: tuple[Part, ...]) -> Symbol | None:
    """The symbol when a segment is exactly one symbol."""
    if len(seg) == 1 and isinstance(seg[0], Symbol):
        return seg[0]
    return None


class RMap(dict):  # type: ignore[type-arg]
    """A resolved mapping with the location of its node (and of each key)."""

    __slots__ = ("loc", "key_locs")

    def __init__(self, *args: object, loc: Location | None = None, **kw: object) -> None:
        super().__init__(*args, **kw)
        self.loc = loc
        self.key_locs: dict[str, Location] = {}


class RList(list):  # type: ignore[type-arg]
    """A resolved sequence with the location of its node."""

    __slots__ = ("loc",)

    def __init__(self, *args: object, loc: Location | None = None) -> None:
        super().__init__(*args)
        self.loc = loc


class Choice(tuple):  # type: ignore[type-arg]
    """Alternatives (Fn::If, a conditional): each option is a candidate."""

    __slots__ = ()


class _NoValue:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NoValue"


NOVALUE = _NoValue()

Node = RMap | RList | Value | Choice | _NoValue


def candidates(node: object) -> Iterator[object]:
    """Every non-choice candidate of a resolved node (NoValue dropped)."""
    if isinstance(node, Choice):
        for option in node:
            yield from candidates(option)
    elif node is not NOVALUE and node is not None:
        yield node


def scalars(node: object) -> Iterator[Value]:
    """Every scalar candidate of a node that should be a string or a list of strings."""
    for c in candidates(node):
        if isinstance(c, Value):
            yield c
        elif isinstance(c, RList):
            for item in c:
                for v in candidates(item):
                    if isinstance(v, Value):
                        yield v


def loc_of(node: object) -> Location | None:
    if isinstance(node, (Value, RMap, RList)):
        return node.loc
    if isinstance(node, Choice):
        for option in node:
            loc = loc_of(option)
            if loc:
                return loc
    return None


def same(a: Part | tuple[Part, ...] | None, b: Part | tuple[Part, ...] | None,
         pins: dict[str, str] | None = None) -> bool | None:
    """Tri-state equality of two ARN segments: True, False, or None when it cannot be known.

    Deploy-time self symbols (account, region, partition) are equal to each other whatever the
    front end called them; ``pins`` maps a self kind to a known value (``--account-id``).
    """
    sa = _norm(a, pins)
    sb = _norm(b, pins)
    if sa is None or sb is None:
        return None
    if isinstance(sa, str) and isinstance(sb, str):
        return sa == sb
    if isinstance(sa, Symbol) and isinstance(sb, Symbol):
        if sa.kind in SELF_KINDS and sb.kind in SELF_KINDS:
            return sa.kind == sb.kind or None
        if sa.kind == RESOURCE and sb.kind == RESOURCE and sa.address and sb.address:
            if sa.address == sb.address:
                return True if _id_attr(sa.attr) and _id_attr(sb.attr) or sa.attr == sb.attr else None
            # two resources of one unit with the same kind never share an ID or a name
            return False if sa.entity and sa.entity == sb.entity and sa.attr == sb.attr else None
    return None


_ID_ATTRS = frozenset({"id", "botid", "bot_id", "botaliasid", "bot_alias_id", "ref"})


def _id_attr(attr: str) -> bool:
    return attr.lower() in _ID_ATTRS


def _norm(x: Part | tuple[Part, ...] | None, pins: dict[str, str] | None) -> str | Symbol | None:
    if x is None:
        return None
    if isinstance(x, tuple):
        if len(x) == 0:
            return ""
        if len(x) == 1:
            x = x[0]
        else:
            text = segment_text(x)
            return text
    if isinstance(x, Symbol):
        if x.kind == UNKNOWN:
            return None
        if pins and x.kind in pins:
            return pins[x.kind]
        if x.kind in SELF_KINDS or x.kind == RESOURCE:
            return x
        return None
    return x
