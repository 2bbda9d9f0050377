"""``terraform show -json`` output (a plan, or a state) -> one :class:`~lexiam.model.Unit`.

Resources are read from ``planned_values`` (or a state's ``values``), the root module and every
child module.  A value the plan does not know yet (an ARN "known after apply") is taken from the
``configuration`` section: a constant, or a single reference to another resource's attribute, which
becomes the same typed symbol the HCL front end produces (``aws_iam_role.r.arn`` -> the role's ARN
with the deploying account).  Positions point into the plan JSON file; a policy embedded as a JSON
string is positioned character by character, escapes included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from lexiam import arns, model, positioned
from lexiam.contract import FileResult, LoadOutput, Options
from lexiam.model import input_error
from lexiam.terraform import types as tft
from lexiam.terraform.context import Context
from lexiam.terraform.extract import View, extract_resource
from lexiam.terraform.hcl import source_lines
from lexiam.terraform.jsontext import json_string_segs, load_json
from lexiam.terraform.relevance import SKIP_REASON, looks_relevant
from lexiam.terraform.tfvalues import first_value, unk
from lexiam.values import NOVALUE, Location, RList, RMap, Symbol, Value

_INDEX = re.compile(r"\[[^\]]*\]")
MAX_REF_DEPTH = 8


def looks_like(text: str) -> bool:
    """A file front end's content test (:mod:`lexiam.contract`): JSON that ``terraform show`` wrote."""
    return '"terraform_version"' in text[:4096]


def is_plan_text(text: str) -> bool:
    head = text[:4096]
    return ('"format_version"' in head and '"terraform_version"' in head
            and ('"planned_values"' in text or '"configuration"' in text or '"values"' in text))


def strip_instances(address: str) -> str:
    """``module.m["a"].aws_iam_role.r[0]`` -> ``module.m.aws_iam_role.r``."""
    return _INDEX.sub("", address)


class PlanResource:
    def __init__(self, address: str, type_: str, node: positioned.PMap, config: positioned.PMap | None,
                 prefix: str) -> None:
        self.address = address
        self.type = type_
        self.node = node
        self.config = config
        self.prefix = prefix
        self._values: RMap | None = None


