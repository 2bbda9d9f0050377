"""The Terraform built-in functions the front end evaluates; every other function is unknown.

Functions never touch anything outside the scanned tree: ``file()`` and ``templatefile()`` read a
file only when its real path (symlinks followed) is inside the scan; a path that leaves it is one
E9500 finding on the calling file and an unknown value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

from lexiam.terraform.hcl import plain_chunk, source_lines, split_template
from lexiam.terraform.jsontext import decode
from lexiam.terraform.nodes import Call, Template
from lexiam.terraform.tfvalues import MAX_COMBOS, MAX_LIST, MAX_STRING, choice, text_of, text_size, unk
from lexiam.values import NOVALUE, Choice, Location, RList, RMap, Value, candidates, concat

if TYPE_CHECKING:
    from lexiam.terraform.context import Evaluator

Fn = Callable[["Evaluator", list[object], Call], object]


def call(scope: Evaluator, e: Call, env: dict[str, object] | None) -> object:
    fn = FUNCTIONS.get(e.name)
    if fn is None:
        return unk(f"{e.name}()", e.loc)
    args = [scope.ev(a, env) for a in e.args]
    if e.expand and args:
        last = _one(args[-1])
        if not isinstance(last, RList):
            return unk(f"{e.name}(...) with arguments not known", e.loc)
        args = [*args[:-1], *last]
    try:
        return fn(scope, args, e)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, ArithmeticError):
        return unk(f"{e.name}() with unexpected arguments", e.loc)


def _one(node: object) -> object:
    """The single candidate of a node, or the node itself when it has several."""
    options = list(candidates(node))
    if len(options) == 1:
        return options[0]
    if not options:
        return NOVALUE
    return node


def _lift(args: list[object], loc: Location, f: Callable[[list[object]], object]) -> object:
    """Apply f to every combination of the arguments' candidates (bounded)."""
    opts = [list(candidates(a)) or [NOVALUE] for a in args]
    total = 1
    for o in opts:
        total *= len(o)
    if total > MAX_COMBOS:
        return unk("too many alternatives", loc)
    results = [f(list(combo)) for combo in product(*opts)]
    return choice(results) if results else unk("no candidates", loc)


def _joined(scope: Evaluator, pieces: list[Value], loc: Location) -> Value:
    """The pieces one after the other: bounded and charged before the string is built."""
    size = text_size(pieces)
    if size > MAX_STRING:
        return unk("a string too long to evaluate", loc)
    if not scope.ctx.spend(size, loc):
        return unk("evaluation budget exhausted", loc)
    return concat(pieces, loc)


def _list(scope: Evaluator, items: list[object], loc: Location) -> object:
    """A list a function builds: at most MAX_LIST elements, charged to the evaluation budget."""
    if len(items) > MAX_LIST:
        return unk("a list too long to evaluate", loc)
    if not scope.ctx.spend(len(items), loc):
        return unk("evaluation budget exhausted", loc)
    return RList(items, loc=loc)


def _known_texts(values: list[object]) -> list[str] | None:
    out: list[str] = []
    for v in values:
        if not isinstance(v, Value) or v.text is None:
            return None
        out.append(v.text)
    return out


# --- strings ---------------------------------------------------------------------------------------

_VERB = re.compile(r"%(?:%|([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z]))")


