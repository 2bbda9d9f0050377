"""ARNs as values: parsing a (possibly symbolic) ARN, and the ARN a typed resource reference stands for.

Both front ends expand a reference to a resource's ARN (``!GetAtt Alias.Arn``,
``awscc_lex_bot_alias.a.arn``) into the same shape of value, so that the account and region of
``arn:${Partition}:lex:${Region}:${Account}:bot-alias/${BotId}/${AliasId}`` compare equal to the
deploying account and region whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass

from lexiam import model
from lexiam.values import (
    ACCOUNT,
    PARTITION,
    REGION,
    RESOURCE,
    Location,
    Part,
    Symbol,
    Value,
    concat,
    segment_text,
    unknown,
)

# The deploy-time parts of a typed ARN, named neutrally ("${account}") so that messages read well in
# any format; a front end may pass its own (CloudFormation passes AWS::AccountId...).
NEUTRAL_SELVES = (Symbol(PARTITION, "partition"), Symbol(REGION, "region"), Symbol(ACCOUNT, "account"))
IMPLIED = "implied"


def resource_symbol(address: str, entity: str, attr: str, name: str = "") -> Symbol:
    return Symbol(RESOURCE, name or f"{address}.{attr}", address=address, entity=entity, attr=attr)


def typed_arn(entity: str, address: str, loc: Location | None, *, bot_id: Value | None = None,
              role_path: Value | None = None, slr_service: Value | None = None,
              name_attr: str = "Name", selves: tuple[Symbol, Symbol, Symbol] = NEUTRAL_SELVES) -> Value | None:
    """The ARN value of a resource declared in the scanned unit, or None when the kind has no ARN shape.

    The resource's own ID is a RESOURCE symbol (so the graph can follow it back to the resource);
    account, region and partition are the deploy-time self symbols.
    """
    # the deploying account and region as the ARN of a resource of the stack implies them, not as the
    # template writes them: a rule that asks whether a template is built for any account looks only at the
    # latter (attr "implied" tells them apart; comparisons look at the kind only)
    _P, _R, _A = (Symbol(s.kind, s.name, s.address, s.entity, IMPLIED) for s in selves)
    head = ("arn:", _P)
    if entity == model.LEX_BOT:
        parts: tuple[Part, ...] = (*head, ":lex:", _R, ":", _A, ":bot/", resource_symbol(address, entity, "Id"))
        return Value(parts, loc)
    if entity == model.LEX_BOT_ALIAS:
        bot = bot_id.parts if bot_id is not None and bot_id.parts else (Symbol("unknown", f"{address}.BotId"),)
        parts = (*head, ":lex:", _R, ":", _A, ":bot-alias/", *bot, "/", resource_symbol(address, entity, "Id"))
        return concat([Value(parts)], loc)
    if entity == model.IAM_ROLE:
        path = role_path.parts if role_path is not None and role_path.parts else ("/",)
        parts = (*head, ":iam::", _A, ":role", *path, resource_symbol(address, entity, name_attr))
        return concat([Value(parts)], loc)
    if entity == model.SERVICE_LINKED_ROLE:
        svc = slr_service.parts if slr_service is not None and slr_service.parts else (Symbol("unknown", "service"),)
        parts = (*head, ":iam::", _A, ":role/aws-service-role/", *svc, "/", resource_symbol(address, entity, "Name"))
        return concat([Value(parts)], loc)
    if entity == model.LAMBDA_FUNCTION:
        parts = (*head, ":lambda:", _R, ":", _A, ":function:", resource_symbol(address, entity, "Name"))
        return Value(parts, loc)
    if entity == model.IAM_POLICY:
        parts = (*head, ":iam::", _A, ":policy/", resource_symbol(address, entity, "Name"))
        return Value(parts, loc)
    return None


@dataclass(frozen=True, slots=True)
class Arn:
    """An ARN split into its fields; each field is a tuple of parts (text and symbols)."""

    value: Value
    partition: tuple[Part, ...]
    service: tuple[Part, ...]
    region: tuple[Part, ...]
    account: tuple[Part, ...]
    resource: tuple[Part, ...]  # everything after the fifth colon, colons kept

    @property
    def service_text(self) -> str | None:
        return segment_text(self.service)

    def resource_segments(self) -> list[tuple[Part, ...]]:
        """The resource field split on ``/`` (``bot-alias/BOTID/ALIASID`` -> 3 segments)."""
        return Value(self.resource).split("/")

    @property
    def resource_type(self) -> str | None:
        segs = self.resource_segments()
        if not segs:
            return None
        first = segment_text(segs[0])
        if first is None:
            return None
        # arn:aws:lambda:...:function:name uses ':' after the type
        return first.split(":", 1)[0]


# Entities whose ARN attribute, referenced where the resource itself is not declared (a partial
# configuration), still has a known shape: a Lex bot (bot/ID) and a bot alias (bot-alias/BOTID/ALIASID).
_SHAPED = (model.LEX_BOT, model.LEX_BOT_ALIAS)


def _shaped(value: Value) -> Value:
    """A value that starts with the ARN attribute of a Lex bot or alias declared nowhere in the unit, written
    as that ARN's shape (account, region and the other IDs unknown), so that what follows it can be judged."""
    head = value.parts[0] if value.parts else None
    if not isinstance(head, Symbol) or head.kind != RESOURCE or head.attr.lower() != "arn" or head.entity not in _SHAPED:
        return value
    selves = (unknown("partition"), unknown("region"), unknown("account"))
    shape = typed_arn(head.entity, head.address, None, selves=selves)
    if shape is None:
        return value
    return concat([shape, Value(value.parts[1:])], value.loc)


def parse_arn(value: Value) -> Arn | None:
    """Split a value that starts with literal ``arn:`` into its fields; None when it is not an ARN."""
    value = _shaped(value)
    if not value.parts or not isinstance(value.parts[0], str) or not value.parts[0].startswith("arn:"):
        return None
    segs = value.split(":")
    if len(segs) < 6:
        return None
    resource: list[Part] = []
    for i, seg in enumerate(segs[5:]):
        if i:
            resource.append(":")
        resource.extend(seg)
    return Arn(value, segs[1], segs[2], segs[3], segs[4], _merge(resource))


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    out: list[Part] = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + p
        else:
            out.append(p)
    return tuple(out)


def lex_resource_kind(arn: Arn) -> str | None:
    """``bot`` or ``bot-alias`` for a Lex V2 resource ARN, else None."""
    if arn.service_text != "lex":
        return None
    segs = arn.resource_segments()
    kind = segment_text(segs[0]) if segs else None
    # Lex V1 ARNs use colons (``bot:Name:Alias``): only ``bot/...`` and ``bot-alias/...`` are V2
    return kind if kind in ("bot", "bot-alias") and len(segs) > 1 else None
