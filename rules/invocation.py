"""Lex as a caller: Lambda permissions for Lex code hooks (W9560, E9561, W9562).

Lex V2 invokes a code hook as the service principal ``lexv2.amazonaws.com`` with the ARN of the bot
alias that handled the turn (``arn:aws:lex:REGION:ACCOUNT:bot-alias/BOTID/ALIASID``) as the source ARN;
a Lambda permission's SourceArn is matched against it with ARN wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexiam import model
from lexiam.arns import Arn, lex_resource_kind, parse_arn
from lexiam.rules.common import display
from lexiam.rules.data.service_roles import service_roles
from lexiam.rules.registry import Context, check, rule
from lexiam.values import RESOURCE, Part, Value, segment_text

rule(
    "W9560", "lambda-permission-unscoped", "A Lambda permission for Lex V2 without a source",
    "A Lambda permission that lets lexv2.amazonaws.com invoke a function with neither SourceArn nor "
    "SourceAccount lets any Lex V2 bot, in any account, invoke the function: the confused deputy problem.",
    "Add SourceArn with the bot alias ARN (arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/"
    "BOTID/ALIASID, or bot-alias/BOTID/* for every alias of the bot) and SourceAccount.",
    "invocation", tags=("lambda", "security", "confused-deputy"), security_severity=5.5,
)
rule(
    "E9561", "lambda-permission-v1-principal", "A Lambda permission for the Lex V1 principal used by Lex V2",
    "Lex V2 invokes code hooks as lexv2.amazonaws.com; lex.amazonaws.com is the Lex V1 principal. A permission "
    "for lex.amazonaws.com whose SourceArn is a Lex V2 bot or alias, or that sits beside Lex V2 bots with no "
    "Lex V1 resource to name, never applies: the bot's calls to the function are denied.",
    "Use Principal lexv2.amazonaws.com with the bot alias ARN as SourceArn.",
    "invocation", tags=("lambda", "lex", "correctness"),
)
rule(
    "W9562", "lambda-permission-source-arn-mismatch", "A Lambda permission for Lex V2 whose SourceArn never matches",
    "Lex V2 calls a code hook with the bot alias ARN as its source (bot-alias/BOTID/ALIASID). A SourceArn that "
    "is a bot ARN (bot/BOTID, bot/BOTID/*), a bot ARN with -alias/* appended, a bot or alias name where an ID "
    "belongs, a placeholder (<account-id>) or another service's ARN never matches: the permission deploys and "
    "the bot cannot invoke the function.",
    "Use the bot alias ARN: !GetAtt BotAlias.Arn, arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:"
    "bot-alias/${Bot}/* for every alias of a bot (CloudFormation !Ref of a bot is its ID), or "
    "aws_lexv2models_bot.x.id in Terraform.",
    "invocation", tags=("lambda", "lex", "correctness"),
)

# Lex V2 bot and bot alias IDs: ten letters and digits (the test alias is TSTALIASID).
_LEX_ID = re.compile(r"^[0-9A-Za-z]{10}$")
_WILD = re.compile(r"[*?]")
_PLACEHOLDER = re.compile(r"<[^<>]*>?|\{[^{}]*\}?|[>}]")
_V1_TYPES = ("bot:", "intent:", "slottype:")


def _principal(perm: model.LambdaPermission) -> str | None:
    return perm.principal.text.strip() if perm.principal is not None and perm.principal.text is not None else None


@check("W9560", "E9561", "W9562")
def check_lambda_permissions(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    v2_context = (any(b.version == "v2" for b in ctx.unit.bots) or bool(ctx.unit.aliases)) and not ctx.unit.lex_v1
    for perm in ctx.unit.lambda_permissions:
        principal = _principal(perm)
        if principal == data.v2_principal:
            if perm.source_arn is None and perm.source_account is None:
                yield ctx.finding(
                    "W9560", f"{perm.address} lets {principal} invoke the function with neither SourceArn nor "
                    "SourceAccount: any bot in any account can invoke it", perm.principal.loc if perm.principal else None,
                    perm)
            elif perm.source_arn is not None:
                problem = source_arn_problem(ctx, perm.source_arn)
                if problem:
                    yield ctx.finding(
                        "W9562", f"SourceArn '{display(perm.source_arn)}' {problem}; Lex V2 invokes with the bot alias "
                        "ARN (bot-alias/BOTID/ALIASID), so this permission never applies", perm.source_arn.loc, perm)
        elif principal == data.v1_principal:
            kind = _v2_kind(perm.source_arn)
            if kind:
                yield ctx.finding(
                    "E9561", f"{perm.address} grants {principal}, the Lex V1 principal, for a Lex V2 {kind} ARN; Lex V2 "
                    f"invokes as {data.v2_principal}, so the permission never applies",
                    perm.principal.loc if perm.principal else None, perm)
            elif perm.source_arn is None and v2_context:
                yield ctx.finding(
                    "E9561", f"{perm.address} grants {principal}, the Lex V1 principal, beside Lex V2 bots and no Lex V1 "
                    f"resource; Lex V2 invokes as {data.v2_principal}, so the permission never applies",
                    perm.principal.loc if perm.principal else None, perm)


def _v2_kind(value: Value | None) -> str | None:
    if value is None:
        return None
    arn = parse_arn(value)
    kind = lex_resource_kind(arn) if arn is not None else None
    return {"bot": "bot", "bot-alias": "bot alias"}.get(kind or "")


def source_arn_problem(ctx: Context, value: Value) -> str | None:
    """Why a SourceArn can never match the bot alias ARN Lex V2 sends, or None."""
    for part in value.parts:
        m = _PLACEHOLDER.search(part) if isinstance(part, str) else None
        if m is not None:
            return f"holds the placeholder '{m.group(0)}'"
    arn = parse_arn(value)
    if arn is None:
        return None
    service = arn.service_text
    if service is None or _WILD.search(service):
        return None
    if service != "lex":
        return f"is a {service} ARN, not a Lex bot alias ARN"
    account = segment_text(arn.account)
    if account is not None and account and not _WILD.search(account) and not re.fullmatch(r"\d{12}", account):
        return f"has '{account}' where the 12-digit account ID belongs"
    resource = segment_text(arn.resource)
    if resource is not None and resource.startswith(_V1_TYPES):
        return "is a Lex V1 ARN"
    return _resource_problem(ctx, arn)


def _resource_problem(ctx: Context, arn: Arn) -> str | None:
    segs = arn.resource_segments()
    kind = segment_text(segs[0]) if segs else None
    if kind == "bot" and len(segs) > 1:
        if any(isinstance(p, str) and p.startswith("-alias") for s in segs[1:] for p in s):
            return "is a bot ARN with '-alias' appended, not a bot alias ARN"
        return "is a bot ARN (bot/BOTID), not a bot alias ARN"
    if kind != "bot-alias":
        return None
    if len(segs) == 2 and not _has_wild(segs[1]):
        return "names a bot but no alias (bot-alias/BOTID/ALIASID)"
    for seg, what in ((segs[1], "bot"), (segs[2] if len(segs) > 2 else None, "alias")):
        if seg is None or _has_wild(seg):
            continue
        problem = _id_problem(ctx, seg, what)
        if problem:
            return problem
    return None


def _has_wild(seg: tuple[Part, ...]) -> bool:
    return any(isinstance(p, str) and _WILD.search(p) for p in seg)


def _id_problem(ctx: Context, seg: tuple[Part, ...], what: str) -> str | None:
    """Why an ARN segment cannot be a bot (or alias) ID: a name of the unit's bots, or text that is no ID."""
    if what == "bot":
        for bot in ctx.unit.bots:
            if bot.name is not None and bot.name.parts and bot.name.parts == seg:
                return f"uses the name of bot {bot.address} ('{display(bot.name)}') where the bot ID belongs"
    if len(seg) == 1 and not isinstance(seg[0], str) and seg[0].kind == RESOURCE:
        attr = seg[0].attr.lower()
        if "name" in attr:
            return f"uses a {what} name ({seg[0].render()}) where the {what} ID belongs"
        return None
    text = segment_text(seg)
    if text is not None and not _LEX_ID.match(text):
        return f"has '{text}' where the 10-character {what} ID belongs"
    return None
