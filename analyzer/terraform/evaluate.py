"""Evaluate Terraform expressions into three-valued values (:mod:`lexiam.values`).

A :class:`Scope` is one module instance: the root module of a scanned folder, or a local child
module reached through a ``module`` block (its entities get ``module.<name>.`` addresses).  What a
value cannot be known from the configuration becomes an ``unknown`` symbol; what is only known at
deploy time becomes a typed symbol (the deploying account, a resource's ID or ARN).  Conditionals
yield a :class:`~lexiam.values.Choice` of both branches.  Work is bounded: a step budget per scan
unit, a nesting depth, caps on combinations and iterations; a cycle evaluates to unknown.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lexiam import arns
from lexiam.model import input_error
from lexiam.terraform import types as tft
from lexiam.terraform.hcl import HclError, ParsedFile, parse_file
from lexiam.terraform.nodes import (
    Access,
    Attribute,
    Bad,
    Block,
    Body,
    Call,
    Chunk,
    Cond,
    Directive,
    Expr,
    ForExpr,
    Literal,
    Name,
    ObjectExpr,
    Op,
    Seg,
    Step,
    Template,
    TupleExpr,
)
from lexiam.values import (
    NOVALUE,
    STACK,
    Choice,
    Location,
    Part,
    RList,
    RMap,
    Symbol,
    Value,
    candidates,
    unknown,
)

if TYPE_CHECKING:
    from lexiam.contract import Options
    from lexiam.model import Finding

MAX_STEPS = 1_000_000  # expression evaluations per scan unit
MAX_STEPS_PER_RESOURCE = 100_000  # ... and per resource, so one hostile resource cannot starve the others
MAX_EVAL_DEPTH = 150  # nested evaluations (references of references of ...)
MAX_COMBOS = 16  # alternatives a string template or function may fan out to
MAX_ITEMS = 256  # elements a for expression / dynamic block iterates over
MAX_MODULE_DEPTH = 8
MAX_MODULE_INSTANCES = 256
MAX_STRING = 1_000_000  # characters of one evaluated string

Thunk = Callable[[], object]


def unk(reason: str, loc: Location | None = None) -> Value:
    return Value((unknown(reason),), loc)


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


class Context:
    """State shared by every scope of one scan unit (one load_module / load_plan call)."""

    def __init__(self, options: Options, rel_of: Callable[[Path], str], allowed: list[Path]) -> None:
        self.options = options
        self.rel_of = rel_of
        self.allowed = [p.resolve() for p in allowed]
        self.total = MAX_STEPS
        self.steps = MAX_STEPS_PER_RESOURCE
        self.depth = 0
        self.instances = 0
        self.srcmaps: dict[tuple[Location, str], list[Seg]] = {}
        self.lines: dict[str, list[str]] = {}
        self.errors: dict[str, Finding] = {}  # rel -> its one E9500
        self.modules: dict[Path, ModuleSource] = {}
        self.scopes: list[Scope] = []
        self.budget_hit = False

    def release(self) -> None:
        """Let go of the parse trees and evaluation memos, once the unit is extracted.  Scopes, modules
        and their lazy inputs refer to each other: left as they are, everything they hold (the parse of
        a whole Terraform folder) would wait for the cycle collector, which a scan runs seldom."""
        for scope in self.scopes:
            scope.release()
        for mod in self.modules.values():
            mod.release()
        self.scopes.clear()
        self.modules.clear()
        self.srcmaps.clear()
        self.lines.clear()

    def lines_of(self, rel: str) -> list[str] | None:
        return self.lines.get(rel)

    def new_budget(self) -> None:
        """A fresh per-resource evaluation budget (the scan-unit total still applies)."""
        self.steps = MAX_STEPS_PER_RESOURCE

    def inside(self, path: Path) -> bool:
        return any(path == a or path.is_relative_to(a) for a in self.allowed)

    def input_error(self, message: str, loc: Location) -> None:
        self.errors.setdefault(loc.file, input_error(message, loc))

    def remember(self, value: Value, segs: list[Seg]) -> None:
        """Keep where each character of a string value was written (used to position JSON inside it)."""
        if value.loc is None or not segs:
            return
        text = rendered(value)
        if "{" in text or "[" in text:
            self.srcmaps[(value.loc, text)] = segs

    def module_source(self, folder: Path) -> ModuleSource:
        mod = self.modules.get(folder)
        if mod is None:
            from lexiam.terraform.module import read_module_files

            mod = ModuleSource(self, folder, read_module_files(folder, self), lazy=False)
            self.modules[folder] = mod
        return mod


# --- the files of one module folder -----------------------------------------------------------

# report path -> (text, parse): a file reached under two spellings of its path (a child module read
# through its caller's resolved ``source``, and found by the walk) is still parsed once.  Bounded by
# the source text it holds (a parse takes some 20 times the memory of its text, so about 3 MB): enough
# for a caller and its children.
_PARSE_CACHE: dict[str, tuple[str, ParsedFile | HclError]] = {}
_PARSE_CACHE_MAX = 256
_PARSE_CACHE_TEXT = 128 * 1024
_cached_text = 0
# report path -> (digest of the text, its parse error or None), for every file parsed in this process:
# a child module's own task only asks whether its files parse, which its caller's task already knew.
_OUTCOMES: dict[str, tuple[bytes, HclError | None]] = {}


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def parse_cached(path: Path, rel: str, text: str) -> ParsedFile | HclError:
    """Parse a file once per process (a child module may be reached from several callers).  The parse
    depends on the text and the report path only; a text that changed is parsed again."""
    global _cached_text
    hit = _PARSE_CACHE.get(rel)
    if hit is not None and hit[0] == text:
        return hit[1]
    try:
        result: ParsedFile | HclError = parse_file(text, rel)
    except HclError as exc:
        # kept for the report: without this, its traceback and the parser's exception it replaced would
        # keep every frame of the parse (and its tree) alive
        result = exc.with_traceback(None)
        result.__context__ = result.__cause__ = None
    _OUTCOMES[rel] = (_digest(text), result if isinstance(result, HclError) else None)
    if hit is not None:
        _cached_text -= len(_PARSE_CACHE.pop(rel)[0])
    while _PARSE_CACHE and (len(_PARSE_CACHE) >= _PARSE_CACHE_MAX or _cached_text + len(text) > _PARSE_CACHE_TEXT):
        _cached_text -= len(_PARSE_CACHE.pop(next(iter(_PARSE_CACHE)))[0])
    _PARSE_CACHE[rel] = (text, result)
    _cached_text += len(text)
    return result


def parse_error(path: Path, rel: str, text: str) -> HclError | None:
    """Why a file does not parse (None: it parses), without keeping or rebuilding its tree when this
    process has parsed the same text before."""
    known = _OUTCOMES.get(rel)
    if known is not None and known[0] == _digest(text):
        return known[1]
    result = parse_cached(path, rel, text)
    return result if isinstance(result, HclError) else None


def _decl_pattern(kind: str, *labels: str) -> re.Pattern[str]:
    parts = r"\s+".join(rf'"?{re.escape(label)}"?' for label in labels)
    return re.compile(rf"(?m)^[ \t]*{kind}\s+{parts}\s*\{{")


class SourceFile:
    __slots__ = ("path", "rel", "text")

    def __init__(self, path: Path, rel: str, text: str) -> None:
        self.path = path
        self.rel = rel
        self.text = text


class ModuleSource:
    """The declarations of one folder's ``.tf`` files.  With ``lazy``, only the files asked for are
    parsed up front; a declaration looked up and not found is searched for in the others (a cheap
    text search, then a parse of the file that has it)."""

    def __init__(self, ctx: Context, folder: Path, files: list[SourceFile], lazy: bool,
                 eager: set[str] | None = None) -> None:
        self.ctx = ctx
        self.folder = folder
        self.parsed: list[ParsedFile] = []
        self.failed: dict[str, HclError] = {}
        self.pending: dict[str, SourceFile] = {}
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.modules: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.order: list[tuple[str, object]] = []  # ("resource"|"module", block) in file order
        self._misses: set[tuple[str, ...]] = set()
        for f in files:
            if not lazy or (eager is not None and f.rel in eager):
                self._parse(f)
            else:
                self.pending[f.rel] = f

    def _parse(self, f: SourceFile) -> None:
        self.pending.pop(f.rel, None)
        result = parse_cached(f.path, f.rel, f.text)
        if isinstance(result, HclError):
            self.failed[f.rel] = result
            return
        self.ctx.lines[f.rel] = result.lines
        self.parsed.append(result)
        for block in result.body.blocks:
            labels = block.labels
            if block.type == "variable" and labels:
                self.variables.setdefault(labels[0], block)
            elif block.type == "locals":
                for name, attr in block.body.attrs.items():
                    self.locals.setdefault(name, attr)
            elif block.type == "resource" and len(labels) >= 2:
                self.resources.setdefault((labels[0], labels[1]), block)
            elif block.type == "data" and len(labels) >= 2:
                self.data.setdefault((labels[0], labels[1]), block)
            elif block.type == "module" and labels:
                self.modules.setdefault(labels[0], block)
            elif block.type == "output" and labels:
                self.outputs.setdefault(labels[0], block)

    def release(self) -> None:
        for table in (self.failed, self.pending, self.variables, self.locals, self.resources, self.data,
                      self.modules, self.outputs):
            table.clear()
        self.parsed.clear()
        self.order.clear()

    def _search(self, key: tuple[str, ...], patterns: list[re.Pattern[str]]) -> None:
        if not self.pending or key in self._misses:
            return
        for f in list(self.pending.values()):
            if all(p.search(f.text) for p in patterns):
                self._parse(f)
                return
        self._misses.add(key)

    def variable(self, name: str) -> Block | None:
        if name not in self.variables:
            self._search(("variable", name), [_decl_pattern("variable", name)])
        return self.variables.get(name)

    def local(self, name: str) -> Attribute | None:
        if name not in self.locals:
            self._search(("local", name), [re.compile(r"(?m)^[ \t]*locals\s*\{"),
                                           re.compile(rf"(?m)^[ \t]*{re.escape(name)}\s*=")])
        return self.locals.get(name)

    def resource(self, type_: str, name: str) -> Block | None:
        key = (type_, name)
        if key not in self.resources:
            self._search(("resource", type_, name), [_decl_pattern("resource", type_, name)])
        return self.resources.get(key)

    def data_source(self, type_: str, name: str) -> Block | None:
        key = (type_, name)
        if key not in self.data:
            self._search(("data", type_, name), [_decl_pattern("data", type_, name)])
        return self.data.get(key)

    def module_call(self, name: str) -> Block | None:
        if name not in self.modules:
            self._search(("module", name), [_decl_pattern("module", name)])
        return self.modules.get(name)

    def output(self, name: str) -> Block | None:
        if name not in self.outputs:
            self._search(("output", name), [_decl_pattern("output", name)])
        return self.outputs.get(name)


# --- scopes ----------------------------------------------------------------------------------------

class Scope:
    """One module instance: its inputs, its memo, its children."""

    def __init__(self, ctx: Context, mod: ModuleSource, prefix: str = "", inputs: dict[str, Thunk] | None = None,
                 chain: tuple[Path, ...] = (), root_folder: Path | None = None) -> None:
        self.ctx = ctx
        self.mod = mod
        self.prefix = prefix
        self.inputs = inputs or {}
        self.chain = chain or (mod.folder,)
        self.root_folder = root_folder or mod.folder
        self.memo: dict[tuple[object, ...], object] = {}
        self.busy: set[tuple[object, ...]] = set()
        self.children: dict[str, Scope | None] = {}
        ctx.scopes.append(self)

    def release(self) -> None:
        self.memo.clear()
        self.children.clear()
        self.inputs = {}

    # -- memoised lookups with cycle detection --------------------------------------------------
    def _cached(self, key: tuple[object, ...], compute: Callable[[], object], loc: Location | None) -> object:
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:
            return unk(f"a cycle through {'.'.join(str(k) for k in key)}", loc)
        self.busy.add(key)
        try:
            value = compute()
        finally:
            self.busy.discard(key)
        self.memo[key] = value
        return value

    # -- the evaluator --------------------------------------------------------------------------
    def ev(self, expr: Expr, env: dict[str, object] | None = None) -> object:
        ctx = self.ctx
        ctx.steps -= 1
        ctx.total -= 1
        if ctx.steps < 0 or ctx.total < 0:
            ctx.budget_hit = True
            return unk("evaluation budget exhausted", expr.loc)
        if ctx.depth >= MAX_EVAL_DEPTH:
            return unk("expression nested too deeply", expr.loc)
        ctx.depth += 1
        try:
            method = _DISPATCH.get(type(expr))
            if method is None:
                return unk(getattr(expr, "reason", type(expr).__name__), expr.loc)
            return method(self, expr, env)
        finally:
            ctx.depth -= 1

    def _literal(self, e: Literal, env: dict[str, object] | None) -> object:
        if e.kind == "null" or e.value is None:
            return NOVALUE
        return Value.of(e.value, e.loc)

    def _template(self, t: Template, env: dict[str, object] | None) -> object:
        parts = t.parts
        if not t.heredoc and len(parts) == 1 and isinstance(parts[0], Expr) and not isinstance(parts[0], Directive):
            return self.ev(parts[0], env)  # "${x}" is x itself, not its string form
        builds: list[list[tuple[object, Location | None]]] = [[]]
        for p in parts:
            if isinstance(p, Chunk):
                for b in builds:
                    b.append((p, None))
                continue
            if isinstance(p, Directive):
                opts: list[Value] = [unk("a template directive", p.loc)]
            else:
                opts = scalar_options(self.ev(p, env), p.loc)
            if len(builds) * len(opts) > MAX_COMBOS:
                opts = [unk("too many alternatives", p.loc)]
            builds = [[*b, (v, p.loc)] for b in builds for v in opts]
        return choice([self.render(b, t.loc) for b in builds])

    def render(self, pieces: list[tuple[object, Location | None]], loc: Location) -> Value:
        parts: list[Part] = []
        segs: list[Seg] = []
        offset = 0
        nsym = 0
        for piece, at in pieces:
            if isinstance(piece, Chunk):
                segs.extend((offset + o, ln, col) for o, ln, col in piece.segs)
                _append(parts, piece.text)
                offset += len(piece.text)
                continue
            assert isinstance(piece, Value)
            line, col = (at.line, at.column) if at is not None else (loc.line, loc.column)
            for p in piece.parts:
                segs.append((offset, line, col))
                if isinstance(p, Symbol):
                    offset += len(f"@@lexiam{nsym}@@")
                    nsym += 1
                    parts.append(p)
                else:
                    _append(parts, p)
                    offset += len(p)
        if offset > MAX_STRING:
            return unk("a string too long to evaluate", loc)
        value = Value(tuple(x for x in parts if x != ""), loc)
        self.ctx.remember(value, segs)
        return value

    def _tuple(self, e: TupleExpr, env: dict[str, object] | None) -> object:
        out = RList(loc=e.loc)
        for item in e.items:
            v = self.ev(item, env)
            if v is not NOVALUE:
                out.append(v)
        return out

    def _object(self, e: ObjectExpr, env: dict[str, object] | None) -> object:
        out = RMap(loc=e.loc)
        for item in e.items:
            if item.bare is not None:
                key: str | None = item.bare
            else:
                assert item.key is not None
                key = text_of(self.ev(item.key, env))
            if key is None:
                continue
            value = self.ev(item.value, env)
            if value is NOVALUE:
                continue
            out[key] = value
            out.key_locs[key] = item.key_loc
        return out

    def _name(self, e: Name, env: dict[str, object] | None) -> object:
        if env and e.name in env:
            return _relocated(env[e.name], e.loc)
        return unk(e.name, e.loc)

    def _cond(self, e: Cond, env: dict[str, object] | None) -> object:
        return choice([self.ev(e.then, env), self.ev(e.other, env)])

    def _op(self, e: Op, env: dict[str, object] | None) -> object:
        if e.op == "-" and len(e.operands) == 1:
            v = self.ev(e.operands[0], env)
            text = text_of(v)
            if text is not None and re.fullmatch(r"[0-9.eE+-]+", text):
                return Value.of(text[1:] if text.startswith("-") else "-" + text, e.loc)
        return unk(f"the operator {e.op}", e.loc)

    def _call(self, e: Call, env: dict[str, object] | None) -> object:
        from lexiam.terraform.functions import call

        return call(self, e, env)

    def _for(self, e: ForExpr, env: dict[str, object] | None) -> object:
        coll = self.ev(e.collection, env)
        options = list(candidates(coll))
        if len(options) != 1 or not isinstance(options[0], (RList, RMap)):
            return unk("a for expression over an unknown collection", e.loc)
        items = iterate(options[0])
        if items is None:
            return unk("a for expression over too many items", e.loc)
        result: RList | RMap = RMap(loc=e.loc) if e.is_object else RList(loc=e.loc)
        for key, value in items:
            inner = dict(env or {})
            if e.key_var:
                inner[e.key_var] = key
            inner[e.value_var] = value
            if e.cond is not None and text_of(self.ev(e.cond, inner)) == "false":
                continue
            if isinstance(result, RMap):
                assert e.key is not None
                k = text_of(self.ev(e.key, inner))
                if k is None:
                    continue
                v = self.ev(e.value, inner)
                if e.grouping:
                    group = result.setdefault(k, RList(loc=e.loc))
                    if isinstance(group, RList):
                        group.append(v)
                else:
                    result[k] = v
                    result.key_locs[k] = e.key.loc
            else:
                v = self.ev(e.value, inner)
                if v is not NOVALUE:
                    result.append(v)
        return result

    def _bad(self, e: Bad, env: dict[str, object] | None) -> object:
        return unk(e.reason, e.loc)

    def _directive(self, e: Directive, env: dict[str, object] | None) -> object:
        return unk("a template directive", e.loc)

    # -- traversals -----------------------------------------------------------------------------
    def _access(self, e: Access, env: dict[str, object] | None) -> object:
        base = e.base
        steps = e.steps
        loc = e.loc
        if isinstance(base, Name):
            root = base.name
            if env and root in env:
                return self.apply(_relocated(env[root], loc), steps, env, loc)
            resolved = self.traverse(root, steps, env, loc)
            if resolved is not None:
                node, rest = resolved
                return self.apply(node, rest, env, loc)
            return unk(_describe(root, steps), loc)
        return self.apply(self.ev(base, env), steps, env, loc)

    def traverse(self, root: str, steps: list[Step], env: dict[str, object] | None,
                 loc: Location) -> tuple[object, list[Step]] | None:
        """Resolve the head of a reference; returns the node and the steps still to apply."""
        names = _leading_attrs(steps)
        if root == "var" and names:
            return self.var(names[0], loc), steps[1:]
        if root == "local" and names:
            return self.local(names[0], loc), steps[1:]
        if root == "data" and len(names) >= 3:
            return self.data_attr(names[0], names[1], names[2], loc), steps[3:]
        if root == "data" and len(names) == 2:
            # data.x.y[0].attr (a counted data source): skip the index
            rest = steps[2:]
            while rest and rest[0][0] in ("index", "splat"):
                rest = rest[1:]
            if rest and rest[0][0] == "attr":
                return self.data_attr(names[0], names[1], str(rest[0][1]), loc), rest[1:]
            return None
        if root == "module" and len(names) >= 2:
            return self.module_output(names[0], names[1], loc), steps[2:]
        if root == "module" and len(names) == 1:
            rest = steps[1:]
            while rest and rest[0][0] in ("index", "splat"):
                rest = rest[1:]
            if rest and rest[0][0] == "attr":
                return self.module_output(names[0], str(rest[0][1]), loc), rest[1:]
            return None
        if root == "path" and names:
            folder = {"module": self.mod.folder, "root": self.root_folder, "cwd": self.root_folder}.get(names[0])
            return (Value.of(str(folder), loc) if folder is not None else unk(f"path.{names[0]}", loc)), steps[1:]
        if root == "terraform" and names:
            return Value((Symbol(STACK, f"terraform.{names[0]}"),), loc), steps[1:]
        if root in ("each", "count", "self"):
            return unk(_describe(root, steps), loc), []
        if "_" in root and names:
            rest = steps[1:]
            splat = False
            while rest and rest[0][0] in ("index", "splat"):
                splat = splat or rest[0][0] == "splat"
                rest = rest[1:]
            if not rest or rest[0][0] != "attr":
                return unk(f"{root}.{names[0]}", loc), []
            node = self.resource_attr(root, names[0], str(rest[0][1]), loc)
            if splat:
                node = RList([node], loc=loc)
            return node, rest[1:]
        return None

    def apply(self, node: object, steps: list[Step], env: dict[str, object] | None, loc: Location) -> object:
        for i, (kind, arg) in enumerate(steps):
            if isinstance(node, Choice):
                return choice([self.apply(o, steps[i:], env, loc) for o in node])
            if kind == "splat":
                rest = steps[i + 1:]
                if isinstance(node, RList):
                    return RList([self.apply(item, rest, env, loc) for item in node], loc=node.loc)
                if node is NOVALUE:
                    return RList(loc=loc)
                return RList([self.apply(node, rest, env, loc)], loc=loc)
            if kind == "attr":
                node = _get(node, str(arg), loc)
                continue
            assert isinstance(arg, Expr)
            index = self.ev(arg, env)
            node = _index(node, index, loc)
        return node

    # -- declarations ---------------------------------------------------------------------------
    def var(self, name: str, loc: Location) -> object:
        def compute() -> object:
            if name in self.inputs:
                return self.inputs[name]()
            block = self.mod.variable(name)
            if block is None:
                return unk(f"var.{name}", loc)
            default = block.body.attrs.get("default")
            if default is None:
                return unk(f"var.{name}", loc)
            return self.ev(default.expr)

        return _relocated(self._cached(("var", name), compute, loc), loc)

    def local(self, name: str, loc: Location) -> object:
        def compute() -> object:
            attr = self.mod.local(name)
            if attr is None:
                return unk(f"local.{name}", loc)
            return self.ev(attr.expr)

        return self._cached(("local", name), compute, loc)

    def block_attr(self, block: Block, key: tuple[object, ...], attr: str) -> object:
        """An argument of a block, evaluated once."""
        a = block.body.attrs.get(attr)
        if a is None:
            return NOVALUE
        return self._cached(key, lambda: self.ev(a.expr), a.loc)

    def resource_attr(self, type_: str, name: str, attr: str, loc: Location) -> object:
        block = self.mod.resource(type_, name)
        address = f"{self.prefix}{type_}.{name}"
        entity = tft.ENTITY.get(type_, "")
        if block is None:
            if entity:  # not declared here (a partial configuration): still a typed reference
                return Value((arns.resource_symbol(address, entity, attr),), loc)
            return unk(f"{type_}.{name}.{attr}", loc)
        if attr in tft.ARN_ATTRS.get(entity, ()):
            kwargs: dict[str, Value | None] = {}
            spec = tft.ARN_INPUTS.get(entity)
            if spec is not None:
                kwarg, arg = spec
                kwargs[kwarg] = first_value(self.block_attr(block, ("res", type_, name, arg), arg))
            arn = arns.typed_arn(entity, address, loc, **kwargs)  # type: ignore[arg-type]
            if arn is not None:
                return arn
        if attr in tft.IDENTITY.get(entity, tft.IDENTITY_DEFAULT):
            return Value((arns.resource_symbol(address, entity, attr),), loc)
        if attr in block.body.attrs:
            return self.block_attr(block, ("res", type_, name, attr), attr)
        return Value((arns.resource_symbol(address, entity, attr),), loc)

    def data_attr(self, type_: str, name: str, attr: str, loc: Location) -> object:
        selfs = tft.SELF_DATA.get(type_)
        if selfs is not None and attr in selfs:
            return Value((Symbol(selfs[attr], f"data.{type_}.{name}.{attr}"),), loc)
        block = self.mod.data_source(type_, name)
        if type_ == "aws_iam_policy_document" and attr in ("json", "minified_json"):
            if block is None:
                return unk(f"data.{type_}.{name}", loc)
            from lexiam.terraform.policydoc import policy_document

            return self._cached(("pdoc", name), lambda: policy_document(self, block), loc)
        if block is not None and attr in block.body.attrs:
            return self.block_attr(block, ("data", type_, name, attr), attr)
        return unk(f"data.{type_}.{name}.{attr}", loc)

    def module_output(self, name: str, output: str, loc: Location) -> object:
        child = self.child(name)
        if child is None:
            return unk(f"module.{name}.{output}", loc)
        block = child.mod.output(output)
        if block is None or "value" not in block.body.attrs:
            return unk(f"module.{name}.{output}", loc)
        return child.block_attr(block, ("output", output), "value")

    def child(self, name: str) -> Scope | None:
        """The scope of a local child module (created once), or None when it cannot be followed."""
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        block = self.mod.module_call(name)
        folder = self.local_source(block) if block is not None else None
        ctx = self.ctx
        if (block is None or folder is None or folder in self.chain or len(self.chain) > MAX_MODULE_DEPTH
                or ctx.instances >= MAX_MODULE_INSTANCES):
            return None
        ctx.instances += 1
        mod = ctx.module_source(folder)
        inputs: dict[str, Thunk] = {}
        for arg, attr in block.body.attrs.items():
            if arg in tft.MODULE_META:
                continue
            inputs[arg] = (lambda a=attr: self.ev(a.expr))
        child = Scope(ctx, mod, f"{self.prefix}module.{name}.", inputs, (*self.chain, folder), self.root_folder)
        self.children[name] = child
        return child

    def local_source(self, block: Block) -> Path | None:
        """The folder of a module block whose source is a local path inside the scan; else None."""
        attr = block.body.attrs.get("source")
        if attr is None or not isinstance(attr.expr, Template):
            return None
        parts = attr.expr.parts
        if len(parts) != 1 or not isinstance(parts[0], Chunk):
            return None
        src = parts[0].text
        if not (src.startswith("./") or src.startswith("../")) and src not in (".", ".."):
            return None
        try:
            folder = (self.mod.folder / src).resolve()
        except (OSError, RuntimeError):
            return None
        if not folder.is_dir() or not self.ctx.inside(folder):
            return None
        return folder

    # -- nested blocks --------------------------------------------------------------------------
    def expand_blocks(self, body: Body, type_: str,
                      env: dict[str, object] | None) -> list[tuple[Block, dict[str, object] | None]]:
        """The blocks of a type in a body, ``dynamic`` blocks expanded (one per known element,
        or one with an unknown iterator)."""
        out: list[tuple[Block, dict[str, object] | None]] = []
        for block in body.blocks:
            if block.type == type_:
                out.append((block, env))
            elif block.type == "dynamic" and block.labels and block.labels[0] == type_:
                content = next((b for b in block.body.blocks if b.type == "content"), None)
                if content is None:
                    continue
                iterator = type_
                it_attr = block.body.attrs.get("iterator")
                if it_attr is not None:
                    it_name = it_attr.expr.name if isinstance(it_attr.expr, Name) else text_of(self.ev(it_attr.expr, env))
                    iterator = it_name or type_
                coll_attr = block.body.attrs.get("for_each")
                coll = self.ev(coll_attr.expr, env) if coll_attr is not None else NOVALUE
                options = list(candidates(coll))
                items = iterate(options[0]) if len(options) == 1 and isinstance(options[0], (RList, RMap)) else None
                content_block = Block(type_, content.labels, content.body, content.loc, content.file)
                if items is None:
                    unknown_it = RMap(loc=block.loc)
                    unknown_it["key"] = unk(f"{iterator}.key", block.loc)
                    unknown_it["value"] = unk(f"{iterator}.value", block.loc)
                    out.append((content_block, {**(env or {}), iterator: unknown_it}))
                    continue
                for key, value in items:
                    it = RMap(loc=block.loc)
                    it["key"] = key
                    it["value"] = value
                    out.append((content_block, {**(env or {}), iterator: it}))
        return out

    def block_map(self, block: Block, env: dict[str, object] | None, depth: int = 0) -> RMap:
        """A block's arguments and nested blocks as a map (nested blocks as lists of maps)."""
        out = RMap(loc=block.loc)
        for name, attr in block.body.attrs.items():
            value = self.ev(attr.expr, env)
            if value is NOVALUE:
                continue
            out[name] = value
            out.key_locs[name] = attr.name_loc
        if depth > 16:
            return out
        types_seen: list[str] = []
        for b in block.body.blocks:
            t = b.labels[0] if b.type == "dynamic" and b.labels else b.type
            if t not in types_seen and t not in out:
                types_seen.append(t)
        for t in types_seen:
            items = RList(loc=block.loc)
            for sub, sub_env in self.expand_blocks(block.body, t, env):
                items.append(self.block_map(sub, sub_env, depth + 1))
            if items:
                items.loc = items[0].loc
                out[t] = items
                out.key_locs[t] = items[0].loc
        return out


