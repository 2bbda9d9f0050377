"""Evaluate Terraform expressions into three-valued values (:mod:`lexiam.values`).

A :class:`Scope` is one module instance: the root module of a scanned folder, or a child module
reached through a ``module`` block (its entities get ``module.<name>.`` addresses).

``count`` and ``for_each`` (:class:`Repeat`): a block whose number or collection is known is one
instance per element (``aws_lambda_permission.allow["orders"]``, ``module.bot[0].``), each evaluated
with its ``each.key`` / ``each.value`` / ``count.index``; a reference to the block is then a list
(count) or map (for_each) of :class:`~lexiam.terraform.tfvalues.Lazy` objects whose attributes are
each instance's (``aws_x.y["k"].arn``, ``aws_x.y[*].arn``, ``values(aws_x.y)``).  A number or
collection that is not known (an input without default, a resource's attribute, a conditional, more
than ``MAX_ITEMS``) leaves one object that stands for all the instances, as if the block were written
once, with ``each`` and ``count`` unknown.  What a
value cannot be known from the configuration becomes an ``unknown`` symbol; what is only known at
deploy time becomes a typed symbol (the deploying account, a resource's ID or ARN).  Conditionals
yield a :class:`~lexiam.values.Choice` of both branches.  Work is bounded: a step budget per scan
unit, a nesting depth, caps on combinations and iterations; a cycle evaluates to unknown.

The state of the scan unit is :class:`lexiam.terraform.context.Context`, the files of a module folder
:class:`lexiam.terraform.sources.ModuleSource`, the operations on built values
:mod:`lexiam.terraform.tfvalues`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from lexiam import arns
from lexiam.terraform import types as tft
from lexiam.terraform.context import Context
from lexiam.terraform.functions import call
from lexiam.terraform.nodes import (
    Access,
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
from lexiam.terraform.policydoc import policy_document
from lexiam.terraform.sources import Installed, ModuleSource
from lexiam.terraform.tfvalues import (
    MAX_COMBOS,
    MAX_EVAL_DEPTH,
    MAX_ITEMS,
    MAX_MODULE_DEPTH,
    MAX_MODULE_INSTANCES,
    MAX_STRING,
    Lazy,
    Thunk,
    append_text,
    choice,
    first_value,
    get_attr,
    get_index,
    iterate,
    relocated,
    scalar_options,
    text_of,
    unk,
)
from lexiam.values import NOVALUE, STACK, Choice, Location, Part, RList, RMap, Symbol, Value, candidates

__all__ = ["SINGLE", "Context", "Instance", "ModuleCall", "ModuleSource", "Repeat", "Scope", "first_value"]


class Instance:
    """One instance of a block: its key (None for a block written once, or whose instances are not
    known), the suffix it adds to the address (``["orders"]``, ``[0]``) and the ``each`` / ``count`` its
    arguments are evaluated with."""

    __slots__ = ("key", "suffix", "env")

    def __init__(self, key: str | int | None, env: dict[str, object] | None = None) -> None:
        self.key = key
        self.suffix = "" if key is None else instance_suffix(key)
        self.env = env


SINGLE = Instance(None)


def instance_suffix(key: str | int) -> str:
    """An instance key as Terraform writes it in an address: ``[0]``, ``["orders"]``."""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key, ensure_ascii=False)}]"


class Repeat:
    """What ``count`` / ``for_each`` make of a block: ``by`` is "" (neither: one instance), "count" or
    "for_each"; ``items`` its instances, None when they are not known."""

    __slots__ = ("by", "items")

    def __init__(self, by: str, items: list[Instance] | None) -> None:
        self.by = by
        self.items = items

    @property
    def conditional(self) -> bool:
        """Whether the block may not exist: instances not known, or none here (``count = 0``, or an empty
        collection, from a variable's default that a caller may set otherwise)."""
        return bool(self.by) and not self.items


_ONCE = Repeat("", [SINGLE])


class ModuleCall:
    """The child scopes of one module call: one per instance when its count / for_each are known, else
    one that stands for every instance (``conditional``: it may not exist)."""

    __slots__ = ("by", "scopes", "conditional")

    def __init__(self, by: str, scopes: list[tuple[Instance, Scope]], conditional: bool) -> None:
        self.by = by  # "" when not repeated, or when its instances are not known
        self.scopes = scopes
        self.conditional = conditional


class Scope:
    """One module instance: its inputs, its memo, its children."""

    def __init__(self, ctx: Context, mod: ModuleSource, prefix: str = "", inputs: dict[str, Thunk] | None = None,
                 chain: tuple[Path, ...] = (), root_folder: Path | None = None, path: tuple[str, ...] = (),
                 conditional: bool = False) -> None:
        self.ctx = ctx
        self.mod = mod
        self.prefix = prefix
        self.inputs = inputs or {}
        self.chain = chain or (mod.folder,)
        self.root_folder = root_folder or mod.folder
        self.path = path  # the module calls from the root to here, instance keys left out ("bot", "child")
        self.conditional = conditional  # a module call on the way here may not exist
        self.memo: dict[tuple[object, ...], object] = {}
        self.busy: set[tuple[object, ...]] = set()
        self.children: dict[str, ModuleCall | None] = {}
        ctx.scopes.append(self)

    def release(self) -> None:
        self.memo.clear()
        self.children.clear()
        self.inputs = {}

    def template_scope(self) -> Scope:
        """The scope of a template file: only the variables passed to ``templatefile()`` are visible."""
        return _TemplateScope(self.ctx, self.mod, self.prefix, {}, self.chain, self.root_folder, self.path)

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
            ctx.exhausted(expr.loc)
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
            if len(opts) == 1:  # in place: a template of 100,000 parts is linear
                for b in builds:
                    b.append((opts[0], p.loc))
            else:
                builds = [[*b, (v, p.loc)] for b in builds for v in opts]
        return choice([self.render(b, t.loc) for b in builds])

    def render(self, pieces: list[tuple[object, Location | None]], loc: Location) -> Value:
        """The string of a template's pieces: its length is known, bounded and charged before any of it
        is built; adjacent text is joined once (linear in the number of pieces)."""
        size = 0
        nsym = 0
        for piece, _at in pieces:
            if isinstance(piece, Chunk):
                size += len(piece.text)
            else:
                assert isinstance(piece, Value)
                for p in piece.parts:
                    if isinstance(p, str):
                        size += len(p)
                    else:  # a symbol counts as its placeholder in the source map (a chain of doubled unknowns)
                        size += len(f"@@lexiam{nsym}@@")
                        nsym += 1
            if size > MAX_STRING:
                return unk("a string too long to evaluate", loc)
        if not self.ctx.spend(size, loc):
            return unk("evaluation budget exhausted", loc)
        parts: list[Part] = []
        run: list[str] = []
        segs: list[Seg] = []
        offset = 0
        nsym = 0
        for piece, at in pieces:
            if isinstance(piece, Chunk):
                segs.extend((offset + o, ln, col) for o, ln, col in piece.segs)
                run.append(piece.text)
                offset += len(piece.text)
                continue
            assert isinstance(piece, Value)
            line, col = (at.line, at.column) if at is not None else (loc.line, loc.column)
            for p in piece.parts:
                segs.append((offset, line, col))
                if isinstance(p, Symbol):
                    offset += len(f"@@lexiam{nsym}@@")
                    nsym += 1
                    if run:
                        append_text(parts, "".join(run))
                        run = []
                    parts.append(p)
                else:
                    run.append(p)
                    offset += len(p)
        if run:
            append_text(parts, "".join(run))
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
            return relocated(env[e.name], e.loc)
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
                return self.apply(relocated(env[root], loc), steps, env, loc)
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
        attrs = _attr_steps(steps)
        if root == "data" and len(attrs) >= 2:
            return self.declared("data", attrs[0], attrs[1], steps[2:], loc)
        if root == "module" and attrs:
            return self.module_ref(attrs[0], steps[1:], loc)
        if root == "path" and names:
            folder = {"module": self.mod.folder, "root": self.root_folder, "cwd": self.root_folder}.get(names[0])
            return (Value.of(str(folder), loc) if folder is not None else unk(f"path.{names[0]}", loc)), steps[1:]
        if root == "terraform" and names:
            return Value((Symbol(STACK, f"terraform.{names[0]}"),), loc), steps[1:]
        if root in ("each", "count", "self"):
            return unk(_describe(root, steps), loc), []
        if "_" in root and attrs:
            return self.declared("resource", root, attrs[0], steps[1:], loc)
        return None

    def declared(self, kind: str, type_: str, name: str, rest: list[Step], loc: Location) -> tuple[object, list[Step]]:
        """A resource or data source: the object of a block written once, the list (count) or map
        (for_each) of the objects of its instances; for one declared nowhere here (a partial
        configuration) or whose instances are not known, the attribute after it, any index or splat
        before that skipped (one object stands for every instance)."""
        block = self.mod.resource(type_, name) if kind == "resource" else self.mod.data_source(type_, name)
        if block is not None:
            repeat = self.instances(block)
            if repeat.items is not None:
                if not repeat.by:
                    return _Declared(self, kind, type_, name, SINGLE), rest
                return _collection(repeat, lambda i: _Declared(self, kind, type_, name, i), loc), rest
        splat = False
        while rest and rest[0][0] in ("index", "splat"):
            splat = splat or rest[0][0] == "splat"
            rest = rest[1:]
        head = f"{type_}.{name}" if kind == "resource" else f"data.{type_}.{name}"
        if not rest or rest[0][0] != "attr":
            return unk(head, loc), []
        attr = str(rest[0][1])
        node = self.resource_attr(type_, name, attr, loc) if kind == "resource" else self.data_attr(type_, name, attr, loc)
        if splat:
            node = RList([node], loc=loc)
        return node, rest[1:]

    def module_ref(self, name: str, rest: list[Step], loc: Location) -> tuple[object, list[Step]]:
        """``module.<name>``: the object of its outputs, or the list / map of its instances' objects."""
        call = self.module_call(name)
        if call is None:
            return unk(_describe(f"module.{name}", rest), loc), []
        if call.by:
            repeat = Repeat(call.by, [inst for inst, _child in call.scopes])
            children = {id(inst): child for inst, child in call.scopes}
            return _collection(repeat, lambda i: _Outputs(children[id(i)], name), loc), rest
        child = call.scopes[0][1]
        if call.conditional:  # instances not known: one scope stands for them, an index or splat skipped
            splat = False
            while rest and rest[0][0] in ("index", "splat"):
                splat = splat or rest[0][0] == "splat"
                rest = rest[1:]
            if splat and rest and rest[0][0] == "attr":
                return RList([_Outputs(child, name).attr(str(rest[0][1]), loc)], loc=loc), rest[1:]
        return _Outputs(child, name), rest

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
                node = get_attr(node, str(arg), loc)
                continue
            assert isinstance(arg, Expr)
            index = self.ev(arg, env)
            node = get_index(node, index, loc)
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

        return relocated(self._cached(("var", name), compute, loc), loc)

    def local(self, name: str, loc: Location) -> object:
        def compute() -> object:
            attr = self.mod.local(name)
            if attr is None:
                return unk(f"local.{name}", loc)
            return self.ev(attr.expr)

        return self._cached(("local", name), compute, loc)

    def block_attr(self, block: Block, key: tuple[object, ...], attr: str,
                   env: dict[str, object] | None = None) -> object:
        """An argument of a block (of one of its instances: ``env``), evaluated once."""
        a = block.body.attrs.get(attr)
        if a is None:
            return NOVALUE
        return self._cached(key, lambda: self.ev(a.expr, env), a.loc)

    def instances(self, block: Block) -> Repeat:
        """What the block's count / for_each make of it (evaluated once)."""
        attrs = block.body.attrs
        by = "for_each" if "for_each" in attrs else "count" if "count" in attrs else ""
        if not by:
            return _ONCE
        attr = attrs[by]
        found = self._cached(("instances", id(block)), lambda: self._instances(by, attr.expr), attr.loc)
        return found if isinstance(found, Repeat) else Repeat(by, None)  # a cycle: not known

    def _instances(self, by: str, expr: Expr) -> Repeat:
        value = self.ev(expr)
        options = list(candidates(value))
        one = options[0] if len(options) == 1 else None
        if by == "count":
            text = text_of(one) if isinstance(one, Value) else None
            if text is None or not re.fullmatch(r"\d{1,6}", text) or int(text) > MAX_ITEMS:
                return Repeat(by, None)
            return Repeat(by, [Instance(i, {"count": _object(index=Value.of(i, expr.loc))}) for i in range(int(text))])
        items: list[tuple[str, Value, object]] = []  # (key, each.key, each.value)
        if isinstance(one, RMap):
            items = [(k, Value.of(k, one.key_locs.get(k, one.loc)), v) for k, v in one.items()]
        elif isinstance(one, RList):  # a set (or list) of strings: each.key and each.value are the element
            seen: set[str] = set()
            for element in one:
                key = text_of(element)
                if key is None or not isinstance(element, Value):
                    return Repeat(by, None)  # an element not known: so are the keys
                if key not in seen:
                    seen.add(key)
                    items.append((key, element, element))
        else:
            return Repeat(by, None)
        if len(items) > MAX_ITEMS:
            return Repeat(by, None)
        return Repeat(by, [Instance(k, {"each": _object(key=key, value=value)}) for k, key, value in items])

    def resource_attr(self, type_: str, name: str, attr: str, loc: Location, inst: Instance = SINGLE) -> object:
        """An attribute of a resource (of one of its instances): a typed symbol for what identifies it,
        else the argument as written."""
        block = self.mod.resource(type_, name)
        address = f"{self.prefix}{type_}.{name}{inst.suffix}"
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
                kwargs[kwarg] = first_value(self.block_attr(block, ("res", type_, name, inst.key, arg), arg, inst.env))
            arn = arns.typed_arn(entity, address, loc, **kwargs)  # type: ignore[arg-type]
            if arn is not None:
                return arn
        if attr in tft.IDENTITY.get(entity, tft.IDENTITY_DEFAULT):
            return Value((arns.resource_symbol(address, entity, attr),), loc)
        if attr in block.body.attrs:
            return self.block_attr(block, ("res", type_, name, inst.key, attr), attr, inst.env)
        return Value((arns.resource_symbol(address, entity, attr),), loc)

    def data_attr(self, type_: str, name: str, attr: str, loc: Location, inst: Instance = SINGLE) -> object:
        selfs = tft.SELF_DATA.get(type_)
        if selfs is not None and attr in selfs:
            return Value((Symbol(selfs[attr], f"data.{type_}.{name}{inst.suffix}.{attr}"),), loc)
        block = self.mod.data_source(type_, name)
        if type_ == "aws_iam_policy_document" and attr in ("json", "minified_json"):
            if block is None:
                return unk(f"data.{type_}.{name}", loc)
            return self._cached(("pdoc", name, inst.key), lambda: policy_document(self, block, inst.env), loc)
        if block is not None and attr in block.body.attrs:
            return self.block_attr(block, ("data", type_, name, inst.key, attr), attr, inst.env)
        return unk(f"data.{type_}.{name}{inst.suffix}.{attr}", loc)

    def output(self, name: str, loc: Location) -> object:
        """An output of this module instance (as its caller reads ``module.<call>.<name>``)."""
        block = self.mod.output(name)
        if block is None or "value" not in block.body.attrs:
            return unk(f"{self.prefix}{name}", loc)
        return self.block_attr(block, ("output", name), "value")

    def module_call(self, name: str) -> ModuleCall | None:
        """The child scopes of a module call (created once), or None when it cannot be followed: its
        source is not a folder of the scan, a call cycle, or past MAX_MODULE_DEPTH / MAX_MODULE_INSTANCES."""
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        block = self.mod.module_call(name)
        folder = self.local_source(block) if block is not None else None
        installed = self.installed_source(name) if block is not None and folder is None else None
        if installed is not None:
            folder = installed.folder
        ctx = self.ctx
        if block is None or folder is None or folder in self.chain or len(self.chain) > MAX_MODULE_DEPTH:
            return None
        if ctx.instances >= MAX_MODULE_INSTANCES:
            ctx.exhausted(block.loc)  # its resources are not read: the unit says findings may be missing
            return None
        repeat = self.instances(block)
        items = repeat.items
        if items and ctx.instances + len(items) > MAX_MODULE_INSTANCES:
            items = None  # more instances than lexiam follows: one scope stands for them all
        known = bool(repeat.by) and bool(items)
        conditional = self.conditional or (bool(repeat.by) and not items)
        mod = ctx.module_source(folder)
        scopes: list[tuple[Instance, Scope]] = []
        for inst in items if known and items else [SINGLE]:
            ctx.instances += 1
            inputs: dict[str, Thunk] = {}
            for arg, attr in block.body.attrs.items():
                if arg not in tft.MODULE_META:
                    inputs[arg] = (lambda a=attr, env=inst.env: self.ev(a.expr, env))
            child = Scope(ctx, mod, f"{self.prefix}module.{name}{inst.suffix}.", inputs, (*self.chain, folder),
                          self.root_folder, (*self.path, name), conditional)
            scopes.append((inst, child))
            if installed is not None:
                ctx.origins[f"{self.prefix}module.{name}{inst.suffix}"] = installed.source
        call = ModuleCall(repeat.by if known else "", scopes, conditional)
        self.children[name] = call
        return call

    def installed_source(self, name: str) -> Installed | None:
        """Where ``terraform init`` installed a module call (a registry or git source)."""
        key = ".".join((*self.path, name))  # modules.json keys leave instance keys out
        found = self.ctx.installed(self.root_folder).get(key)
        return found if found is not None and self.ctx.inside(found.folder) else None

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



class _TemplateScope(Scope):
    """A scope that resolves no reference: a template sees only the variables it is given."""

    def traverse(self, root: str, steps: list[Step], env: dict[str, object] | None,
                 loc: Location) -> tuple[object, list[Step]] | None:
        return None


class _Declared(Lazy):
    """A resource or data source instance as a value: its attributes are evaluated when asked."""

    __slots__ = ("scope", "kind", "type", "name", "inst")

    def __init__(self, scope: Scope, kind: str, type_: str, name: str, inst: Instance) -> None:
        self.scope = scope
        self.kind = kind
        self.type = type_
        self.name = name
        self.inst = inst

    def attr(self, key: str, loc: Location) -> object:
        if self.kind == "resource":
            return self.scope.resource_attr(self.type, self.name, key, loc, self.inst)
        return self.scope.data_attr(self.type, self.name, key, loc, self.inst)


class _Outputs(Lazy):
    """A module instance as a value: its attributes are its outputs."""

    __slots__ = ("scope", "name")

    def __init__(self, scope: Scope, name: str) -> None:
        self.scope = scope
        self.name = name

    def attr(self, key: str, loc: Location) -> object:
        return self.scope.output(key, loc)


def _collection(repeat: Repeat, make: Callable[[Instance], Lazy], loc: Location) -> RList | RMap:
    """The objects of a block's instances as a reference to the block gives them: a list (count) or a
    map by key (for_each)."""
    items = repeat.items or []
    if repeat.by == "count":
        return RList([make(i) for i in items], loc=loc)
    out = RMap(loc=loc)
    for inst in items:
        out[str(inst.key)] = make(inst)
    return out


def _object(**attrs: object) -> RMap:
    """``each`` / ``count`` of one instance: an object of its attributes (loc None: where it is used)."""
    out = RMap()
    out.update(attrs)
    return out


def _attr_steps(steps: list[Step]) -> list[str]:
    """The names of the leading attribute steps (``module.bot["a"]`` is the call ``bot``, then an index)."""
    names: list[str] = []
    for kind, arg in steps:
        if kind != "attr":
            break
        names.append(str(arg))
    return names


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
