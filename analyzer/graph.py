"""Who references whom inside one unit, on networkx.

Nodes are entity addresses (logical IDs / Terraform addresses).  An edge ``a -> b`` with
``rel=<field>`` says that entity ``a``'s field (``resource_arn``, ``role_arn``, ``role``,
``source_arn``, ``bot_id``...) refers to resource ``b``: through a typed symbol (``!GetAtt``,
``!Ref``, ``aws_x.y.arn``) or, for roles, through a literal name or ARN that matches a role
declared in the same unit.  Rules ask the graph instead of re-walking templates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lexiam import model
from lexiam.arns import parse_arn
from lexiam.values import RESOURCE, Value, segment_text

_ROLE_FIELDS = frozenset({"role", "roles", "role_arn", "value"})


if TYPE_CHECKING:
    import networkx as nx


class Graph:
    """The reference graph of one unit.

    The edges are collected when the graph is made; the networkx graph itself is built on the first
    query, so a unit whose rules never ask (most templates of a large repository) never pays for
    importing networkx.
    """

    def __init__(self, unit: model.Unit) -> None:
        self.unit = unit
        self.by_address: dict[str, list[model.Entity]] = {}
        for entity in unit.entities():
            self.by_address.setdefault(entity.address, []).append(entity)
        self._role_names = self._index_role_names()
        self._edges: list[tuple[str, str, dict[str, Any]]] = []
        for entity in unit.entities():
            for f in dataclasses.fields(entity):
                value = getattr(entity, f.name)
                values = value if isinstance(value, tuple) else (value,)
                for v in values:
                    if isinstance(v, Value):
                        for target in self._targets_of(v, f.name):
                            if target != entity.address:
                                self._edges.append((entity.address, target, {"rel": f.name}))
        self._g: nx.MultiDiGraph | None = None

    @property
    def g(self) -> nx.MultiDiGraph:
        if self._g is None:
            import networkx as nx

            g = nx.MultiDiGraph()
            for address, entities in self.by_address.items():
                g.add_node(address, type=entities[0].type)
            g.add_edges_from(self._edges)
            self._g = g
        return self._g

    def _index_role_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for role in self.unit.roles:
            if role.name is not None and role.name.text:
                names[role.name.text] = role.address
        for slr in self.unit.service_linked_roles:
            names.setdefault(f"slr:{slr.address}", slr.address)
        return names

    def _targets_of(self, v: Value, field: str) -> Iterator[str]:
        for sym in v.symbols:
            if sym.kind == RESOURCE and sym.address and sym.address in self.unit.resource_types:
                yield sym.address
        if field in _ROLE_FIELDS and v.is_known and v.text:
            text = v.text
            arn = parse_arn(v)
            if arn is not None:
                if segment_text(arn.service) != "iam":
                    return
                res = segment_text(arn.resource) or ""
                text = res.rsplit("/", 1)[-1] if res.startswith("role/") else ""
            if text in self._role_names:
                yield self._role_names[text]

    # -- queries -----------------------------------------------------------------------------------
    def targets(self, address: str, rel: str | None = None) -> list[str]:
        if not self._edges or address not in self.by_address:
            return []
        out = []
        for _, target, data in self.g.out_edges(address, data=True):
            if rel is None or data.get("rel") == rel:
                if target not in out:
                    out.append(target)
        return out

    def sources(self, address: str, rel: str | None = None) -> list[str]:
        if not self._edges or address not in self.by_address:
            return []
        out = []
        for source, _, data in self.g.in_edges(address, data=True):
            if rel is None or data.get("rel") == rel:
                if source not in out:
                    out.append(source)
        return out

    def entities(self, address: str, kind: type[model.Entity] | None = None) -> list[model.Entity]:
        found = self.by_address.get(address, [])
        return [e for e in found if kind is None or isinstance(e, kind)]

    def target_entities(self, address: str, rel: str, kind: type[model.Entity]) -> list[model.Entity]:
        out: list[model.Entity] = []
        for t in self.targets(address, rel):
            out.extend(self.entities(t, kind))
        return out
