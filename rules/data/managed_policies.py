"""What the AWS managed policies that bot roles get grant, as far as W9532 asks, from ``managed_policies.json``.

Each policy is a :class:`~lexiam.model.PolicyDocument` built from its statements (the ones that name an action
of the services the data covers), so the rules read it like any policy of the scan. A policy the data does not
list is unknown. Parsed once, on the first call to :func:`managed_policies`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lexiam.model import PolicyDocument
from lexiam.policy import parse_policy
from lexiam.values import RList, RMap, Value

__all__ = ["DATA_FILE", "ManagedPolicies", "ManagedPolicy", "managed_policies"]

DATA_FILE = "managed_policies.json"
_ARN = re.compile(r"^arn:[a-z0-9-]+:iam::aws:policy(?P<path>/(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]+)$")


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    name: str
    path: str
    document: PolicyDocument
    source_title: str
    source_url: str


@dataclass(frozen=True, slots=True)
class ManagedPolicies:
    services: frozenset[str]
    by_name: dict[str, ManagedPolicy]

    def of(self, arn_text: str) -> ManagedPolicy | None:
        """The policy an AWS managed policy ARN (any partition) names, when the data knows it."""
        m = _ARN.match(arn_text.strip())
        if m is None:
            return None
        policy = self.by_name.get(m.group("name"))
        return policy if policy is not None and policy.path == m.group("path") else None


def _node(obj: object) -> object:
    if isinstance(obj, dict):
        out = RMap()
        for k, v in obj.items():
            out[k] = _node(v)
        return out
    if isinstance(obj, list):
        return RList([_node(v) for v in obj])
    return Value.of(obj)


@functools.cache
def managed_policies() -> ManagedPolicies:
    import json
    from importlib import resources

    doc = json.loads(resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8"))
    by_name: dict[str, ManagedPolicy] = {}
    for entry in doc["policies"]:
        parsed = parse_policy(_node({"Version": "2012-10-17", "Statement": entry["statements"]}))
        assert parsed is not None
        by_name[entry["name"]] = ManagedPolicy(entry["name"], entry["path"], parsed, entry["source"]["title"],
                                               entry["source"]["url"])
    return ManagedPolicies(frozenset(doc["services"]), by_name)
