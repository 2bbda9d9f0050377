"""``Fn::ForEach`` (the ``AWS::LanguageExtensions`` transform), expanded before extraction.

A loop ``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`` stands, in a mapping of the
``Resources`` section (the section itself or a resource's properties), for one copy of its fragment per item
of the collection, with every ``${Identifier}`` and ``&{Identifier}`` (the item without its non-alphanumeric
characters) replaced in keys and strings, and every ``Ref`` to the identifier replaced by the item
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html).
Loops nest.  The copies keep the positions of the fragment, so a finding in a copy points into the loop.

A loop whose collection is not known before deploy (a ``Ref`` to a parameter without a default, another
intrinsic function) is left as it is, and reported: its resources are never dropped silently.  What the
loops make is charged to the node budget (``--max-nodes``): a small template of nested loops over long
collections cannot make the scan build millions of nodes.
"""

from __future__ import annotations

import re

from lexiam.positioned import LoadError, PList, PMap, PNode, PScalar
from lexiam.values import Location

PREFIX = "Fn::ForEach::"
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


class _Budget:
    def __init__(self, nodes: int) -> None:
        self.left = nodes

    def charge(self, loc: Location) -> None:
        self.left -= 1
        if self.left < 0:
            raise LoadError("too many nodes (Fn::ForEach expansion)", loc.line, loc.column)


def expand(template: PMap, max_nodes: int) -> list[tuple[str, Location]]:
    """Expand the loops of the template's ``Resources`` in place; return the loops left unexpanded, with
    why (raises LoadError when the expansion passes ``max_nodes``)."""
    resources = template.get("Resources")
    if not isinstance(resources, PMap) or not _has_loop(resources):
        return []
    params = template.get("Parameters")
    budget = _Budget(max_nodes)
    left: list[tuple[str, Location]] = []
    stack: list[PNode] = [resources]
    while stack:  # every mapping and list below Resources, without recursion
        node = stack.pop()
        if isinstance(node, PMap):
            if any(isinstance(k, str) and k.startswith(PREFIX) for k in node):
                _expand_map(node, params if isinstance(params, PMap) else None, budget, left)
            stack.extend(v for v in node.values() if isinstance(v, PMap | PList))
        elif isinstance(node, PList):
            stack.extend(v for v in node if isinstance(v, PMap | PList))
    return left


def _has_loop(node: PMap) -> bool:
    stack: list[PNode] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, PMap):
            if any(isinstance(k, str) and k.startswith(PREFIX) for k in n):
                return True
            stack.extend(v for v in n.values() if isinstance(v, PMap | PList))
        elif isinstance(n, PList):
            stack.extend(v for v in n if isinstance(v, PMap | PList))
    return False


def _expand_map(node: PMap, params: PMap | None, budget: _Budget, left: list[tuple[str, Location]]) -> None:
    """Replace each loop key of one mapping by the entries it makes (nested loops are expanded as the
    walk reaches the copies)."""
    items = [(k, node[k], node.key_locs.get(k, node.loc)) for k in node]
    node.clear()
    node.key_locs.clear()
    for key, value, key_loc in items:
        made = _loop(key, value, key_loc, params, budget, left) if key.startswith(PREFIX) else None
        if made is None:
            node[key] = value
            node.key_locs[key] = key_loc
            continue
        for k, (v, loc) in made.items():
            node[k] = v
            node.key_locs[k] = loc


def _loop(key: str, value: PNode, key_loc: Location, params: PMap | None, budget: _Budget,
          left: list[tuple[str, Location]]) -> dict[str, tuple[PNode, Location]] | None:
    if not (isinstance(value, PList) and len(value) == 3 and isinstance(value[0], PScalar) and value[0].text
            and isinstance(value[2], PMap)):
        left.append((f"{key} is not [Identifier, Collection, {{OutputKey: OutputValue}}]", key_loc))
        return None
    ident = value[0].text
    items = _collection(value[1], params)
    if items is None:
        left.append((f"{key}: its collection is not known before deploy", key_loc))
        return None
    out: dict[str, tuple[PNode, Location]] = {}
    fragment = value[2]
    for item in items:
        for out_key, out_value in fragment.items():
            new_key = _text(out_key, ident, item)
            out[new_key] = (_copy(out_value, ident, item, budget), fragment.key_locs.get(out_key, fragment.loc))
    return out


def _collection(node: PNode, params: PMap | None) -> list[str] | None:
    """The items of a loop's collection: a list of strings, or a ``Ref`` to a list parameter's default."""
    if isinstance(node, PList):
        if all(isinstance(x, PScalar) and x.text is not None for x in node):
            return [x.text for x in node]  # type: ignore[union-attr, misc]
        return None
    if isinstance(node, PMap) and len(node) == 1 and isinstance(node.get("Ref"), PScalar) and params is not None:
        param = params.get(node["Ref"].text or "")
        default = param.get("Default") if isinstance(param, PMap) else None
        if isinstance(default, PScalar) and default.text is not None:
            return [x.strip() for x in default.text.split(",")]
        if isinstance(default, PList) and all(isinstance(x, PScalar) and x.text is not None for x in default):
            return [x.text for x in default]  # type: ignore[union-attr, misc]
    return None


def _text(text: str, ident: str, item: str) -> str:
    if "{" not in text:
        return text
    return text.replace("${" + ident + "}", item).replace("&{" + ident + "}", _NON_ALNUM.sub("", item))


def _copy(node: PNode, ident: str, item: str, budget: _Budget) -> PNode:
    """A copy of a fragment for one item (the depth is the parsed tree's, bounded by ``--max-depth``)."""
    budget.charge(node.loc)
    if isinstance(node, PScalar):
        if node.text is None or not node.is_str:
            return node
        text = _text(node.text, ident, item)
        return node if text == node.text else PScalar(text, node.loc, node.style, True)
    if isinstance(node, PList):
        lst = PList(node.loc)
        lst.extend(_copy(x, ident, item, budget) for x in node)
        return lst
    ref = node.get("Ref") if len(node) == 1 else None
    if isinstance(ref, PScalar) and ref.text == ident:
        return PScalar(item, node.loc, ref.style, True)
    out = PMap(node.loc)
    for k, v in node.items():
        nk = _text(k, ident, item)
        out[nk] = _copy(v, ident, item, budget)
        out.key_locs[nk] = node.key_locs.get(k, node.loc)
    return out
