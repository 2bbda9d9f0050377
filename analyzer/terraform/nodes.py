"""The expression tree the Terraform front end evaluates.

python-hcl2's raw Lark parse tree (``hcl2.parses_to_tree``) is turned into these small nodes by
:mod:`lexiam.terraform.hcl`; every node carries the :class:`~lexiam.values.Location` of the
source text it was written as, so a value found to be wrong points at itself.  Keeping our own tree
decouples the evaluator from the grammar's rule names (one file to adapt when python-hcl2 changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lexiam.values import Location

# A piece of literal text and where each character came from: ``segs`` is a list of
# (offset in text, line, column) starting points; a character at offset o maps to the last
# segment with offset <= o, at column seg.column + (o - seg.offset).
Seg = tuple[int, int, int]


@dataclass(slots=True)
class Chunk:
    text: str
    segs: list[Seg]


class Expr:
    __slots__ = ("loc",)

    def __init__(self, loc: Location) -> None:
        self.loc = loc


class Literal(Expr):
    """A number, bool or null (strings are :class:`Template`)."""

    __slots__ = ("value", "kind")

    def __init__(self, loc: Location, value: str | None, kind: str) -> None:
        super().__init__(loc)
        self.value = value
        self.kind = kind  # "num" | "bool" | "null"


class Directive(Expr):
    """A template directive (``%{if}``, ``%{for}``): its outcome is not decided."""

    __slots__ = ("text",)

    def __init__(self, loc: Location, text: str) -> None:
        super().__init__(loc)
        self.text = text


class Template(Expr):
    """A quoted string or heredoc: literal chunks and interpolated expressions."""

    __slots__ = ("parts", "heredoc")

    def __init__(self, loc: Location, parts: list[Chunk | Expr], heredoc: bool = False) -> None:
        super().__init__(loc)
        self.parts = parts
        self.heredoc = heredoc


class TupleExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, loc: Location, items: list[Expr]) -> None:
        super().__init__(loc)
        self.items = items


class ObjectItem:
    __slots__ = ("key", "bare", "value", "key_loc")

    def __init__(self, key: Expr | None, bare: str | None, value: Expr, key_loc: Location) -> None:
        self.key = key  # an expression key ("k", (var.x)), or None when the key is a bare name
        self.bare = bare  # a bare identifier key: its text, never a reference
        self.value = value
        self.key_loc = key_loc


class ObjectExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, loc: Location, items: list[ObjectItem]) -> None:
        super().__init__(loc)
        self.items = items


class Name(Expr):
    """A bare identifier (``var``, ``aws_iam_role``, a for-expression variable)."""

    __slots__ = ("name",)

    def __init__(self, loc: Location, name: str) -> None:
        super().__init__(loc)
        self.name = name


# Steps of a traversal: ("attr", name) | ("index", Expr) | ("splat", None)
Step = tuple[str, object]


class Access(Expr):
    """``base.attr``, ``base[index]``, ``base[*].x``, ``base.*.x``, flattened into steps."""

    __slots__ = ("base", "steps")

    def __init__(self, loc: Location, base: Expr, steps: list[Step]) -> None:
        super().__init__(loc)
        self.base = base
        self.steps = steps


class Call(Expr):
    __slots__ = ("name", "args", "expand")

    def __init__(self, loc: Location, name: str, args: list[Expr], expand: bool) -> None:
        super().__init__(loc)
        self.name = name
        self.args = args
        self.expand = expand


class Cond(Expr):
    __slots__ = ("cond", "then", "other")

    def __init__(self, loc: Location, cond: Expr, then: Expr, other: Expr) -> None:
        super().__init__(loc)
        self.cond = cond
        self.then = then
        self.other = other


class Op(Expr):
    """A unary or binary operation: only ``-number`` is evaluated, the rest is unknown."""

    __slots__ = ("op", "operands")

    def __init__(self, loc: Location, op: str, operands: list[Expr]) -> None:
        super().__init__(loc)
        self.op = op
        self.operands = operands


class ForExpr(Expr):
    __slots__ = ("key_var", "value_var", "collection", "key", "value", "cond", "is_object", "grouping")

    def __init__(self, loc: Location, key_var: str | None, value_var: str, collection: Expr, key: Expr | None,
                 value: Expr, cond: Expr | None, is_object: bool, grouping: bool) -> None:
        super().__init__(loc)
        self.key_var = key_var
        self.value_var = value_var
        self.collection = collection
        self.key = key
        self.value = value
        self.cond = cond
        self.is_object = is_object
        self.grouping = grouping


class Bad(Expr):
    """Something the converter could not make sense of: evaluates to unknown."""

    __slots__ = ("reason",)

    def __init__(self, loc: Location, reason: str) -> None:
        super().__init__(loc)
        self.reason = reason


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    loc: Location  # the whole ``name = value``
    name_loc: Location


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    loc: Location  # from the block type to the closing brace
    file: str = ""  # the report path of the file the block is written in


@dataclass(slots=True)
class Body:
    attrs: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(slots=True)
class Comment:
    line: int
    column: int
    text: str
    own_line: bool  # nothing but whitespace before it on its line
    end_line: int = 0
