"""Resolve CloudFormation intrinsic functions into three-valued values.

``Ref`` (parameters with a Default, pseudo parameters and resources as symbols), ``Fn::Sub`` (both
forms), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` (each branch a candidate),
``Fn::FindInMap``, ``Fn::GetAtt`` (typed: ``!GetAtt Bot.Arn`` is a bot ARN); ``Fn::ImportValue``
and anything else is unknown.  Nothing is evaluated beyond that: no condition is decided, nothing
outside the template is read.
"""

from __future__ import annotations

import re

from lexiam import arns, model
from lexiam.cloudformation.types import ARN_ATTRS, ENTITY, INTRINSICS, REF_RETURNS
from lexiam.positioned import PList, PMap, PNode, PScalar
from lexiam.values import (
    ACCOUNT,
    NOVALUE,
    PARTITION,
    REGION,
    STACK,
    URL_SUFFIX,
    Choice,
    Location,
    RList,
    RMap,
    Symbol,
    Value,
    candidates,
    concat,
    unknown,
)

PSEUDO = {
    "AWS::AccountId": Symbol(ACCOUNT, "AWS::AccountId"),
    "AWS::Region": Symbol(REGION, "AWS::Region"),
    "AWS::Partition": Symbol(PARTITION, "AWS::Partition"),
    "AWS::URLSuffix": Symbol(URL_SUFFIX, "AWS::URLSuffix"),
    "AWS::StackName": Symbol(STACK, "AWS::StackName"),
    "AWS::StackId": Symbol(STACK, "AWS::StackId"),
    "AWS::NotificationARNs": Symbol(STACK, "AWS::NotificationARNs"),
}

