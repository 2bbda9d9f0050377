"""Lex as a caller: Lambda permissions for Lex code hooks (W9560, E9561, W9562, W9563).

Lex V2 invokes a code hook as the service principal ``lexv2.amazonaws.com`` with the ARN of the bot
alias that handled the turn (``arn:aws:lex:REGION:ACCOUNT:bot-alias/BOTID/ALIASID``) as the source ARN;
a Lambda permission's SourceArn is matched against it with ARN wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexiam import model, wildcard
from lexiam.arns import Arn, parse_arn
from lexiam.graph import Hook, may_match
from lexiam.model import FIX_REFERENCE, FIX_REPLACE, LEX_BOT, LEX_BOT_ALIAS, Fix
from lexiam.rules.common import display, id_problem, lambda_principal, lex_v1_permission_misused, lex_v2_kind
from lexiam.rules.data.service_roles import service_roles
from lexiam.rules.registry import FIX_SAFE, FIX_UNSAFE, Context, check, rule
from lexiam.rules.sources import (
    CFN_LAMBDA_PERMISSION,
    IAM_CONFUSED_DEPUTY,
    LAMBDA_RBP,
    LEX_DESCRIBE_ALIAS,
    LEX_LAMBDA_API,
    LEX_SLR,
    SAR_LEX_V2,
)
from lexiam.values import RESOURCE, Part, Value, segment_text

rule(
    "W9560", "lambda-permission-unscoped", "A Lambda permission for Lex without a source",
    "A Lambda permission that lets lexv2.amazonaws.com (or lex.amazonaws.com, the Lex V1 principal) invoke a "
    "function with neither SourceArn nor SourceAccount lets any bot, in any account, invoke the function: the "
    "confused deputy problem.",
    "Add SourceArn with the bot alias ARN (arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/"
    "BOTID/ALIASID, or bot-alias/BOTID/* for every alias of the bot) and SourceAccount.",
    "invocation", tags=("lambda", "security", "confused-deputy"), security_severity=5.5,
    evidence=(
        IAM_CONFUSED_DEPUTY.says("Cross-service confused deputy prevention",
                                 "A service principal granted access without aws:SourceArn or aws:SourceAccount can be "
                                 "made to act for any account's resource; AWS recommends both."),
        CFN_LAMBDA_PERMISSION.says("Properties: SourceArn, SourceAccount",
                                   "SourceArn and SourceAccount limit which resource and account of the service "
                                   "principal may invoke the function."),
    ),
)
rule(
    "E9561", "lambda-permission-v1-principal", "A Lambda permission for the Lex V1 principal used by Lex V2",
    "Lex V2 invokes code hooks as lexv2.amazonaws.com; lex.amazonaws.com is the principal Lex V1 invokes "
    "Lambda with. A Lambda permission for lex.amazonaws.com whose SourceArn is a Lex V2 bot or alias, or that "
    "sits beside Lex V2 bots with no Lex V1 resource to name, never applies: the bot's calls to the function "
    "are denied.",
    "Use Principal lexv2.amazonaws.com with the bot alias ARN as SourceArn.",
    "invocation", tags=("lambda", "lex", "correctness"), fix_safety=FIX_SAFE,
    evidence=(
        LEX_SLR.says("Service-linked role permissions for Amazon Lex V2",
                     "Lex V2 acts as the service principal lexv2.amazonaws.com; lex.amazonaws.com is Lex V1's.",
                     kind="inferred"),
        LEX_LAMBDA_API.says("Attach an AWS Lambda function to a bot alias",
                            "The code hook is attached to a bot alias, whose calls come from Lex V2.", kind="inferred"),
    ),
)
rule(
    "W9562", "lambda-permission-source-arn-mismatch", "A Lambda permission for Lex V2 whose SourceArn never matches",
    "Lex V2 calls a code hook with the bot alias ARN as its source (bot-alias/BOTID/ALIASID). A SourceArn that "
    "is a bot ARN (bot/BOTID, bot/BOTID/*), a bot ARN with -alias/* appended, an alias ARN with more segments "
    "after the alias ID (${alias.arn}/*, bot-alias/B/A/*), a bot or alias name where an ID belongs, a "
    "placeholder (<account-id>) or another service's ARN never matches: the permission deploys and the bot "
    "cannot invoke the function.",
    "Use the bot alias ARN itself: !GetAtt BotAlias.Arn or awscc_lex_bot_alias.x.arn (no /* after it), "
    "arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/* for every alias of a bot "
    "(CloudFormation !Ref of a bot is its ID), or aws_lexv2models_bot.x.id in Terraform.",
    "invocation", tags=("lambda", "lex", "correctness"),
    fix_safety=FIX_UNSAFE,  # the alias the permission meant is a guess, from the one alias of the bot in the scan
    evidence=(
        SAR_LEX_V2.says("Resource types defined by Amazon Lex V2",
                        "A bot alias ARN is bot-alias/${BotId}/${BotAliasId}: two IDs after the resource type, "
                        "nothing more.", kind="direct"),
        LEX_LAMBDA_API.says("Attach an AWS Lambda function to a bot alias",
                            "Code hooks belong to a bot alias; AWS's Lex V2 samples scope the Lambda permission to the "
                            "alias ARN, which is the source ARN of the invocation.", kind="inferred"),
    ),
)

rule(
    "W9563", "lambda-permission-missing", "A code hook that no Lambda permission lets Lex V2 invoke",
    "A bot alias (or the bot's test alias, TSTALIASID) whose locale names a Lambda function of the scan as its "
    "code hook can only call it when the function's resource policy lets lexv2.amazonaws.com invoke it for that "
    "alias: a Lambda permission on the function (by name, ARN, and the same qualifier: a permission on the "
    "function does not cover an alias or version of it) with no SourceArn, or one that matches the alias ARN. "
    "Without one, every turn that needs the hook fails at run time. Not reported when the function is outside "
    "the scan, or when a permission of the scan has a principal, function or SourceArn that cannot be known "
    "(a permission added in the console is invisible to a template, hence a warning).",
    "Add a Lambda permission: Principal lexv2.amazonaws.com, FunctionName the hook's function (with the same "
    "qualifier), SourceArn the alias ARN (!GetAtt Alias.Arn, awscc_lex_bot_alias.x.arn) or bot-alias/BOTID/* "
    "for every alias of the bot, the test alias TSTALIASID included.",
    "invocation", tags=("lambda", "lex", "correctness"),
    evidence=(
        LEX_LAMBDA_API.says("Attach an AWS Lambda function to a bot alias",
                            "A code hook is attached to a bot alias per locale; Lex V2 invokes it for that alias.",
                            kind="inferred"),
        LAMBDA_RBP.says("Resource-based policies for functions, versions and aliases",
                        "A function's resource-based policy decides which services may invoke it; a permission can "
                        "be scoped to a version or alias, and applies only to that qualifier.", kind="inferred"),
        LEX_DESCRIBE_ALIAS.says("URI Request Parameters: botAliasId",
                                "The test alias's ID is TSTALIASID: a permission scoped to another alias does not "
                                "cover it."),
    ),
)

_WILD = re.compile(r"[*?]")
_PLACEHOLDER = re.compile(r"<[^<>]*>?|\{[^{}]*\}?|[>}]")
_V1_TYPES = ("bot:", "intent:", "slottype:")


@check("W9560", "E9561", "W9562")
def check_lambda_permissions(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    for perm in ctx.unit.lambda_permissions:
        principal = lambda_principal(perm)
        where = perm.principal.loc if perm.principal else None
        if principal in (data.v2_principal, data.v1_principal) and perm.source_arn is None and perm.source_account is None:
            yield ctx.finding(
                "W9560", f"{perm.address} lets {principal} invoke the function with neither SourceArn nor "
                "SourceAccount: any bot in any account can invoke it", where, perm)
        if principal == data.v2_principal and perm.source_arn is not None:
            problem = source_arn_problem(ctx, perm.source_arn)
            if problem:
                yield ctx.finding(
                    "W9562", f"SourceArn '{display(perm.source_arn, ctx.pins)}' {problem}; Lex V2 invokes with the bot "
                    "alias ARN (bot-alias/BOTID/ALIASID), so this permission never applies", perm.source_arn.loc, perm,
                    fix=alias_arn_fix(ctx, perm, perm.source_arn))
        elif principal == data.v1_principal and lex_v1_permission_misused(ctx.unit, perm):
            kind = lex_v2_kind(perm.source_arn)
            what = f"for a Lex V2 {kind} ARN" if kind else "beside Lex V2 bots and no Lex V1 resource"
            # lexv2.amazonaws.com instead, where the permission is then right: its SourceArn matches what Lex V2
            # sends, or it has none and is scoped by SourceAccount (else W9562 or W9560 would follow the fix)
            right = (source_arn_problem(ctx, perm.source_arn) is None if perm.source_arn is not None
                     else perm.source_account is not None)
            yield ctx.finding(
                "E9561", f"{perm.address} grants {principal}, the Lex V1 principal, {what}; Lex V2 invokes as "
                f"{data.v2_principal}, so the permission never applies", where, perm,
                fix=Fix(FIX_REPLACE, principal, data.v2_principal, f"{principal} -> {data.v2_principal}") if right else None)


def alias_arn_fix(ctx: Context, perm: model.LambdaPermission, value: Value) -> Fix | None:
    """The ARN of the bot alias a SourceArn that never matches was meant for: the alias it names with segments
    after its ID (``${Alias.Arn}/*``), or the one alias in the scan of the bot it names (a bot ARN,
    ``${bot.arn}-alias/*``).  None when that alias is not certain, or not in the permission's own module."""
    refs = [s for s in value.symbols if s.kind == RESOURCE and s.address]
    named = {s.address for s in refs if s.entity == LEX_BOT_ALIAS}
    bots = {s.address for s in refs if s.entity == LEX_BOT}
    candidates: list[model.LexBotAlias]
    if len(named) == 1:
        candidates = [a for a in ctx.graph.entities(next(iter(named)), model.LexBotAlias)]  # type: ignore[misc]
    elif not named and len(bots) == 1:
        candidates = [a for bot in ctx.graph.entities(next(iter(bots)), model.LexBot)
                      for a in ctx.graph.parts_of(bot)[0]]  # type: ignore[arg-type]
    else:
        return None
    # the alias must be a resource of its own (a bot's test alias has no ARN to refer to), in the same module
    candidates = [a for a in candidates if a.alias_id is None]
    if len(candidates) != 1 or candidates[0].bot_id is None or _module(candidates[0].address) != _module(perm.address):
        return None
    alias = candidates[0]
    return Fix(FIX_REFERENCE, value.render(), alias.address, f"SourceArn -> the ARN of {alias.address}")


def _module(address: str) -> str:
    """The module part of an address (``module.x`` of ``module.x.aws_lambda_permission.p``; "" at the top)."""
    return address.rsplit(".", 2)[0] if address.count(".") >= 2 else ""


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
    if len(segs) > 3:
        # an alias ARN has exactly two slashes after bot-alias; a * matches any run of characters but can
        # never take a literal slash away, so a third one makes the pattern longer than any alias ARN
        return "has more segments after the alias ID (bot-alias/BOTID/ALIASID/...), which no alias ARN has"
    for seg, what in ((segs[1], "bot"), (segs[2] if len(segs) > 2 else None, "alias")):
        if seg is None:
            continue
        problem = id_problem(ctx.graph, seg, what)
        if problem:
            return problem
    return None


def _has_wild(seg: tuple[Part, ...]) -> bool:
    return any(isinstance(p, str) and _WILD.search(p) for p in seg)


# -- W9563 ------------------------------------------------------------------------------------------------

@check("W9563")
def check_missing_permissions(ctx: Context) -> Iterator[model.Finding]:
    v2 = service_roles().v2_principal
    for hook in ctx.graph.hooks():
        fn = hook.function.function
        if fn is None or not hook.function.known:
            continue  # outside the scan, or cannot be known
        if ctx.graph.conditional(hook.alias) or ctx.graph.conditional(fn):
            continue  # may not exist
        grants, unknown_target = ctx.graph.permissions_for(fn)
        if unknown_target or any(_unknowable(g.permission) or ctx.graph.conditional(g.permission) for g in grants):
            continue
        target = ctx.graph.alias_arn(hook.alias)
        if any(_covers(ctx, g.permission, g.qualifier, hook, target, v2) is not False for g in grants):
            continue
        where = f" for locale {hook.locale.text}" if hook.locale is not None and hook.locale.text else ""
        qual = f" (qualifier {hook.function.qualifier})" if hook.function.qualifier else ""
        alias = "the test alias (TSTALIASID)" if hook.alias.alias_id is not None else f"alias {hook.alias.address}"
        others = ("; the permission on it covers" if len(grants) == 1 else f"; the {len(grants)} permissions on it cover") + \
            " other principals, qualifiers or aliases" if grants else ""
        yield ctx.finding(
            "W9563", f"the code hook of {alias}{where} is {fn.address}{qual}, and no Lambda permission in the scan lets "
            f"{v2} invoke it for this alias{others}: Lex cannot call the hook", hook.value.loc, hook.alias)


def _unknowable(perm: model.LambdaPermission) -> bool:
    """A permission whose principal or SourceArn cannot be known: it could be the one the hook needs."""
    if perm.principal is None or perm.principal.text is None:
        return True
    return perm.source_arn is not None and perm.source_arn.is_unknown


def _covers(ctx: Context, perm: model.LambdaPermission, qualifier: str | None, hook: Hook, target: Value,
            v2: str) -> bool | None:
    """Whether a permission on the hook's function lets Lex V2 invoke it for the hook's alias (None: maybe)."""
    principal = (perm.principal.text or "").strip() if perm.principal is not None else ""
    if principal not in (v2, "*"):
        return False
    if perm.action is not None:
        action = perm.action.text
        if action is None:
            return None
        if not wildcard.match(action.strip().lower(), "lambda:invokefunction"):
            return False
    if qualifier is None or hook.function.qualifier is None:
        return None
    if qualifier != hook.function.qualifier:
        return False
    if perm.source_arn is None:
        return True
    return None if may_match(perm.source_arn, target, ctx.pins) else False