def fn_format(scope: Evaluator, args: list[object], e: Call) -> object:
    if not args:
        return unk("format()", e.loc)

    def one(combo: list[object]) -> object:
        fmt = combo[0]
        if not isinstance(fmt, Value) or fmt.text is None:
            return unk("format() with a format not known", e.loc)
        text = fmt.text
        pieces: list[Value] = []
        pos = 0
        argi = 1
        for m in _VERB.finditer(text):
            pieces.append(Value.of(text[pos:m.start()]))
            pos = m.end()
            if m.group(0) == "%%":
                pieces.append(Value.of("%"))
                continue
            if "[" in m.group(0) or m.group(2) == "*" or argi >= len(combo):
                return unk("format() with a verb not evaluated", e.loc)
            arg = combo[argi]
            argi += 1
            verb = m.group(4)
            if not isinstance(arg, Value):
                pieces.append(unk("format() argument", e.loc))
            elif verb in "sdv" and not m.group(2) and not m.group(3):
                pieces.append(arg)
            elif verb == "q" and arg.text is not None:
                pieces.append(Value.of(json.dumps(arg.text)))
            else:
                pieces.append(unk("format() verb", e.loc))
        pieces.append(Value.of(text[pos:]))
        return _joined(scope, pieces, e.loc)

    return _lift(args, e.loc, one)


def fn_join(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) < 2:
        return unk("join()", e.loc)

    def one(combo: list[object]) -> object:
        sep = combo[0]
        if not isinstance(sep, Value) or sep.text is None:
            return unk("join() with a separator not known", e.loc)
        pieces: list[Value] = []
        separator = Value.of(sep.text)
        for lst in combo[1:]:
            if not isinstance(lst, RList):
                return unk("join() of a list not known", e.loc)
            if len(lst) > MAX_LIST:
                return unk("join() of a list too long to evaluate", e.loc)
            for item in lst:
                item = _one(item)
                if pieces:
                    pieces.append(separator)
                pieces.append(item if isinstance(item, Value) else unk("join() item", e.loc))
        return _joined(scope, pieces, e.loc)

    return _lift(args, e.loc, one)


def _string_fn(f: Callable[..., str], arity: int, size: Callable[..., int] | None = None) -> Fn:
    """A function of known strings.  ``size`` gives the length of the result from the arguments (when it
    can exceed them: ``replace``); otherwise the result is at most a few times its arguments, which are
    bounded strings already."""
    def fn(scope: Evaluator, args: list[object], e: Call) -> object:
        if len(args) != arity:
            return unk(f"{e.name}()", e.loc)

        def one(combo: list[object]) -> object:
            texts = _known_texts(combo)
            if texts is None:
                return unk(f"{e.name}() of a value not known", e.loc)
            expected = size(*texts) if size is not None else sum(len(t) for t in texts)
            if expected > MAX_STRING:
                return unk("a string too long to evaluate", e.loc)
            if not scope.ctx.spend(expected, e.loc):
                return unk("evaluation budget exhausted", e.loc)
            result = f(*texts)
            if len(result) > MAX_STRING:
                return unk("a string too long to evaluate", e.loc)
            return Value.of(result, e.loc)

        return _lift(args, e.loc, one)

    return fn


def _replace(s: str, old: str, new: str) -> str:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise ValueError("regular expression replace is not evaluated")
    return s.replace(old, new)


def _replace_size(s: str, old: str, new: str) -> int:
    """The length of ``s.replace(old, new)``, without building it (every gap of ``s`` for an empty old)."""
    return len(s) + s.count(old) * (len(new) - len(old))


def _trim(s: str, chars: str) -> str:
    return s.strip(chars)


