"""Helpers on the three-valued values of :mod:`lexiam.values`, as the Terraform evaluator builds them,
and the bounds of its work.

Nothing here evaluates an expression: these are the small operations every part of the front end (the
evaluator, the built-in functions, policy documents, plans) applies to values already built.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lexiam.values import Choice, Location, Part, RList, RMap, Symbol, Value, candidates, unknown

MAX_STEPS = 1_000_000  # expression evaluations per scan unit
MAX_STEPS_PER_RESOURCE = 100_000  # ... and per resource, so one hostile resource cannot starve the others
MAX_EVAL_DEPTH = 150  # nested evaluations (references of references of ...)
MAX_COMBOS = 16  # alternatives a string template or function may fan out to
MAX_ITEMS = 256  # elements a for expression / dynamic block iterates over
MAX_MODULE_DEPTH = 8
MAX_MODULE_INSTANCES = 256
MAX_STRING = 1_000_000  # characters of one evaluated string
MAX_LIST = 65_536  # elements of one list a function builds (concat, flatten...)
# What evaluation may build, in characters of strings and elements of lists (JSON text parsed counts as
# built): per scan unit, and per resource so that one hostile resource cannot starve the others.  Every
# string, list and decoded JSON is charged before it is built; past a budget the value is unknown.
MAX_BUILT = 16_000_000
MAX_BUILT_PER_RESOURCE = 4_000_000

Thunk = Callable[[], object]


def unk(reason: str, loc: Location | None = None) -> Value:
    return Value((unknown(reason),), loc)


SYMBOL_SIZE = 12  # what a symbol part counts for in a string's size (its placeholder, @@lexiam0@@)


def text_size(values: list[Value], limit: int = MAX_STRING) -> int:
    """The characters the parts of ``values`` hold together (a symbol as SYMBOL_SIZE), counted up to just
    past ``limit`` (so that a join of a hundred thousand long strings is refused after the first few)."""
    size = 0
    for v in values:
        for p in v.parts:
            size += len(p) if isinstance(p, str) else SYMBOL_SIZE
        if size > limit:
            break
    return size


def choice(options: list[object]) -> object:
    """A Choice of the options (nested choices flattened, identical values merged)."""
    flat: list[object] = []
    for o in options:
        items = list(o) if isinstance(o, Choice) else [o]
        for item in items:
            if isinstance(item, Value) and any(isinstance(f, Value) and f == item for f in flat):
                continue
            flat.append(item)
    if len(flat) == 1:
        return flat[0]
    return Choice(tuple(flat))


def first_value(node: object) -> Value | None:
    """The most informative scalar candidate of a node: known, else symbolic, else unknown; None if absent."""
    options = list(candidates(node))
    if not options:
        return None
    values = [o for o in options if isinstance(o, Value)]
    for v in values:
        if v.is_known:
            return v
    for v in values:
        if not v.is_unknown:
            return v
    if values:
        return values[0]
    first = options[0]
    return unk("not a string", getattr(first, "loc", None))


def text_of(node: object) -> str | None:
    """The known text of a node with one candidate."""
    options = list(candidates(node))
    if len(options) == 1 and isinstance(options[0], Value):
        return options[0].text
    return None


def rendered(value: Value) -> str:
    """The text of a value with its symbols as numbered placeholders (the key of its source map)."""
    out: list[str] = []
    n = 0
    for p in value.parts:
        if isinstance(p, Symbol):
            out.append(f"@@lexiam{n}@@")
            n += 1
        else:
            out.append(p)
    return "".join(out)


def append_text(parts: list[Part], text: str) -> None:
    """Add text to the parts of a value being built (merged into a text part before it)."""
    if not text:
        return
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1] + text
    else:
        parts.append(text)


def relocated(node: object, loc: Location) -> object:
    """A value given without a position (a --var on the command line) takes the reference's."""
    if isinstance(node, Value) and node.loc is None:
        return node.with_loc(loc)
    return node


def scalar_options(node: object, loc: Location | None) -> list[Value]:
    """The candidate strings of a node that is interpolated into a string."""
    out: list[Value] = []
    for c in candidates(node):
        if isinstance(c, Value):
            out.append(c)
        else:
            out.append(unk("a collection in a string", loc))
    if not out:
        out.append(unk("null in a string", loc))
    return out


def iterate(coll: RList | RMap) -> list[tuple[Value, object]] | None:
    """(key, element) of a known collection (list index or map key); None past MAX_ITEMS."""
    if len(coll) > MAX_ITEMS:
        return None
    if isinstance(coll, RList):
        return [(Value.of(i, coll.loc), item) for i, item in enumerate(coll)]
    return [(Value.of(k, coll.key_locs.get(k, coll.loc)), v) for k, v in coll.items()]


class Lazy:
    """An object whose attributes are evaluated when one is asked for (a resource, a data source or a
    module instance: ``aws_iam_role.bot["a"]``, ``module.bot[0]``).  It is no map, list or string: what
    reads values as those (a function, a policy, a string template) takes it as a value not known."""

    __slots__ = ()

    def attr(self, key: str, loc: Location) -> object:  # pragma: no cover - interface
        raise NotImplementedError


def get_attr(node: object, key: str, loc: Location) -> object:
    """``node.key``."""
    if isinstance(node, Lazy):
        return node.attr(key, loc)
    if isinstance(node, RMap):
        if key in node:
            return node[key]
        return unk(f"no attribute {key}", loc)
    if isinstance(node, Value) and node.is_unknown:
        return unk(f"{node.render()}.{key}", loc)
    if isinstance(node, Value) and node.symbols:
        sym = node.symbols[0]
        return unk(f"{sym.name}.{key}", loc)
    return unk(f"attribute {key} of a value that has none", loc)


def get_index(node: object, index: object, loc: Location) -> object:
    """``node[index]``: an index not known makes every element a candidate (a few of them), except among
    the instances of a block (``aws_x.y[each.key]`` where each is not known): which one is not known."""
    key = text_of(index)
    if key is None and isinstance(node, (RList, RMap)) and node and all(
            isinstance(x, Lazy) for x in (node.values() if isinstance(node, RMap) else node)):
        return unk("an instance not known", loc)
    if isinstance(node, RList):
        if key is not None and re.fullmatch(r"-?\d+", key):
            i = int(key)
            if 0 <= i < len(node):
                return node[i]
            return unk("index out of range", loc)
        if 0 < len(node) <= MAX_COMBOS:
            return choice(list(node))  # an index not known: every element is a candidate
        return unk("an index not known", loc)
    if isinstance(node, RMap):
        if key is not None:
            if key in node:
                return node[key]
            return unk(f"no key {key}", loc)
        if 0 < len(node) <= MAX_COMBOS:
            return choice(list(node.values()))
        return unk("a key not known", loc)
    return unk("an index into a value not known", loc)