_SELVES = (PSEUDO["AWS::Partition"], PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"])
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
MAX_DEPTH = 64
MAX_STRING = 1_000_000  # characters of one resolved Fn::Sub / Fn::Join (longer: unknown)


class Resolver:
    """Resolves nodes of one template; caches per node identity."""

    def __init__(self, template: PMap) -> None:
        self.template = template
        params = template.get("Parameters")
        self.parameters: PMap = params if isinstance(params, PMap) else PMap(template.loc)
        mappings = template.get("Mappings")
        self.mappings: PMap = mappings if isinstance(mappings, PMap) else PMap(template.loc)
        resources = template.get("Resources")
        self.resources: PMap = resources if isinstance(resources, PMap) else PMap(template.loc)
        self.types: dict[str, str] = {}
        for name, res in self.resources.items():
            rtype = res.get("Type") if isinstance(res, PMap) else None
            self.types[name] = rtype.text if isinstance(rtype, PScalar) and rtype.text else ""
        self._arn_cache: dict[str, Value | None] = {}
        self._busy: set[str] = set()

    # -- entry point -----------------------------------------------------------------------------
    def resolve(self, node: PNode | None, depth: int = 0) -> object:
        if node is None:
            return NOVALUE
        if depth > MAX_DEPTH:
            return Value((unknown("nesting too deep"),), node.loc)
        if isinstance(node, PScalar):
            if node.text is None:
                return NOVALUE
            return Value.of(node.text, node.loc)
        if isinstance(node, PList):
            out = RList(loc=node.loc)
            for item in node:
                r = self.resolve(item, depth + 1)
                if r is not NOVALUE:
                    out.append(r)
            return out
        if len(node) == 1:
            (key,) = node.keys()
            if key in INTRINSICS:
                return self._intrinsic(key, node[key], node.loc, depth + 1)
        rmap = RMap(loc=node.loc)
        for key, value in node.items():
            r = self.resolve(value, depth + 1)
            if r is not NOVALUE:
                rmap[key] = r
                rmap.key_locs[key] = node.key_locs.get(key, node.loc)
        return rmap

    def resolve_str(self, node: PNode | None) -> Value | None:
        """A property expected to be a string: its first candidate as a Value (None when absent)."""
        for c in candidates(self.resolve(node)):
            if isinstance(c, Value):
                return c
            return Value((unknown("not a string"),), getattr(c, "loc", None))
        return None

    # -- intrinsics ------------------------------------------------------------------------------
    def _intrinsic(self, fn: str, arg: PNode, loc: Location, depth: int) -> object:
        handler = getattr(self, "_fn_" + fn.replace("Fn::", "").lower(), None)
        if handler is None:
            return Value((unknown(fn),), loc)
        try:
            return handler(arg, loc, depth)
        except (IndexError, KeyError, TypeError, ValueError, AttributeError):
            return Value((unknown(f"{fn} with an unexpected shape"),), loc)

    def _fn_ref(self, arg: PNode, loc: Location, depth: int) -> object:
        name = arg.text if isinstance(arg, PScalar) else None
        if not name:
            return Value((unknown("Ref"),), loc)
        return self.ref(name, loc, depth)

    def ref(self, name: str, loc: Location, depth: int = 0) -> object:
        if name == "AWS::NoValue":
            return NOVALUE
        if name in PSEUDO:
            return Value((PSEUDO[name],), loc)
        param = self.parameters.get(name)
        if isinstance(param, PMap):
            default = param.get("Default")
            if isinstance(default, PScalar) and default.text is not None:
                ptype = param.get("Type")
                if isinstance(ptype, PScalar) and ptype.text and ptype.text.startswith("AWS::SSM::Parameter::Value"):
                    return Value((unknown(f"parameter {name} (SSM)"),), loc)
                return Value.of(default.text, loc)
            return Value((unknown(f"parameter {name}"),), loc)
        if name in self.types:
            rtype = self.types[name]
            returns = REF_RETURNS.get(rtype, "Ref")
            if returns == "Arn":
                arn = self.resource_arn(name)
                if arn is not None:
                    return arn.with_loc(loc)
            return Value((arns.resource_symbol(name, ENTITY.get(rtype, ""), returns, name),), loc)
        return Value((unknown(f"Ref {name}"),), loc)

    def _fn_getatt(self, arg: PNode, loc: Location, depth: int) -> object:
        if isinstance(arg, PScalar) and arg.text:
            resource, _, attr = arg.text.partition(".")
        elif isinstance(arg, PList) and len(arg) == 2:
            resource_node, attr_node = arg
            resource = resource_node.text if isinstance(resource_node, PScalar) else ""
            attr_v = self.resolve_str(attr_node)
            attr = attr_v.text if attr_v is not None and attr_v.text else ""
        else:
            return Value((unknown("Fn::GetAtt"),), loc)
        if not resource or not attr:
            return Value((unknown("Fn::GetAtt"),), loc)
        return self.getatt(resource or "", attr, loc)

    def getatt(self, resource: str, attr: str, loc: Location) -> Value:
        rtype = self.types.get(resource)
        if rtype is None:
            return Value((unknown(f"{resource}.{attr}"),), loc)
        if ARN_ATTRS.get(rtype) == attr:
            arn = self.resource_arn(resource)
            if arn is not None:
                return arn.with_loc(loc)
        name = f"{resource}.{attr}"
        return Value((arns.resource_symbol(resource, ENTITY.get(rtype, ""), attr, name),), loc)

    def resource_arn(self, logical_id: str) -> Value | None:
        """The typed ARN of a resource of this template (see lexiam.arns.typed_arn)."""
        if logical_id in self._arn_cache:
            return self._arn_cache[logical_id]
        if logical_id in self._busy:  # a cycle: the alias's BotId refers back to itself
            return None
        self._busy.add(logical_id)
        try:
            rtype = self.types.get(logical_id, "")
            entity = ENTITY.get(rtype, "")
            res = self.resources.get(logical_id)
            props = res.get("Properties") if isinstance(res, PMap) else None
            props = props if isinstance(props, PMap) else None
            kwargs: dict[str, Value | None] = {}
            if entity == model.LEX_BOT_ALIAS and props is not None:
                kwargs["bot_id"] = self.resolve_str(props.get("BotId"))
            elif entity == model.IAM_ROLE and props is not None and "Path" in props:
                kwargs["role_path"] = self.resolve_str(props.get("Path"))
            arn = arns.typed_arn(entity, logical_id, None, selves=_SELVES, **kwargs) if entity else None
        finally:
            self._busy.discard(logical_id)
        self._arn_cache[logical_id] = arn
        return arn

    def _fn_sub(self, arg: PNode, loc: Location, depth: int) -> object:
        variables: dict[str, object] = {}
        if isinstance(arg, PList):
            if not arg:
                return Value((unknown("Fn::Sub"),), loc)
            template_node = arg[0]
            if len(arg) > 1 and isinstance(arg[1], PMap):
                for k, v in arg[1].items():
                    variables[k] = self.resolve(v, depth + 1)
        else:
            template_node = arg
        if not isinstance(template_node, PScalar) or template_node.text is None:
            return Value((unknown("Fn::Sub"),), loc)
        return self.sub(template_node.text, variables, template_node.loc, depth)

    def sub(self, text: str, variables: dict[str, object], loc: Location, depth: int = 0) -> Value:
        pieces: list[Value] = []
        pos = 0
        for m in _SUB_VAR.finditer(text):
            if m.start() > pos:
                pieces.append(Value.of(text[pos:m.start()]))
            pos = m.end()
            name = m.group(1).strip()
            if name.startswith("!"):
                pieces.append(Value.of("${" + name[1:] + "}"))
                continue
            if name in variables:
                options = [c for c in candidates(variables[name]) if isinstance(c, Value)]
                pieces.append(options[0] if options else Value((unknown(name),)))
                continue
            if "." in name and name.split(".", 1)[0] in self.types:
                resource, attr = name.split(".", 1)
                pieces.append(self.getatt(resource, attr, loc))
                continue
            r = self.ref(name, loc, depth)
            options = [c for c in candidates(r) if isinstance(c, Value)]
            pieces.append(options[0] if options else Value((unknown(name),)))
        if pos < len(text):
            pieces.append(Value.of(text[pos:]))
        return concat(pieces, loc, MAX_STRING)

    def _list(self, node: PNode, depth: int) -> list[object] | None:
        """A list argument as its resolved items (None when it is not a known list)."""
        resolved = self.resolve(node, depth + 1)
        options = list(candidates(resolved))
        if len(options) != 1 or not isinstance(options[0], RList):
            return None
        return list(options[0])

    def _fn_join(self, arg: PNode, loc: Location, depth: int) -> object:
        if not isinstance(arg, PList) or len(arg) != 2:
            return Value((unknown("Fn::Join"),), loc)
        delim = self.resolve_str(arg[0])
        items = self._list(arg[1], depth)
        if delim is None or delim.text is None or items is None:
            return Value((unknown("Fn::Join"),), loc)
        pieces: list[Value] = []
        for i, item in enumerate(items):
            options = [c for c in candidates(item) if isinstance(c, Value)]
            if i:
                pieces.append(Value.of(delim.text))
            pieces.append(options[0] if options else Value((unknown("Fn::Join item"),)))
        return concat(pieces, loc, MAX_STRING)

    def _fn_split(self, arg: PNode, loc: Location, depth: int) -> object:
        if not isinstance(arg, PList) or len(arg) != 2:
            return Value((unknown("Fn::Split"),), loc)
        delim = self.resolve_str(arg[0])
        source = self.resolve_str(arg[1])
        if delim is None or not delim.text or source is None:
            return Value((unknown("Fn::Split"),), loc)
        if source.is_unknown and len(source.parts) == 1:
            return Value((unknown("Fn::Split of an unknown value"),), loc)
        return RList([Value(seg, loc) for seg in source.split(delim.text)], loc=loc)

    def _fn_select(self, arg: PNode, loc: Location, depth: int) -> object:
        if not isinstance(arg, PList) or len(arg) != 2:
            return Value((unknown("Fn::Select"),), loc)
        index = self.resolve_str(arg[0])
        items = self._list(arg[1], depth)
        if index is None or index.text is None or items is None:
            return Value((unknown("Fn::Select"),), loc)
        i = int(index.text)
        if not 0 <= i < len(items):
            return Value((unknown("Fn::Select out of range"),), loc)
        item = items[i]
        return item.with_loc(loc) if isinstance(item, Value) else item

    def _fn_if(self, arg: PNode, loc: Location, depth: int) -> object:
        if not isinstance(arg, PList) or len(arg) != 3:
            return Value((unknown("Fn::If"),), loc)
        return Choice((self.resolve(arg[1], depth + 1), self.resolve(arg[2], depth + 1)))

    def _fn_findinmap(self, arg: PNode, loc: Location, depth: int) -> object:
        if not isinstance(arg, PList) or len(arg) < 3:
            return Value((unknown("Fn::FindInMap"),), loc)
        keys = [self.resolve_str(k) for k in arg[:3]]
        if any(k is None or k.text is None for k in keys):
            return Value((unknown("Fn::FindInMap with a deploy-time key"),), loc)
        node: object = self.mappings
        for k in keys:
            assert k is not None and k.text is not None
            if not isinstance(node, PMap) or k.text not in node:
                return Value((unknown("Fn::FindInMap: no such key"),), loc)
            node = node[k.text]
        resolved = self.resolve(node, depth + 1)  # type: ignore[arg-type]
        return resolved.with_loc(loc) if isinstance(resolved, Value) else resolved

    def _fn_importvalue(self, arg: PNode, loc: Location, depth: int) -> object:
        return Value((unknown("Fn::ImportValue"),), loc)