def fn_split(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 2:
        return unk("split()", e.loc)

    def one(combo: list[object]) -> object:
        sep, s = combo
        if not isinstance(sep, Value) or not sep.text or not isinstance(s, Value):
            return unk("split() not known", e.loc)
        if s.is_unknown and len(s.parts) == 1:
            return unk("split() of a value not known", e.loc)
        if not scope.ctx.spend(text_size([s]), e.loc):
            return unk("evaluation budget exhausted", e.loc)
        segments = s.split(sep.text)
        return _list(scope, [Value(seg, s.loc) for seg in segments], e.loc)

    return _lift(args, e.loc, one)


# --- collections -----------------------------------------------------------------------------------

def fn_identity(scope: Evaluator, args: list[object], e: Call) -> object:
    return args[0] if len(args) == 1 else unk(f"{e.name}()", e.loc)


def fn_concat(scope: Evaluator, args: list[object], e: Call) -> object:
    items: list[object] = []
    for a in args:
        a = _one(a)
        if a is NOVALUE:
            continue
        if not isinstance(a, RList):
            return unk("concat() of a list not known", e.loc)
        if len(items) + len(a) > MAX_LIST:
            return unk("a list too long to evaluate", e.loc)
        items.extend(a)
    return _list(scope, items, e.loc)


def fn_merge(scope: Evaluator, args: list[object], e: Call) -> object:
    def one(combo: list[object]) -> object:
        out = RMap(loc=e.loc)
        for m in combo:
            if m is NOVALUE:
                continue
            if not isinstance(m, RMap):
                return unk("merge() of a map not known", e.loc)
            for k, v in m.items():
                out[k] = v
                out.key_locs[k] = m.key_locs.get(k, m.loc or e.loc)
        return out

    return _lift(args, e.loc, one)


def fn_lookup(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) not in (2, 3):
        return unk("lookup()", e.loc)
    m = _one(args[0])
    key = text_of(args[1])
    default = args[2] if len(args) == 3 else None
    if not isinstance(m, RMap):
        return unk("lookup() in a map not known", e.loc)
    if key is not None:
        if key in m:
            return m[key]
        return default if default is not None else unk(f"lookup() of a missing key {key}", e.loc)
    options = list(m.values()) + ([default] if default is not None else [])
    if 0 < len(options) <= MAX_COMBOS:
        return choice(options)
    return unk("lookup() with a key not known", e.loc)


def fn_element(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 2:
        return unk("element()", e.loc)
    lst = _one(args[0])
    index = text_of(args[1])
    if not isinstance(lst, RList) or not lst:
        return unk("element() of a list not known", e.loc)
    if index is not None and re.fullmatch(r"\d+", index):
        return lst[int(index) % len(lst)]
    return choice(list(lst)) if len(lst) <= MAX_COMBOS else unk("element() index not known", e.loc)


def fn_coalesce(scope: Evaluator, args: list[object], e: Call) -> object:
    for a in args:
        options = list(candidates(a))
        if not options:
            continue
        if len(options) == 1 and isinstance(options[0], Value) and options[0].text == "":
            continue
        return a
    return unk("coalesce() with no value", e.loc)


def fn_coalescelist(scope: Evaluator, args: list[object], e: Call) -> object:
    for a in args:
        a1 = _one(a)
        if isinstance(a1, RList) and not a1:
            continue
        if a1 is NOVALUE:
            continue
        return a
    return RList(loc=e.loc)


def fn_compact(scope: Evaluator, args: list[object], e: Call) -> object:
    lst = _one(args[0]) if len(args) == 1 else None
    if not isinstance(lst, RList):
        return unk("compact() of a list not known", e.loc)
    return RList([x for x in lst if not (isinstance(x, Value) and x.text == "") and x is not NOVALUE], loc=lst.loc)


def fn_distinct(scope: Evaluator, args: list[object], e: Call) -> object:
    lst = _one(args[0]) if len(args) == 1 else None
    if not isinstance(lst, RList):
        return unk("distinct() of a list not known", e.loc)
    if not scope.ctx.spend(text_size([x for x in lst if isinstance(x, Value)], MAX_STRING * len(lst)), e.loc):
        return unk("evaluation budget exhausted", e.loc)
    seen: set[str] = set()
    out = RList(loc=lst.loc)
    for x in lst:
        key = x.render() if isinstance(x, Value) else repr(id(x))
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def fn_flatten(scope: Evaluator, args: list[object], e: Call) -> object:
    lst = _one(args[0]) if len(args) == 1 else None
    if not isinstance(lst, RList):
        return unk("flatten() of a list not known", e.loc)
    out: list[object] = []

    def walk(node: RList, depth: int) -> bool:
        for x in node:
            x1 = _one(x)
            if isinstance(x1, RList) and depth < 16:
                if not walk(x1, depth + 1):
                    return False
            elif len(out) >= MAX_LIST:  # a list of shared lists, nested: its flattening grows exponentially
                return False
            else:
                out.append(x)
        return True

    if not walk(lst, 0):
        return unk("a list too long to evaluate", e.loc)
    return _list(scope, out, lst.loc or e.loc)


def fn_setunion(scope: Evaluator, args: list[object], e: Call) -> object:
    return fn_distinct(scope, [fn_concat(scope, args, e)], e)


def fn_values(scope: Evaluator, args: list[object], e: Call) -> object:
    m = _one(args[0]) if len(args) == 1 else None
    if not isinstance(m, RMap):
        return unk("values() of a map not known", e.loc)
    return RList(list(m.values()), loc=e.loc)


def fn_keys(scope: Evaluator, args: list[object], e: Call) -> object:
    m = _one(args[0]) if len(args) == 1 else None
    if not isinstance(m, RMap):
        return unk("keys() of a map not known", e.loc)
    return RList([Value.of(k, m.key_locs.get(k, m.loc)) for k in m], loc=e.loc)


def fn_one(scope: Evaluator, args: list[object], e: Call) -> object:
    lst = _one(args[0]) if len(args) == 1 else None
    if isinstance(lst, RList):
        if not lst:
            return NOVALUE
        if len(lst) == 1:
            return lst[0]
    return unk("one() of a list not known", e.loc)


def fn_length(scope: Evaluator, args: list[object], e: Call) -> object:
    x = _one(args[0]) if len(args) == 1 else None
    if isinstance(x, (RList, RMap)):
        return Value.of(len(x), e.loc)
    if isinstance(x, Value) and x.text is not None:
        return Value.of(len(x.text), e.loc)
    return unk("length() not known", e.loc)


def fn_zipmap(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 2:
        return unk("zipmap()", e.loc)
    keys, vals = _one(args[0]), _one(args[1])
    if not isinstance(keys, RList) or not isinstance(vals, RList) or len(keys) != len(vals):
        return unk("zipmap() not known", e.loc)
    out = RMap(loc=e.loc)
    for k, v in zip(keys, vals):
        text = text_of(k)
        if text is None:
            return unk("zipmap() with a key not known", e.loc)
        out[text] = v
        out.key_locs[text] = getattr(k, "loc", None) or e.loc
    return out


def fn_reverse(scope: Evaluator, args: list[object], e: Call) -> object:
    lst = _one(args[0]) if len(args) == 1 else None
    if not isinstance(lst, RList):
        return unk("reverse() not known", e.loc)
    return RList(list(reversed(lst)), loc=lst.loc)


def fn_try(scope: Evaluator, args: list[object], e: Call) -> object:
    for a in args:
        if isinstance(a, Value) and a.is_unknown and len(a.parts) == 1:
            continue
        return a
    return args[-1] if args else unk("try()", e.loc)


# --- JSON ------------------------------------------------------------------------------------------

def fn_jsonencode(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 1:
        return unk("jsonencode()", e.loc)

    def one(combo: list[object]) -> object:
        x = combo[0]
        if isinstance(x, (RMap, RList)):
            return x  # a policy consumer reads the structure; positions stay on the HCL values
        if isinstance(x, Value) and x.text is not None:
            if not scope.ctx.spend(len(x.text), e.loc):
                return unk("evaluation budget exhausted", e.loc)
            return Value.of(json.dumps(x.text), x.loc or e.loc)
        if x is NOVALUE:
            return Value.of("null", e.loc)
        return unk("jsonencode() of a value not known", e.loc)

    return _lift(args, e.loc, one)


def fn_jsondecode(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 1:
        return unk("jsondecode()", e.loc)

    def one(combo: list[object]) -> object:
        x = combo[0]
        if not isinstance(x, Value):
            return unk("jsondecode() of a value not known", e.loc)
        node = decode(scope.ctx, x)
        return node if node is not None else unk("jsondecode() of text that is not JSON", e.loc)

    return _lift(args, e.loc, one)


# --- files -----------------------------------------------------------------------------------------

def read_in_tree(scope: Evaluator, raw: object, e: Call) -> Value | None:
    """The text of a file named by a template, when it lies inside the scanned tree."""
    ctx = scope.ctx
    name = text_of(raw)
    if name is None:
        return None
    try:
        path = Path(name)
        if not path.is_absolute():
            path = scope.root_folder / path
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not ctx.inside(real):
        ctx.input_error(f"{e.name}({name!r}) names a file outside the scanned tree; it was not read", e.loc)
        return None
    try:
        if not real.is_file() or real.stat().st_size > ctx.options.max_file_bytes:
            return None
        text = real.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    rel = ctx.rel_of(real)
    lines = source_lines(text)
    ctx.lines.setdefault(rel, lines)
    end_line = max(len(lines), 1)
    end_col = (len(lines[-1]) + 1) if lines else 1
    loc = Location(rel, 1, 1, end_line, end_col)
    value = Value.of(text, loc)
    ctx.remember(value, plain_chunk(text, 1, 1).segs)
    return value


def fn_file(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 1:
        return unk("file()", e.loc)
    value = read_in_tree(scope, args[0], e)
    return value if value is not None else unk("file() not read", e.loc)


def fn_templatefile(scope: Evaluator, args: list[object], e: Call) -> object:
    if len(args) != 2:
        return unk("templatefile()", e.loc)
    value = read_in_tree(scope, args[0], e)
    if value is None or value.loc is None or value.text is None:
        return unk("templatefile() not read", e.loc)
    text = value.text
    loc = value.loc
    lines = scope.ctx.lines.get(loc.file)
    chunk = plain_chunk(text, 1, 1)
    parts = split_template(chunk, loc.file, lines) if ("${" in text or "%{" in text) else [chunk]
    env: dict[str, object] = {}
    variables = _one(args[1])
    if isinstance(variables, RMap):
        env.update(variables)
    return scope.template_scope().ev(Template(loc, parts, heredoc=True), env)


FUNCTIONS: dict[str, Fn] = {
    "format": fn_format,
    "join": fn_join,
    "concat": fn_concat,
    "merge": fn_merge,
    "lookup": fn_lookup,
    "element": fn_element,
    "coalesce": fn_coalesce,
    "coalescelist": fn_coalescelist,
    "compact": fn_compact,
    "distinct": fn_distinct,
    "flatten": fn_flatten,
    "setunion": fn_setunion,
    "values": fn_values,
    "keys": fn_keys,
    "one": fn_one,
    "length": fn_length,
    "zipmap": fn_zipmap,
    "reverse": fn_reverse,
    "try": fn_try,
    "split": fn_split,
    "replace": _string_fn(_replace, 3, _replace_size),
    "lower": _string_fn(str.lower, 1),
    "upper": _string_fn(str.upper, 1),
    "trimspace": _string_fn(str.strip, 1),
    "chomp": _string_fn(lambda s: s.rstrip("\r\n"), 1),
    "trimprefix": _string_fn(lambda s, p: s[len(p):] if p and s.startswith(p) else s, 2),
    "trimsuffix": _string_fn(lambda s, p: s[: -len(p)] if p and s.endswith(p) else s, 2),
    "trim": _string_fn(_trim, 2),
    "jsonencode": fn_jsonencode,
    "jsondecode": fn_jsondecode,
    "file": fn_file,
    "templatefile": fn_templatefile,
    "tolist": fn_identity,
    "toset": fn_identity,
    "tomap": fn_identity,
    "tostring": fn_identity,
    "tonumber": fn_identity,
    "tobool": fn_identity,
    "sensitive": fn_identity,
    "nonsensitive": fn_identity,
}

__all__ = ["call", "FUNCTIONS", "Choice"]
