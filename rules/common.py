"""Small helpers the rule families share: reading actions, principals, condition keys and ARNs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lexiam import model, wildcard
from lexiam.arns import Arn, lex_resource_kind, parse_arn
from lexiam.values import ACCOUNT, REGION, Part, Symbol, Value, same, segment_text

SELF_ACCOUNT = Symbol(ACCOUNT, "AWS::AccountId")
SELF_REGION = Symbol(REGION, "AWS::Region")

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_WILDCARD = re.compile(r"[*?]")


@dataclass(frozen=True, slots=True)
class Action:
    """An action string as written, split into its service prefix and name."""

    value: Value
    text: str
    prefix: str | None  # as written (None when there is no colon)
    name: str

    @property
    def is_wildcard(self) -> bool:
        return _WILDCARD.search(self.name) is not None or self.text.strip() == "*"

    @property
    def is_lex(self) -> bool:
        """A well-formed ``lex:`` action (prefix compared case-insensitively, as IAM does)."""
        return self.prefix is not None and self.prefix.lower() == "lex" and self.name == self.name.strip()


def actions_of(statement: model.Statement) -> Iterator[Action]:
    """The known action strings of a statement's Action (not NotAction) element."""
    if statement.action_key != "Action":
        return
    yield from parse_actions(statement.actions)


def parse_actions(values: tuple[Value, ...]) -> Iterator[Action]:
    for v in values:
        text = v.text
        if text is None:
            continue
        prefix, sep, name = text.partition(":")
        yield Action(v, text, prefix if sep else None, name if sep else text)


def is_allow(statement: model.Statement) -> bool:
    return statement.effect is None or statement.effect.text in (None, "Allow")


def has_lex_intent(action: Action) -> bool:
    """Whether an action string was meant for Lex: a ``lex``-like prefix, or a bare Lex action name."""
    if action.prefix is None:
        return False
    p = action.prefix.strip().strip("\"'").lower()
    return p.startswith("lex") or p in ("amazonlex", "amazon-lex", "aws-lex")


def resource_kind(value: Value | None) -> str | None:
    """``bot`` / ``bot-alias`` for a Lex V2 resource ARN value, else None."""
    if value is None:
        return None
    arn = parse_arn(value)
    return lex_resource_kind(arn) if arn else None


def principal_account(value: Value) -> tuple[Part, ...] | None:
    """The account of an AWS principal (12-digit ID or IAM/STS ARN) as ARN parts; None if not known."""
    text = value.text
    if text is not None and _ACCOUNT_ID.match(text.strip()):
        return (text.strip(),)
    arn = parse_arn(value)
    if arn is None:
        return None
    if segment_text(arn.service) not in ("iam", "sts"):
        return None
    return arn.account


def arn_fields_differ(a: Arn, b: Arn, pins: dict[str, str]) -> bool | None:
    """True when two ARNs certainly name different resources, False when certainly the same, else None."""
    verdicts = [same(x, y, pins) for x, y in (
        (a.partition, b.partition), (a.service, b.service), (a.region, b.region), (a.account, b.account))]
    segs_a, segs_b = a.resource_segments(), b.resource_segments()
    if len(segs_a) != len(segs_b):
        if a.value.is_known and b.value.is_known:
            return not _matches(a, b)
        type_a, type_b = (segment_text(s[0]) if s else None for s in (segs_a, segs_b))
        if type_a and type_b and "*" not in type_a + type_b and type_a != type_b:
            return True
        return None
    verdicts += [same(x, y, pins) for x, y in zip(segs_a, segs_b)]
    if any(v is False for v in verdicts):
        if a.value.is_known and b.value.is_known and _matches(a, b):
            return False
        return True
    if all(v is True for v in verdicts):
        return False
    return None


def _matches(a: Arn, b: Arn) -> bool:
    """IAM ARN wildcard matching of known ARNs (``*`` and ``?`` in either)."""
    ta, tb = a.value.text or "", b.value.text or ""
    return wildcard.match(ta, tb) or wildcard.match(tb, ta)


def condition_keys(statement: model.Statement) -> set[str]:
    return {(c.key.text or "").lower() for c in statement.conditions}


def display(value: Value | None) -> str:
    return value.render() if value is not None else "?"
