"""Lex service-linked roles, service principals and caller policies, as data.

The facts live in ``service_roles.json`` beside this module (read through importlib.resources, so the
package works installed from a wheel) and are parsed once, on the first call to :func:`service_roles`.

Role names are compared case-insensitively (IAM keeps role names unique regardless of case); service
principals and managed policy names are compared exactly, as IAM does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["DATA_FILE", "LinkedRole", "ServiceRoles", "service_roles"]

DATA_FILE = "service_roles.json"

_MANAGED_POLICY_ARN = re.compile(r"^arn:[a-z0-9-]+:iam::aws:policy/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
_LEX_TOKEN = re.compile(r"(?:^|[.\-_/])lex", re.I)


@dataclass(frozen=True, slots=True)
class LinkedRole:
    """One Lex service-linked role: the service that owns it and the name IAM gives it."""

    service: str  # the AWSServiceName / service principal (lexv2.amazonaws.com)
    role_name: str  # the name without a custom suffix (AWSServiceRoleForLexV2Bots)
    lex_version: str  # "v1" | "v2"
    purpose: str  # "bots" | "channels" | "replication"
    custom_suffix: bool  # whether IAM accepts a CustomSuffix for this service
    bot_role: bool  # whether a Lex V2 bot may use it as its RoleArn

    @property
    def path(self) -> str:
        return f"/aws-service-role/{self.service}/"

    def name_with(self, suffix: str | None) -> str:
        """The role name IAM creates for this service with that custom suffix (None: no suffix)."""
        return f"{self.role_name}_{suffix}" if suffix else self.role_name

    def describe(self) -> str:
        version = "Lex V2" if self.lex_version == "v2" else "Lex V1"
        return f"the {version} {self.purpose} service-linked role {self.role_name} ({self.service})"


class ServiceRoles:
    """The parsed data. Build it with ``service_roles()``; it is immutable by convention."""

    __slots__ = ("_by_service", "caller_policies", "linked_roles", "path_prefix", "reserved_prefix",
                 "suffix_pattern", "suffix_separator", "v1_principal", "v2_principal")

    def __init__(self, document: dict[str, Any]) -> None:
        self.linked_roles = tuple(
            LinkedRole(r["service"], r["role_name"], r["lex_version"], r["purpose"], bool(r["custom_suffix"]),
                       bool(r["bot_role"]))
            for r in document["service_linked_roles"])
        self._by_service = {r.service: r for r in self.linked_roles}
        self.path_prefix: str = document["service_linked_role_path_prefix"]
        self.reserved_prefix: str = document["reserved_role_name_prefix"]
        self.suffix_pattern = re.compile(document["custom_suffix"]["pattern"], re.ASCII)
        self.suffix_separator: str = document["custom_suffix"]["separator"]
        self.v2_principal: str = document["principals"]["v2"]
        self.v1_principal: str = document["principals"]["v1"]
        self.caller_policies: dict[str, str] = {p["name"]: p["grants"] for p in document["caller_policies"]}

    # -- services ------------------------------------------------------------------------------------
    def by_service(self, service: str) -> LinkedRole | None:
        """The Lex service-linked role IAM creates for that AWSServiceName (exact), or None."""
        return self._by_service.get(service)

    @property
    def bot_role(self) -> LinkedRole:
        return next(r for r in self.linked_roles if r.bot_role)

    @staticmethod
    def looks_like_lex_service(service: str) -> bool:
        """Whether an AWSServiceName was meant for Lex (``lexv2``, ``lex-v2.amazonaws.com``, ``Lex...``)."""
        return _LEX_TOKEN.search(service.strip()) is not None

    def suggest_service(self, service: str) -> str | None:
        """The Lex service name closest to a wrong one: ``lexv2`` -> ``lexv2.amazonaws.com``."""
        folded = re.sub(r"[^a-z0-9.]", "", service.strip().lower())
        for r in self.linked_roles:
            if folded in (r.service, r.service.removesuffix(".amazonaws.com")):
                return r.service
        bare = folded.removesuffix(".amazonaws.com").removesuffix(".amazon.com")
        for r in self.linked_roles:
            if bare == r.service.removesuffix(".amazonaws.com").replace(".", ""):
                return r.service
        import difflib

        best = difflib.get_close_matches(folded, [r.service for r in self.linked_roles], n=1, cutoff=0.75)
        return best[0] if best else None

    def suffix_ok(self, suffix: str) -> bool:
        return self.suffix_pattern.fullmatch(suffix) is not None

    # -- role names ----------------------------------------------------------------------------------
    def by_role_name(self, name: str) -> LinkedRole | None:
        """The Lex service-linked role a role name belongs to (``AWSServiceRoleForLexV2Bots_Orders``)."""
        folded = name.strip().lower()
        for r in self.linked_roles:
            base = r.role_name.lower()
            if folded == base:
                return r
            if r.custom_suffix and folded.startswith(base + self.suffix_separator.lower()):
                if self.suffix_ok(name.strip()[len(base) + 1:]):
                    return r
        return None

    def by_name_prefix(self, prefix: str) -> LinkedRole | None:
        """The role whose suffixed names all start with ``prefix`` (the known head of a partly known name)."""
        folded = prefix.lower()
        for r in self.linked_roles:
            head = (r.role_name + self.suffix_separator).lower()
            if r.custom_suffix and folded.startswith(head):
                return r
        return None

    def by_name_start(self, name: str) -> LinkedRole | None:
        """The Lex service-linked role whose name a role name starts with (the longest one), case-insensitively."""
        folded = name.strip().lower()
        matches = [r for r in self.linked_roles if folded.startswith(r.role_name.lower())]
        return max(matches, key=lambda r: len(r.role_name)) if matches else None

    def is_reserved_name(self, name: str) -> bool:
        """A role name in the range IAM keeps for Lex service-linked roles."""
        return name.strip().lower().startswith(self.reserved_prefix.lower())

    def is_service_role_path(self, path: str) -> bool:
        return path.strip().startswith(self.path_prefix)

    # -- caller policies -----------------------------------------------------------------------------
    def caller_policy(self, text: str) -> str | None:
        """The caller policy a managed policy name or AWS managed policy ARN names, or None."""
        text = text.strip()
        m = _MANAGED_POLICY_ARN.match(text)
        name = m.group(1) if m else text
        return name if name in self.caller_policies else None


@functools.cache
def service_roles() -> ServiceRoles:
    """The service-role data, loaded from the package data on the first call and shared afterwards."""
    import json
    from importlib import resources

    return ServiceRoles(json.loads(resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")))