def _append(parts: list[Part], text: str) -> None:
    if not text:
        return
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1] + text
    else:
        parts.append(text)


def _leading_attrs(steps: list[Step]) -> list[str]:
    names: list[str] = []
    for kind, arg in steps:
        if kind == "attr":
            names.append(str(arg))
        elif kind == "index" and isinstance(arg, Template) and len(arg.parts) == 1 and isinstance(arg.parts[0], Chunk):
            names.append(arg.parts[0].text)  # var["name"] is var.name
        else:
            break
    return names


def _describe(root: str, steps: list[Step]) -> str:
    out = root
    for kind, arg in steps:
        if kind == "attr":
            out += f".{arg}"
        elif kind == "splat":
            out += "[*]"
        else:
            out += "[...]"
    return out


def _relocated(node: object, loc: Location) -> object:
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
    if len(coll) > MAX_ITEMS:
        return None
    if isinstance(coll, RList):
        return [(Value.of(i, coll.loc), item) for i, item in enumerate(coll)]
    return [(Value.of(k, coll.key_locs.get(k, coll.loc)), v) for k, v in coll.items()]


def _get(node: object, key: str, loc: Location) -> object:
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


def _index(node: object, index: object, loc: Location) -> object:
    key = text_of(index)
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


_DISPATCH: dict[type, Callable[..., object]] = {
    Literal: Scope._literal,
    Template: Scope._template,
    TupleExpr: Scope._tuple,
    ObjectExpr: Scope._object,
    Name: Scope._name,
    Access: Scope._access,
    Call: Scope._call,
    Cond: Scope._cond,
    Op: Scope._op,
    ForExpr: Scope._for,
    Bad: Scope._bad,
    Directive: Scope._directive,
}