class PlanModel:
    def __init__(self, ctx: Context, rel: str, lines: list[str]) -> None:
        self.ctx = ctx
        self.rel = rel
        self.lines = lines
        self.resources: dict[str, list[PlanResource]] = {}
        self.configs: dict[str, positioned.PMap] = {}

    # -- conversion of plan JSON to values --------------------------------------------------------
    def node(self, p: object, depth: int = 0) -> object:
        if depth > 128:
            return unk("nested too deeply")
        if isinstance(p, positioned.PMap):
            out = RMap(loc=p.loc)
            for k, v in p.items():
                converted = self.node(v, depth + 1)
                if converted is NOVALUE:
                    continue
                out[k] = converted
                out.key_locs[k] = p.key_locs.get(k, p.loc)
            return out
        if isinstance(p, positioned.PList):
            return RList([x for x in (self.node(v, depth + 1) for v in p) if x is not NOVALUE], loc=p.loc)
        if isinstance(p, positioned.PScalar):
            if p.text is None:
                return NOVALUE
            value = Value.of(p.text, p.loc)
            if p.is_str and ("{" in p.text or "[" in p.text):
                segs = json_string_segs(self.lines, p.loc)
                if segs:
                    self.ctx.remember(value, segs)
            return value
        return NOVALUE

    def values(self, res: PlanResource) -> RMap:
        if res._values is None:
            vals = res.node.get("values")
            converted = self.node(vals) if isinstance(vals, positioned.PMap) else RMap(loc=res.node.loc)
            res._values = converted if isinstance(converted, RMap) else RMap(loc=res.node.loc)
        return res._values

    # -- the configuration fallback ---------------------------------------------------------------
    def expression(self, expr: object, prefix: str, depth: int) -> object:
        """A configuration expression: a constant, a single reference, or nested block expressions."""
        if isinstance(expr, positioned.PList):
            return RList([self.expression(e, prefix, depth) for e in expr], loc=expr.loc)
        if not isinstance(expr, positioned.PMap):
            return NOVALUE
        if "constant_value" in expr:
            return self.node(expr["constant_value"])
        if "references" in expr:
            refs = [r.text for r in expr["references"] if isinstance(r, positioned.PScalar) and r.text] \
                if isinstance(expr["references"], positioned.PList) else []
            leaves = [r for r in refs if not any(o != r and o.startswith(r + ".") for o in refs)]
            leaves = list(dict.fromkeys(strip_instances(r) for r in leaves))
            if len(leaves) == 1:
                return self.reference(leaves[0], prefix, expr.loc, depth)
            return unk("an expression of several references", expr.loc)
        out = RMap(loc=expr.loc)
        for k, v in expr.items():
            converted = self.expression(v, prefix, depth)
            if converted is not NOVALUE:
                out[k] = converted
                out.key_locs[k] = expr.key_locs.get(k, expr.loc)
        return out

    def reference(self, ref: str, prefix: str, loc: Location, depth: int) -> object:
        parts = ref.split(".")
        if parts[0] == "data" and len(parts) >= 4:
            selfs = tft.SELF_DATA.get(parts[1], {})
            if parts[3] in selfs:
                return Value((Symbol(selfs[parts[3]], ref),), loc)
            return unk(ref, loc)
        if len(parts) < 3 or parts[0] in ("var", "local", "module", "each", "count", "path", "terraform", "self"):
            return unk(ref, loc)
        type_, name, attr = parts[0], parts[1], parts[2]
        address = f"{prefix}{type_}.{name}"
        targets = self.resources.get(address)
        if not targets or depth > MAX_REF_DEPTH:
            return unk(ref, loc)
        entity = tft.ENTITY.get(type_, "")
        if attr in tft.ARN_ATTRS.get(entity, ()):
            kwargs: dict[str, Value | None] = {}
            spec = tft.ARN_INPUTS.get(entity)
            if spec is not None:
                kwargs[spec[0]] = first_value(PlanView(self, targets[0], depth + 1).get(spec[1]))
            arn = arns.typed_arn(entity, address, loc, **kwargs)  # type: ignore[arg-type]
            if arn is not None:
                return arn
        if attr not in tft.IDENTITY.get(entity, tft.IDENTITY_DEFAULT):
            known = PlanView(self, targets[0], depth + 1).get(attr)
            if known is not NOVALUE:
                return known
        return Value((arns.resource_symbol(address, entity, attr),), loc)


class PlanView(View):
    def __init__(self, plan: PlanModel, res: PlanResource, depth: int = 0) -> None:
        self.plan = plan
        self.res = res
        self.address = res.address
        self.type = res.type
        self.loc = res.node.loc
        self.ctx = plan.ctx
        self.depth = depth

    def get(self, key: str) -> object:
        values = self.plan.values(self.res)
        if key in values:
            return values[key]
        config = self.res.config
        exprs = config.get("expressions") if config is not None else None
        if isinstance(exprs, positioned.PMap) and key in exprs:
            return self.plan.expression(exprs[key], self.res.prefix, self.depth)
        return NOVALUE


def _walk_config(module: object, prefix: str, out: dict[str, positioned.PMap]) -> None:
    """Every resource configuration of a module and its calls, however deep (the JSON reader bounds the
    nesting: nothing is left out without an E9500), without recursion."""
    stack = [(module, prefix)]
    while stack:
        module, prefix = stack.pop()
        if not isinstance(module, positioned.PMap):
            continue
        resources = module.get("resources")
        if isinstance(resources, positioned.PList):
            for r in resources:
                if isinstance(r, positioned.PMap):
                    addr = r.get("address")
                    if isinstance(addr, positioned.PScalar) and addr.text:
                        out.setdefault(prefix + strip_instances(addr.text), r)
        calls = module.get("module_calls")
        if isinstance(calls, positioned.PMap):
            for name, call in reversed(list(calls.items())):
                if isinstance(call, positioned.PMap):
                    stack.append((call.get("module"), f"{prefix}module.{name}."))


