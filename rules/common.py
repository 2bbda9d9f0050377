"""Small helpers the rule families share: reading actions, effects, principals, condition keys, ARNs and
IDs, and showing values in messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lexiam import model, wildcard
from lexiam.arns import Arn, lex_resource_kind, parse_arn
from lexiam.graph import may_match
from lexiam.values import ACCOUNT, REGION, RESOURCE, SELF_KINDS, Part, Symbol, Value, same, segment_text

if TYPE_CHECKING:
    from lexiam.graph import Graph
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


def id_problem(graph: Graph, seg: tuple[Part, ...], what: str) -> str | None:
    """Why an ARN segment where a bot (``what="bot"``) or alias ID belongs cannot be one: the name of one of
    the unit's bots, a reference to a name, or literal text that is not a 10-character ID. None when it can
    be an ID or cannot be known (a wildcard, an unknown value)."""
    if any(isinstance(p, str) and _WILDCARD.search(p) for p in seg):
        return None
    if what == "bot":
        bot = graph.bot_named(seg)
        if bot is not None and bot.name is not None:
            return f"uses the name of bot {bot.address} ('{display(bot.name)}') where the bot ID belongs"
    if len(seg) == 1 and isinstance(seg[0], Symbol) and seg[0].kind == RESOURCE:
        if "name" in seg[0].attr.lower():
            return f"uses a {what} name ({seg[0].render()}) where the {what} ID belongs"
        return None
    text = segment_text(seg)
    if text is not None and not LEX_ID.match(text):
        return f"has '{text}' where the 10-character {what} ID belongs" if text else f"has an empty {what} ID"
    return None


# -- roles and the policies that reach them (asked of the graph) ----------------------------------------

def bot_role_values(ctx: Context) -> Iterator[tuple[model.LexBot, Value]]:
    for bot in ctx.unit.bots:
        if bot.version == "v2" and bot.role_arn is not None:
            yield bot, bot.role_arn


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


# -- what policies allow ------------------------------------------------------------------------------------

def action_covered(st: model.Statement, action: str) -> bool | None:
    """Whether a statement's Action (or NotAction) covers an action: True, False, or None when unknown."""
    if st.action_key is None or "Action" in st.unresolved or "NotAction" in st.unresolved:
        return None
    folded = action.lower()
    hits: list[bool | None] = []
    for v in st.actions:
        text = v.text
        hits.append(None if text is None else wildcard.match(text.strip().lower(), folded))
    return _covered(hits, st.action_key == "NotAction")


def _covered(hits: list[bool | None], negated: bool) -> bool | None:
    """Whether an element list (Action, Resource) covers a value, from whether each element matches it; a
    NotAction / NotResource list covers what none of its elements matches."""
    if any(h is True for h in hits):
        return not negated
    if all(h is False for h in hits):
        return negated
    return None


def resource_covered(graph: Graph, st: model.Statement, resource: Value | None) -> bool | None:
    """Whether a statement's Resource (or NotResource) covers a resource (None: any resource will do, so a
    statement covers it unless its NotResource excludes every resource)."""
    if st.resource_key is None or "Resource" in st.unresolved or "NotResource" in st.unresolved:
        return None if resource is not None or st.resource_key != "Resource" else True
    if resource is None:
        return not (st.resource_key == "NotResource" and any((v.text or "").strip() == "*" for v in st.resources))
    hits: list[bool | None] = []
    for v in st.resources:
        if v.text is not None and v.text.strip() == "*":
            hits.append(True)
        elif v.text is not None and resource.text is not None:
            hits.append(wildcard.match(v.text.strip(), resource.text))
        else:
            hits.append(None if may_match(v, resource, graph.pins) else False)
    return _covered(hits, st.resource_key == "NotResource")


def may_allow(graph: Graph, documents: list[model.PolicyDocument], action: str, resources: list[Value | None]) -> bool:
    """Whether the documents may allow ``action`` on one of ``resources`` (None: any resource): False only when
    no Allow statement can cover it, or a Deny without conditions certainly does (NotAction, NotResource and
    wildcards as IAM reads them; an unknown part always may)."""
    for resource in resources:
        allowed = False
        denied = False
        for doc in documents:
            for st in doc.statements:
                acts = action_covered(st, action)
                res = resource_covered(graph, st, resource)
                kind = effect(st)
                if kind == "Deny":
                    if acts is True and res is True and not st.conditions and not st.unresolved:
                        denied = True
                elif acts is not False and res is not False:
                    allowed = True
        if allowed and not denied:
            return True
    return False
