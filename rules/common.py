"""Small helpers the rule families share: reading actions, effects, principals, condition keys, ARNs and
IDs, and showing values in messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lexiam import model, wildcard
from lexiam.arns import Arn, lex_resource_kind, parse_arn
from lexiam.values import ACCOUNT, REGION, RESOURCE, SELF_KINDS, Part, Symbol, Value, same, segment_text

if TYPE_CHECKING:
    from lexiam.rules.registry import Context

SELF_ACCOUNT = Symbol(ACCOUNT, "AWS::AccountId")
SELF_REGION = Symbol(REGION, "AWS::Region")

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_WILDCARD = re.compile(r"[*?]")
# Lex V2 bot and bot alias IDs: ten letters and digits (the test alias is TSTALIASID); the Lex V2 API
# reference gives every botId and botAliasId a fixed length of 10 and the pattern [0-9a-zA-Z]+.
LEX_ID = re.compile(r"^[0-9A-Za-z]{10}$")


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


def effect(statement: model.Statement) -> str | None:
    """``Allow`` or ``Deny`` when the statement's Effect is known text, else None (missing or unresolved)."""
    text = statement.effect.text if statement.effect is not None else None
    return text if text in ("Allow", "Deny") else None


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


def display(value: Value | Part | tuple[Part, ...] | None, pins: dict[str, str] | None = None) -> str:
    """A value as a message shows it: its text, deploy-time parts as ``${name}``, and the account or region
    given on the command line (``--account-id``) in place of the deploying account or region."""
    if value is None:
        return "?"
    parts = value.parts if isinstance(value, Value) else (value,) if isinstance(value, (str, Symbol)) else value
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif pins and p.kind in SELF_KINDS and p.kind in pins:
            out.append(pins[p.kind])
        else:
            out.append(p.render())
    return "".join(out)


def id_problem(unit: model.Unit, seg: tuple[Part, ...], what: str) -> str | None:
    """Why an ARN segment where a bot (``what="bot"``) or alias ID belongs cannot be one: the name of one of
    the unit's bots, a reference to a name, or literal text that is not a 10-character ID. None when it can
    be an ID or cannot be known (a wildcard, an unknown value)."""
    if any(isinstance(p, str) and _WILDCARD.search(p) for p in seg):
        return None
    if what == "bot":
        for bot in unit.bots:
            if bot.name is not None and bot.name.parts and bot.name.parts == seg:
                return f"uses the name of bot {bot.address} ('{display(bot.name)}') where the bot ID belongs"
    if len(seg) == 1 and isinstance(seg[0], Symbol) and seg[0].kind == RESOURCE:
        if "name" in seg[0].attr.lower():
            return f"uses a {what} name ({seg[0].render()}) where the {what} ID belongs"
        return None
    text = segment_text(seg)
    if text is not None and not LEX_ID.match(text):
        return f"has '{text}' where the 10-character {what} ID belongs" if text else f"has an empty {what} ID"
    return None


# -- roles and the policies that reach them ----------------------------------------------------------------

_ROLE_ENTITIES = (model.IamRole, model.ServiceLinkedRole)


def role_name_parts(value: Value) -> tuple[Part, ...] | None:
    """The role-name part of a role ARN (its last path segment), or the value itself when it is no ARN."""
    arn = parse_arn(value)
    if arn is None:
        return value.parts or None
    if arn.service_text != "iam":
        return None
    segs = arn.resource_segments()
    if len(segs) < 2 or segment_text(segs[0]) != "role":
        return None
    return segs[-1]


def referenced(ctx: Context, value: Value | None) -> list[model.Entity]:
    """The roles and service-linked roles of the unit that a value refers to.

    A typed reference is followed through the graph's index; otherwise a literal or partly symbolic role
    name (or the name in a role ARN) is the role of the unit with exactly that name.
    """
    if value is None:
        return []
    out: list[model.Entity] = []
    for sym in value.symbols:
        if sym.kind == RESOURCE and sym.address:
            out.extend(e for e in ctx.graph.entities(sym.address) if isinstance(e, _ROLE_ENTITIES) and e not in out)
    if out:
        return out
    arn = parse_arn(value)
    if arn is not None and same(arn.account, SELF_ACCOUNT, ctx.pins) is False:
        return out
    name = role_name_parts(value)
    if name:
        out.extend(r for r in ctx.unit.roles if r.name is not None and r.name.parts == name)
    return out


def bot_role_values(ctx: Context) -> Iterator[tuple[model.LexBot, Value]]:
    for bot in ctx.unit.bots:
        if bot.version == "v2" and bot.role_arn is not None:
            yield bot, bot.role_arn


def bot_roles(ctx: Context) -> list[tuple[model.IamRole, list[model.LexBot]]]:
    """The ordinary roles of the unit that Lex V2 bots use, each with its bots (in bot order)."""
    out: dict[str, tuple[model.IamRole, list[model.LexBot]]] = {}
    for bot, value in bot_role_values(ctx):
        for role in referenced(ctx, value):
            if isinstance(role, model.IamRole):
                out.setdefault(role.address, (role, []))[1].append(bot)
    return list(out.values())


def policies_on(ctx: Context, role: model.IamRole) -> Iterator[tuple[model.Entity, Value | None, model.PolicyDocument | None]]:
    """(owner, managed policy ARN, document) of every policy that reaches ``role``."""
    for arn in role.managed_policy_arns:
        yield role, arn, None
    for doc in role.inline:
        yield role, None, doc
    for att in ctx.unit.attachments:
        if att.address != role.address and role in referenced(ctx, att.role):
            yield att, att.policy_arn, att.document
    for ip in ctx.unit.identity_policies:
        if any(role in referenced(ctx, r) for r in ip.roles):
            yield ip, None, ip.document


# -- Lambda permissions ------------------------------------------------------------------------------------

def lambda_principal(perm: model.LambdaPermission) -> str | None:
    """The principal of a Lambda permission as known text (stripped), else None."""
    return perm.principal.text.strip() if perm.principal is not None and perm.principal.text is not None else None


def lex_v2_kind(value: Value | None) -> str | None:
    """"bot" / "bot alias" when a value is a Lex V2 bot or bot alias ARN, else None."""
    kind = resource_kind(value)
    return {"bot": "bot", "bot-alias": "bot alias"}.get(kind or "")


def lex_v2_unit(unit: model.Unit) -> bool:
    """Whether a unit holds Lex V2 bots or aliases and no Lex V1 resource."""
    return (any(b.version == "v2" for b in unit.bots) or bool(unit.aliases)) and not unit.lex_v1


def lex_v1_permission_misused(unit: model.Unit, perm: model.LambdaPermission) -> bool:
    """Whether a permission for the Lex V1 principal was meant for Lex V2 (E9561): its SourceArn is a Lex V2
    ARN, or it has none while the unit holds Lex V2 bots and no Lex V1 resource."""
    return lex_v2_kind(perm.source_arn) is not None or (perm.source_arn is None and lex_v2_unit(unit))
