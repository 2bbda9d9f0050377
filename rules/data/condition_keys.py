"""IAM's global condition keys at run time, from ``global_condition_keys.json`` (built by
``build_condition_keys.py`` from the IAM User Guide page "AWS global condition context keys").

Condition key names are case-insensitive in IAM, so every lookup here folds case. Parsed once, on the
first call to :func:`global_keys`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["DATA_FILE", "GlobalKeys", "global_keys"]

DATA_FILE = "global_condition_keys.json"


@dataclass(frozen=True, slots=True)
class GlobalKeys:
    keys: frozenset[str]  # folded
    prefixes: tuple[str, ...]  # folded, ending in "/" (aws:ResourceTag/ ...)
    tag_keys: tuple[str, ...]  # folded: the ABAC keys and prefixes
    source_title: str
    source_url: str

    def is_global(self, key: str) -> bool:
        """Whether a condition key (any case) is one of the documented global keys."""
        folded = key.strip().lower()
        return folded in self.keys or any(folded.startswith(p) and len(folded) > len(p) for p in self.prefixes)

    def is_tag_key(self, key: str) -> bool:
        """Whether a key is an ABAC tag key (aws:ResourceTag/*, aws:RequestTag/*, aws:PrincipalTag/*, aws:TagKeys)."""
        folded = key.strip().lower()
        return any(folded == t or (t.endswith("/") and folded.startswith(t)) for t in self.tag_keys)


@functools.cache
def global_keys() -> GlobalKeys:
    import json
    from importlib import resources

    doc = json.loads(resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8"))
    return GlobalKeys(
        keys=frozenset(k.lower() for k in doc["keys"]),
        prefixes=tuple(p.lower() for p in doc["prefixes"]),
        tag_keys=tuple(t.lower() for t in doc["tag_keys"]),
        source_title=doc["source"]["title"],
        source_url=doc["source"]["url"],
    )