def _walk_values(plan: PlanModel, root: object) -> list[PlanResource]:
    """The managed resources of a module and its child modules, however deep, in the plan's order."""
    out: list[PlanResource] = []
    stack = [root]
    while stack:
        module = stack.pop()
        if not isinstance(module, positioned.PMap):
            continue
        resources = module.get("resources")
        if isinstance(resources, positioned.PList):
            for r in resources:
                if not isinstance(r, positioned.PMap):
                    continue
                mode = r.get("mode")
                if isinstance(mode, positioned.PScalar) and mode.text not in (None, "managed"):
                    continue
                addr, type_ = r.get("address"), r.get("type")
                if not (isinstance(addr, positioned.PScalar) and addr.text and isinstance(type_, positioned.PScalar)
                        and type_.text):
                    continue
                address = strip_instances(addr.text)
                res = PlanResource(address, type_.text, r, plan.configs.get(address), _prefix_of(address))
                plan.resources.setdefault(address, []).append(res)
                out.append(res)
        children = module.get("child_modules")
        if isinstance(children, positioned.PList):
            stack.extend(reversed(children))
    return out


def _path_finder(plan: PlanModel) -> Callable[[str, Location], tuple[str | int, ...]]:
    """The path inside a resource's planned ``values`` of the node written at a location
    (``("managed_policy_arns", 0)``), as for a ``.tf`` file; () for a value taken from the configuration."""

    def path_at(address: str, loc: Location) -> tuple[str | int, ...]:
        for res in plan.resources.get(address, ()):
            path = positioned.path_to(res.node.get("values"), loc)
            if path is not None:
                return path
        return ()

    return path_at


def _prefix_of(address: str) -> str:
    """``module.a.module.b.aws_x.y`` -> ``module.a.module.b.``."""
    parts = address.split(".")
    prefix: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        prefix.extend(parts[i:i + 2])
        i += 2
    return ".".join(prefix) + "." if prefix else ""


def load_plan(path: Path, rel: str, text: str, options: Options) -> LoadOutput | None:
    """Plan (or state) JSON -> a LoadOutput with one Unit; None when the text is not Terraform JSON."""
    if not is_plan_text(text):
        return None
    out = LoadOutput()
    try:
        tree, _dups = load_json(text, rel, max_nodes=options.max_nodes, max_depth=options.max_depth)
    except positioned.LoadError as exc:
        out.errors.append(input_error(f"cannot parse the plan JSON: {exc.reason}", Location(rel, exc.line, exc.column)))
        out.files.append(FileResult(rel, "error", exc.reason))
        return out
    if not isinstance(tree, positioned.PMap) or "format_version" not in tree or "terraform_version" not in tree:
        return None
    values_root = tree.get("planned_values") or tree.get("values")
    if values_root is None and "configuration" not in tree:
        return None
    if getattr(options, "prefilter", True) and not looks_relevant(text):
        out.files.append(FileResult(rel, "skipped", SKIP_REASON))
        return out
    ctx = Context(options, lambda p: rel, [])
    lines = source_lines(text)
    ctx.lines[rel] = lines
    plan = PlanModel(ctx, rel, lines)
    config = tree.get("configuration")
    if isinstance(config, positioned.PMap):
        _walk_config(config.get("root_module"), "", plan.configs)
    root = values_root.get("root_module") if isinstance(values_root, positioned.PMap) else None
    resources = _walk_values(plan, root)
    unit = model.Unit(file=rel, format="terraform-plan")
    unit.path_at = _path_finder(plan)
    unit.text_at = lambda loc: model.span_text(lines, loc)
    for res in resources:
        ctx.new_budget()
        extract_resource(PlanView(plan, res), unit)
    out.units.append(unit)
    out.files.append(FileResult(rel, "scanned"))
    out.errors.extend(ctx.errors.values())
    if ctx.budget_hit is not None:
        out.errors.append(input_error("the evaluation budget of this plan ran out here: the values past it are "
                                      "unknown and findings about them may be missing", ctx.budget_hit))
    return out


load_file = load_plan  # the file front end's entry point (lexiam.contract)
