"""Bot and bot alias policies (Lex V2 resource-based policies): E9501-E9513, and E9507 everywhere Lex is the target."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexiam import model
from lexiam.arns import parse_arn
from lexiam.graph import Graph
from lexiam.model import FIX_REMOVE, Fix
from lexiam.rules.common import (
    SELF_ACCOUNT,
    SELF_REGION,
    Action,
    actions_of,
    arn_fields_differ,
    condition_keys,
    display,
    effect,
    id_problem,
    principal_account,
    resource_kind,
)
from lexiam.rules.data import tables
from lexiam.rules.data.condition_keys import global_keys
from lexiam.rules.registry import FIX_SAFE, FIX_UNSAFE, Context, check, rule
from lexiam.rules.sources import (
    IAM_EFFECT,
    IAM_GLOBAL_KEYS,
    IAM_NOT_PRINCIPAL,
    IAM_PRINCIPAL,
    LEX_CRP,
    LEX_CRPS,
    LEX_DESCRIBE_ALIAS,
    LEX_IAM,
    LEX_RBP,
    SAR_LEX_V2,
)
from lexiam.values import Part, Value, same, segment_text

_RP_ROWS = ("Resource-based policies",)

rule(
    "E9501", "rp-unsupported-action", "An action that bot and bot alias policies do not support",
    "The Lex V2 feature table marks some actions as not usable in resource-based policies (CreateBot, "
    "CreateBotAlias, CreateUploadUrl, ListBots, ListBuiltInIntents, ListBuiltInSlotTypes, ListExports, "
    "ListImports, TagResource, UntagResource), and Lex returns an error for a policy that names an action its "
    "resource cannot take. Actions the table does not list and that the Service Authorization Reference gives no "
    "bot or bot alias resource (the test-set actions) cannot be in one either.",
    "Remove the action from the resource policy. If a principal needs it, grant it in that principal's "
    "identity policy (on Resource \"*\" for the List/Create actions).",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy actions"), fix_safety=FIX_SAFE,
    evidence=(
        LEX_IAM.says("Resource-based policies within Amazon Lex V2 (the action table)",
                     "The table lists every action with whether a resource-based policy supports it; the section "
                     "says Lex returns an error when a policy names an action its resource cannot take."),
        SAR_LEX_V2.says("Actions defined by Amazon Lex V2",
                        "For actions the feature table does not list, the resource types of the action decide: one "
                        "with no bot or bot alias resource type cannot act on the resource of a bot or bot alias "
                        "policy.", kind="inferred"),
    ),
)
rule(
    "E9502", "rp-wrong-resource-type", "An action on the wrong kind of Lex resource",
    "Each action can only be used in the policy of the resource type it acts on: bot actions (UpdateBot, "
    "BuildBotLocale, ...) in a bot policy, bot alias actions (RecognizeText, UpdateBotAlias, ...) in a bot alias "
    "policy. Lex rejects a policy that names an action for the other resource type. Where the feature table and "
    "the Service Authorization Reference disagree, the feature table wins; for actions the table does not list, "
    "the Service Authorization Reference decides (the list is below). The one action the two place differently, "
    "ListBotAliases (the table: bot alias; the SAR: bot), is accepted in both: AWS's own example bot policy "
    "grants it.",
    "Move the action to a policy on the right resource: a bot policy for bot actions, a bot alias policy "
    "for runtime and alias actions.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy actions"),
    fix_safety=FIX_UNSAFE,  # removing the action drops a grant that belongs in the other resource's policy
    evidence=(
        LEX_IAM.says("Resource-based policies within Amazon Lex V2 (the action table, Resource column)",
                     "Actions can only be used on specific resources (UpdateBot on bots, UpdateBotAlias on bot "
                     "aliases), and a policy naming an action its resource cannot take returns an error; the table "
                     "gives BotId or BotAliasId for each action."),
        LEX_CRPS.says("Request Body: action",
                      "The action of a policy statement must apply to the resource type of the ARN the policy is "
                      "attached to."),
        SAR_LEX_V2.says("Actions defined by Amazon Lex V2 (Resource types column)",
                        "Decides the resource type of the actions the feature table does not list.", kind="inferred"),
    ),
)
rule(
    "E9503", "rp-cross-account-principal", "A principal in another account than the bot",
    "Lex V2 does not accept cross-account resource policies: a principal (account ID, account root, IAM "
    "user or role ARN) in another account than the bot or alias makes Lex reject the policy. Deny statements "
    "are not checked: they grant nothing.",
    "Grant access to principals of the bot's own account, or have the other account assume a role in "
    "the bot's account.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=6.5,
    feature_rows=_RP_ROWS,
    evidence=(
        LEX_IAM.says("Resource-based policies within Amazon Lex V2",
                     "Cross-account and cross-region policies cannot be used with Lex; Lex returns an error for a "
                     "policy with a cross-account ARN."),
        LEX_CRPS.says("Description", "A resource policy statement cannot allow cross-account access."),
    ),
)
rule(
    "E9504", "rp-foreign-arn", "A resource ARN in another account or region, or not the policy's resource",
    "A bot or bot alias policy can only name its own resource, in the account and region of the stack. A "
    "ResourceArn or statement Resource in another account or region is rejected by Lex; a statement Resource "
    "that is not the resource the policy is attached to can never match a request to it.",
    "Build the ARN from the resource itself (!GetAtt Alias.Arn, awscc_lex_bot_alias.x.arn) or from the "
    "deploying account and region (${AWS::AccountId}, ${AWS::Region}) instead of hard-coding them.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy resources"),
    evidence=(
        LEX_IAM.says("Resource-based policies within Amazon Lex V2",
                     "Lex returns an error for a policy created with a cross-account or cross-region ARN."),
        LEX_CRP.says("Request Parameters: resourceArn",
                     "The policy is attached to the one bot or bot alias its resourceArn names, so a statement "
                     "about another resource never applies to it.", kind="inferred"),
    ),
)
rule(
    "E9505", "rp-principal-not-allowed", "A principal that a bot or bot alias policy cannot name",
    "A Lex V2 resource policy names an account, an IAM user or role, an account root or an AWS service as its "
    "principal. An IAM group is never a principal, a malformed principal (neither a 12-digit account, an IAM "
    "user/role/root ARN nor a service name) names no one, and a principal type without meaning for Lex "
    "(CanonicalUser, Federated) never matches a call to Lex: the policy is refused or grants nothing. Deny "
    "statements are not checked for their principal.",
    "Name the exact role, user, account or service principal that needs access.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=6.0,
    feature_rows=_RP_ROWS,
    evidence=(
        IAM_PRINCIPAL.says("Specifying a principal",
                           "A user group cannot be a principal in a resource-based policy; canonical user IDs are an "
                           "Amazon S3 way of naming an account; identity-provider (Federated) principals belong in "
                           "role trust policies."),
        LEX_CRPS.says("Request Body: principal (Principal data type)",
                      "A Lex statement's principal is a service name or an IAM ARN of an account root, a user or a "
                      "role; nothing else can be expressed."),
    ),
)
rule(
    "E9506", "rp-service-principal-unscoped", "A service principal without aws:SourceAccount and aws:SourceArn",
    "Lex documents the condition block as required when a bot or bot alias policy grants a service principal "
    "(connect.amazonaws.com, lambda.amazonaws.com, ...): it must use both aws:SourceAccount and aws:SourceArn, and "
    "the statement API refuses a service-principal statement without the two. Without them any account's "
    "resource of that service could call the bot (the confused deputy problem).",
    "Add aws:SourceAccount (the account of the calling resource) and aws:SourceArn (the calling resource's "
    "ARN, e.g. the Amazon Connect instance) conditions to the statement.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=5.5,
    feature_rows=_RP_ROWS,
    evidence=(
        LEX_RBP.says("Allow an AWS service to use a specific Amazon Lex V2 bot",
                     "The condition block is required for service principals and must use the global keys "
                     "aws:SourceAccount and aws:SourceArn."),
        LEX_CRPS.says("Request Body: condition",
                      "For a service principal two condition blocks must be given, one with SourceAccount and one "
                      "with SourceArn."),
    ),
    replaces=("W9506",),
)
rule(
    "E9507", "unsupported-condition-key", "A condition key that Lex V2 does not support",
    "Lex V2 defines no service condition keys (the lex: keys belong to Lex V1) and only IAM's global aws: keys "
    "can be in its request context. A lex: key, or an aws: key that is not one of IAM's documented global keys "
    "(the full list, from the IAM User Guide, is data of the pack, compared without regard to case), can never "
    "match: the statement never applies, or Lex rejects the policy. Tag keys (aws:ResourceTag/*, "
    "aws:RequestTag/*, aws:PrincipalTag/*, aws:TagKeys) are never reported: Lex V2 supports ABAC.",
    "Remove the lex: condition key, or replace it with a supported global key such as aws:SourceArn, "
    "aws:SourceAccount or aws:ResourceTag/<key>; check the spelling of an aws: key against the IAM list.",
    "resource_policy", tags=("lex", "iam", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy condition keys", "ABAC (tags in policies)"),
    evidence=(
        LEX_IAM.says("Policy condition keys for Amazon Lex V2",
                     "Lex V2 supports no service-specific condition keys; global condition keys are listed by IAM."),
        SAR_LEX_V2.says("Condition keys for Amazon Lex V2",
                        "The only keys Lex V2 actions take are the tag keys aws:RequestTag/*, aws:ResourceTag/* and "
                        "aws:TagKeys; the lex: keys appear only on the Lex V1 page."),
        IAM_GLOBAL_KEYS.says("The table of keys at the top of the page",
                             "Every global condition key, by the property it describes (principal, role session, "
                             "network, resource, request): lexiam's list is built from this table."),
    ),
)
rule(
    "E9508", "rp-malformed-policy", "A bot or bot alias policy that is not a valid policy document",
    "Lex validates the policy document: it must be JSON with a Statement, each statement with Effect Allow "
    "or Deny, an Action and a Principal, and unique Sids matching ^([0-9a-zA-Z][_-]?){1,100}$. Anything else "
    "fails the deployment.",
    "Fix the document as the message says.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"), feature_rows=_RP_ROWS,
    evidence=(
        LEX_CRP.says("Request Parameters: policy",
                     "The policy must follow IAM policy syntax; an invalid one gets a validation exception."),
        LEX_CRPS.says("Request Body: effect, statementId",
                      "Effect is Allow or Deny; the statement ID follows the pattern ^([0-9a-zA-Z][_-]?)+$, at "
                      "most 100 characters, and must be unique within the policy."),
        IAM_EFFECT.says("Effect", "Effect is required and is Allow or Deny."),
    ),
)
rule(
    "W9509", "rp-wildcard-action", "A wildcard action in a bot or bot alias policy",
    "A wildcard (lex:*, lex:List*, *) grants every matching action, now and in the future, and expands to "
    "actions that the policy's resource type cannot carry: Lex may reject the policy, and the grant is wider "
    "than anyone reviewed.",
    "List the actions the principal needs explicitly.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=4.0,
    feature_rows=_RP_ROWS,
    evidence=(
        LEX_IAM.says("Resource-based policies within Amazon Lex V2 (the action table)",
                     "Several actions a wildcard expands to cannot be used in a bot or bot alias policy.",
                     kind="inferred"),
        LEX_CRPS.says("Request Body: action", "The statement API's action pattern (lex:[a-zA-Z*]+) admits wildcards.",
                      kind="inferred"),
    ),
)
rule(
    "E9511", "rp-resource-arn-invalid", "A bot or bot alias policy on an ARN that is no Lex V2 bot or alias",
    "A bot policy is attached to arn:...:lex:REGION:ACCOUNT:bot/BOTID and a bot alias policy to "
    "arn:...:bot-alias/BOTID/ALIASID, where the IDs are the 10-character identifiers Lex gives the bot and the "
    "alias. The Lex V1 colon form (bot:OrderBot:prod), a bot or alias name where the ID belongs, or a bot-alias "
    "ARN with a segment missing names no Lex V2 resource: Lex cannot find the resource and the deployment fails.",
    "Build the ARN from the resource: !GetAtt Alias.Arn / !GetAtt Bot.Arn, awscc_lex_bot_alias.x.arn, or "
    "bot-alias/${Bot}/${Alias.BotAliasId} with the IDs.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy resources"),
    evidence=(
        LEX_CRP.says("Request Parameters: resourceArn",
                     "The resource policy is attached to the ARN of a bot or a bot alias."),
        SAR_LEX_V2.says("Resource types defined by Amazon Lex V2",
                        "A bot's ARN is bot/${BotId}, a bot alias's bot-alias/${BotId}/${BotAliasId}."),
        LEX_DESCRIBE_ALIAS.says("URI Request Parameters: botId, botAliasId",
                                "Bot and bot alias IDs have a fixed length of 10 letters and digits (the test alias "
                                "is TSTALIASID)."),
    ),
)
rule(
    "W9512", "rp-public-principal", "A bot or bot alias policy open to every principal",
    "An Allow statement to \"*\" or {\"AWS\": \"*\"} grants the action to every AWS principal, anonymous ones "
    "included, unless a condition limits it to the bot's own account or organization (aws:PrincipalAccount, "
    "aws:SourceAccount, aws:PrincipalOrgID and their org-path and resource variants). Lex's own statement API "
    "cannot even express such a principal, so Lex may refuse the policy; if it takes it, the bot is public. Deny "
    "statements are never reported: a Deny to \"*\" is how a data perimeter is written.",
    "Name the role, user, account or service that needs access, or add a condition on aws:PrincipalAccount / "
    "aws:PrincipalOrgID that limits the statement to your account or organization.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=8.0,
    feature_rows=_RP_ROWS,
    evidence=(
        IAM_PRINCIPAL.says("All principals",
                           "A wildcard principal with Allow grants access to everyone, anonymous users included; AWS "
                           "advises against it unless public access is intended, and to restrict it with conditions "
                           "otherwise."),
        LEX_CRPS.says("Request Body: principal",
                      "The statement API takes only a service name or an IAM ARN as principal.", kind="inferred"),
    ),
    replaces=("E9505",),
)
rule(
    "W9513", "rp-principal-fragile", "A principal that works only by accident or not for long",
    "An STS session ARN (assumed-role/ROLE/SESSION, federated-user/NAME) names one session: it stops matching "
    "when the session ends, and a new session of the same role is not covered. NotPrincipal grants or denies "
    "everyone except the principals named, which AWS advises against, and Lex's statement API has no such "
    "element. Both deploy, and work only until the next session or the next principal.",
    "Name the IAM role (arn:...:iam::ACCOUNT:role/NAME) instead of its session, and list the principals with "
    "Principal (with an aws:PrincipalArn condition for exceptions) instead of NotPrincipal.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"), security_severity=4.0,
    feature_rows=(*_RP_ROWS, "Temporary credentials"),
    evidence=(
        IAM_PRINCIPAL.says("Role session principals",
                           "A role session principal names one session; AWS suggests naming the role, or its ARN in "
                           "aws:PrincipalArn, unless session names are predictable."),
        IAM_NOT_PRINCIPAL.says("NotPrincipal",
                               "Very few scenarios need NotPrincipal; AWS strongly recommends against it with Allow and "
                               "recommends aws:PrincipalArn conditions instead of it with Deny."),
        LEX_CRPS.says("Request Syntax", "A Lex policy statement has a principal list and no NotPrincipal.",
                      kind="inferred"),
    ),
    replaces=("E9505",),
)
_SID = re.compile(r"^([0-9a-zA-Z][_-]?){1,100}$")
_SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Conditions that limit an Allow to "*" to the bot's own account or organization (W9512)
_LIMITING_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalAccount", "aws:SourceAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths"))
_LIMITING_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"})
_STS_SESSIONS = ("assumed-role", "federated-user")
_V1_RESOURCE = re.compile(r"^(bot|intent|slottype):", re.I)


def _kind_name(kind: str | None) -> str:
    return {"bot": "bot policy", "bot-alias": "bot alias policy"}.get(kind or "", "resource policy")


def _policies(ctx: Context) -> Iterator[tuple[model.LexResourcePolicy, model.PolicyDocument]]:
    """The bot and bot alias policies whose document is known."""
    for rp in ctx.unit.resource_policies:
        if rp.policy is not None and rp.policy.resolved:
            yield rp, rp.policy


@check("E9508")
def check_structure(ctx: Context) -> Iterator[model.Finding]:
    for rp, doc in _policies(ctx):
        yield from _structure(ctx, rp, doc)


@check("E9501", "E9502", "W9509")
def check_rp_actions(ctx: Context) -> Iterator[model.Finding]:
    for rp, doc in _policies(ctx):
        kind = resource_kind(rp.resource_arn)
        for st in doc.statements:
            yield from _actions(ctx, rp, st, kind)


@check("E9503", "E9505", "W9512", "W9513")
def check_rp_principals(ctx: Context) -> Iterator[model.Finding]:
    for rp, doc in _policies(ctx):
        for st in doc.statements:
            yield from _principals(ctx, rp, st)


@check("E9504")
def check_rp_resources(ctx: Context) -> Iterator[model.Finding]:
    for rp, doc in _policies(ctx):
        yield from _arn_location(ctx, rp)
        for st in doc.statements:
            yield from _statement_resources(ctx, rp, st)


@check("E9511")
def check_rp_resource_arns(ctx: Context) -> Iterator[model.Finding]:
    for rp in ctx.unit.resource_policies:
        if rp.resource_arn is not None:
            problem = lex_v2_arn_problem(ctx.graph, rp.resource_arn, literal_only=False)
            if problem:
                yield ctx.finding("E9511", f"ResourceArn '{display(rp.resource_arn, ctx.pins)}' {problem}: Lex cannot "
                                  "find the bot or alias this policy is for", rp.resource_arn.loc, rp,
                                  ("Properties", "ResourceArn"))
        if rp.policy is None or not rp.policy.resolved:
            continue
        for st in rp.policy.statements:
            if st.resource_key != "Resource":
                continue
            for r in st.resources:
                problem = lex_v2_arn_problem(ctx.graph, r, literal_only=True)
                if problem:
                    yield ctx.finding("E9511", f"Resource '{display(r, ctx.pins)}' {problem}", r.loc, rp,
                                      (*st.path, "Resource"))


@check("E9506", "E9507")
def check_rp_conditions(ctx: Context) -> Iterator[model.Finding]:
    for rp, doc in _policies(ctx):
        for st in doc.statements:
            yield from _conditions(ctx, rp, st)


def lex_v2_arn_problem(graph: Graph, value: Value, *, literal_only: bool) -> str | None:
    """Why a Lex ARN is no Lex V2 bot or bot alias ARN (V1 colon form, a name or a malformed ID where an ID
    belongs, a bot-alias ARN missing a segment), or None. ``literal_only``: a statement Resource, where
    wildcards and other resource types are the policy author's business (only what can never name a V2
    resource is reported)."""
    arn = parse_arn(value)
    if arn is None:
        return None
    service = arn.service_text
    if service is None:
        return None
    if service != "lex":
        return None if literal_only else f"is an ARN of {service}, not a Lex bot or bot alias ARN"
    head = arn.resource[0] if arn.resource else None
    if isinstance(head, str) and _V1_RESOURCE.match(head):
        return "is in the Lex V1 form (bot:NAME:ALIAS), which names no Lex V2 resource"
    segs = arn.resource_segments()
    kind = segment_text(segs[0]) if segs else None
    if kind == "bot":
        if len(segs) < 2:
            return "names no bot ID (bot/BOTID)"
        return _segment_problem(graph, segs[1], "bot")
    if kind == "bot-alias":
        ids = segs[1:]
        if len(ids) < 2 and not any(_wild(s) for s in ids):
            return "has a segment missing (a bot alias ARN is bot-alias/BOTID/ALIASID)"
        for seg, what in zip(ids, ("bot", "alias")):
            problem = _segment_problem(graph, seg, what)
            if problem:
                return problem
        return None
    if literal_only or kind is None or _wild(segs[0]):
        return None
    return f"names a {kind} resource; a Lex V2 policy is attached to a bot or a bot alias"


def _wild(seg: tuple[Part, ...]) -> bool:
    return any(isinstance(p, str) and ("*" in p or "?" in p) for p in seg)


def _segment_problem(graph: Graph, seg: tuple[Part, ...], what: str) -> str | None:
    if not seg:
        return f"has an empty {what} ID"
    return id_problem(graph, seg, what)


def _actions(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement, kind: str | None) -> Iterator[model.Finding]:
    t = tables()
    where = _kind_name(kind)
    path = (*st.path, "Action")
    # an action the policy cannot hold is removed from the statement, but never its last one: a statement
    # with no Action is no statement
    keeps = "Action" not in st.unresolved and (any(a.text is None for a in st.actions)
                                               or any(_held(t, a, kind) for a in actions_of(st)))

    def removal(action: Action) -> Fix | None:
        return Fix(FIX_REMOVE, action.text, title=f"remove {action.text} from the {where}") if keeps else None

    for action in actions_of(st):
        if action.text.strip() == "*" or (action.is_lex and action.is_wildcard):
            expanded = t.expand(action.name if action.is_lex else "*")
            rejected = sorted(
                a.name for a in expanded
                if a.resource_policy == "no" or (kind is not None and kind not in a.accepted_on))
            detail = (f"; it expands to {len(expanded)} actions, of which {len(rejected)} cannot be used in a "
                      f"{where}: " + ", ".join(rejected[:12]) + (", ..." if len(rejected) > 12 else "")) if rejected else \
                f"; it expands to {len(expanded)} actions"
            yield ctx.finding("W9509", f"wildcard action '{action.text}' in a {where}{detail}",
                              action.value.loc, rp, path)
            continue
        if not action.is_lex:
            continue
        info = t.action(action.name)
        if info is None:
            continue  # E9540/W9541 report names that are not Lex V2 actions
        basis = " (decided by the Service Authorization Reference: the feature table does not list it)" \
            if info.decided_by_sar else ""
        if info.resource_policy == "no":
            yield ctx.finding("E9501", f"lex:{info.name} cannot be used in a resource-based policy{basis}; Lex rejects "
                              f"this {where}", action.value.loc, rp, path, removal(action))
        elif kind is not None and kind not in info.accepted_on:
            right = " or ".join(_kind_name(k) for k in sorted(info.accepted_on))
            yield ctx.finding("E9502", f"lex:{info.name} can only be used in a {right}, not in this {where}{basis}",
                              action.value.loc, rp, path, removal(action))


def _held(t, action: Action, kind: str | None) -> bool:  # noqa: ANN001 - the tables
    """Whether a resource policy of this kind can hold the action (E9501 and E9502 would not report it)."""
    info = t.action(action.name) if action.is_lex and not action.is_wildcard else None
    if info is None:
        return True
    return info.resource_policy != "no" and (kind is None or kind in info.accepted_on)


def _principals(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement) -> Iterator[model.Finding]:
    path = (*st.path, st.principal_key or "Principal")
    if st.principal_key == "NotPrincipal":
        yield ctx.finding("W9513", f"NotPrincipal {'denies' if effect(st) == 'Deny' else 'grants'} the statement to "
                          "everyone except the principals it names; AWS advises against it and Lex's statement API has "
                          "no such element: name the principals in Principal (with an aws:PrincipalArn condition for "
                          "exceptions)", st.principal_loc or st.loc, rp, path)
        return
    if effect(st) != "Allow" or "Principal" in st.unresolved:
        return  # a Deny grants nothing, whoever it names; an unknown Effect decides nothing
    arn = parse_arn(rp.resource_arn) if rp.resource_arn is not None else None
    for p in st.principals:
        text = p.value.text
        if p.kind == "*" or (p.kind == "AWS" and text is not None and text.strip() == "*"):
            if not _limited_to_own_account(st):
                what = {"bot": "bot", "bot-alias": "bot alias"}.get(resource_kind(rp.resource_arn) or "", "bot or alias")
                yield ctx.finding(
                    "W9512", f"the principal \"*\" grants what this statement allows on the {what} to every AWS "
                    "principal, anonymous ones included, and no condition limits it to your account or organization "
                    "(aws:PrincipalAccount, aws:PrincipalOrgID)", p.value.loc, rp, path)
            continue
        if p.kind == "Service":
            if text is not None and not _SERVICE_NAME.match(text.strip()):
                yield ctx.finding("E9505", f"'{text}' is not a service principal name (such as "
                                  "connect.amazonaws.com)", p.value.loc, rp, path)
            continue
        if p.kind != "AWS":
            yield ctx.finding("E9505", f"{p.kind} principals have no meaning in a Lex resource policy "
                              f"('{display(p.value, ctx.pins)}'): name an account, IAM user or role, or a service",
                              p.value.loc, rp, path)
            continue
        session = _sts_session(p.value)
        if session:
            yield ctx.finding(
                "W9513", f"'{display(p.value, ctx.pins)}' is an STS {session} session: it matches only that session and "
                "stops matching when it ends; name the IAM role or user instead", p.value.loc, rp, path)
            continue
        problem = _bad_aws_principal(p.value)
        if problem:
            yield ctx.finding("E9505", problem, p.value.loc, rp, path)
            continue
        account = principal_account(p.value)
        if account is None or arn is None:
            continue
        if same(account, arn.account, ctx.pins) is False:
            yield ctx.finding(
                "E9503", f"principal '{display(p.value, ctx.pins)}' is in account {display(account, ctx.pins)}, not the "
                f"account of {rp.address}'s resource ({display(arn.account, ctx.pins)}); Lex rejects cross-account "
                "policies", p.value.loc, rp, path)


def _limited_to_own_account(st: model.Statement) -> bool:
    """Whether a condition limits the statement to principals of an account or organization."""
    if "Condition" in st.unresolved:
        return True  # cannot be known: say nothing
    for c in st.conditions:
        key = (c.key.text or "").lower()
        op = c.operator.split(":", 1)[-1].lower()
        if key in _LIMITING_KEYS and op in _LIMITING_OPERATORS and c.values:
            if any(v.text is None or v.text.strip() not in ("", "*") for v in c.values):
                return True
    return False


def _sts_session(value: Value) -> str | None:
    arn = parse_arn(value)
    if arn is None or segment_text(arn.service) != "sts":
        return None
    segs = arn.resource_segments()
    rtype = segment_text(segs[0]) if segs else None
    return rtype if rtype in _STS_SESSIONS else None


def _bad_aws_principal(value: Value) -> str | None:
    """Why an AWS principal names no one Lex can grant (group, malformed), or None."""
    text = value.render().strip()
    if re.fullmatch(r"\d{12}", text):
        return None
    arn = parse_arn(value)
    if arn is None:
        if value.symbols:  # a reference or parameter: cannot be judged
            return None
        return f"'{text}' is neither a 12-digit account ID nor an IAM ARN"
    service = segment_text(arn.service)
    segs = arn.resource_segments()
    rtype = segment_text(segs[0]) if segs else None
    if service not in ("iam", None) or rtype is None:
        return None if service is None else f"'{text}' is not an IAM principal ARN"
    if rtype == "group":
        return f"'{text}' is an IAM group; groups cannot be principals in a resource policy"
    if rtype not in ("root", "user", "role") and value.is_known:
        return f"'{text}' is not a well-formed IAM principal ARN (account root, user or role)"
    return None


def _arn_location(ctx: Context, rp: model.LexResourcePolicy) -> Iterator[model.Finding]:
    if rp.resource_arn is None:
        return
    arn = parse_arn(rp.resource_arn)
    if arn is None:
        return
    yield from _foreign(ctx, rp, arn, rp.resource_arn, ("Properties", "ResourceArn"), "ResourceArn")


def _foreign(ctx: Context, rp: model.LexResourcePolicy, arn, value: Value, path, what: str) -> Iterator[model.Finding]:
    if same(arn.account, SELF_ACCOUNT, ctx.pins) is False:
        yield ctx.finding("E9504", f"{what} '{display(value, ctx.pins)}' is in account {display(arn.account, ctx.pins)}, "
                          f"not the deploying account ({ctx.pins.get('account', 'AWS::AccountId')})", value.loc, rp, path)
    elif same(arn.region, SELF_REGION, ctx.pins) is False and segment_text(arn.region) not in ("*",):
        yield ctx.finding("E9504", f"{what} '{display(value, ctx.pins)}' is in region {display(arn.region, ctx.pins)}, "
                          f"not the deploying region ({ctx.pins.get('region', 'AWS::Region')})", value.loc, rp, path)


def _statement_resources(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement) -> Iterator[model.Finding]:
    if st.resource_key != "Resource":
        return
    target = parse_arn(rp.resource_arn) if rp.resource_arn is not None else None
    path = (*st.path, "Resource")
    for r in st.resources:
        arn = parse_arn(r)
        if arn is None:
            continue
        before = False
        for f in _foreign(ctx, rp, arn, r, path, "Resource"):
            before = True
            yield f
        if before or target is None:
            continue
        if arn_fields_differ(arn, target, ctx.pins):
            yield ctx.finding("E9504", f"Resource '{display(r, ctx.pins)}' is not the resource this policy is attached "
                              f"to ('{display(rp.resource_arn, ctx.pins)}')", r.loc, rp, path)


def _conditions(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement) -> Iterator[model.Finding]:
    yield from unsupported_condition_keys(ctx, rp, st)
    if effect(st) != "Allow" and st.effect is not None:
        return
    services = [p for p in st.principals if p.kind == "Service" and _SERVICE_NAME.match((p.value.text or "x").strip())]
    if not services:
        return
    keys = condition_keys(st)
    missing = [k for k in ("aws:SourceAccount", "aws:SourceArn") if k.lower() not in keys]
    if "Condition" in st.unresolved or not missing:
        return
    for p in services:
        yield ctx.finding(
            "E9506", f"service principal '{display(p.value, ctx.pins)}' is granted without {' and '.join(missing)}: Lex "
            "requires both condition keys for a service principal, and without them any account's "
            f"{display(p.value).split('.')[0]} resource could act on the bot (confused deputy)",
            p.value.loc, rp, (*st.path, "Principal"))


def unsupported_condition_keys(ctx: Context, owner: model.Entity, st: model.Statement) -> Iterator[model.Finding]:
    keys = global_keys()
    for c in st.conditions:
        key = c.key.text
        if key is None:
            continue
        low = key.strip().lower()
        if low.startswith("lex:"):
            yield ctx.finding("E9507", f"condition key '{key}' is a Lex V1 key; Lex V2 supports no service "
                              "condition keys", c.key.loc, owner, (*st.path, "Condition"))
        elif low.startswith("aws:") and not keys.is_tag_key(low) and not keys.is_global(low):
            yield ctx.finding("E9507", f"condition key '{key}' is not one of IAM's global condition keys ("
                              f"{keys.source_title}); Lex V2 has no other aws: keys", c.key.loc, owner,
                              (*st.path, "Condition"))


@check("E9507")
def check_identity_condition_keys(ctx: Context) -> Iterator[model.Finding]:
    """E9507 in identity policies: statements whose actions are all Lex actions."""
    for owner, doc, role in ctx.unit.policies():
        if role != "identity":
            continue
        for st in doc.statements:
            acts = list(actions_of(st))
            if st.conditions and acts and all(a.is_lex for a in acts):
                yield from unsupported_condition_keys(ctx, owner, st)


def _structure(ctx: Context, rp: model.LexResourcePolicy, doc: model.PolicyDocument) -> Iterator[model.Finding]:
    for problem in doc.problems:
        yield ctx.finding("E9508", problem.message, problem.loc or doc.loc, rp, problem.path or doc.path)
    seen: dict[str, model.Statement] = {}
    for st in doc.statements:
        if st.effect is None:
            yield ctx.finding("E9508", f"statement {st.index + 1} has no Effect", st.loc, rp, st.path)
        elif st.effect.text is not None and st.effect.text not in ("Allow", "Deny"):
            yield ctx.finding("E9508", f"Effect '{st.effect.text}' must be Allow or Deny", st.effect.loc, rp,
                              (*st.path, "Effect"))
        if st.action_key is None:
            yield ctx.finding("E9508", f"statement {st.index + 1} has no Action", st.loc, rp, st.path)
        if st.principal_key is None:
            yield ctx.finding("E9508", f"statement {st.index + 1} has no Principal; a resource policy must name who "
                              "it grants", st.loc, rp, st.path)
        if st.sid is not None and st.sid.text is not None:
            sid = st.sid.text
            if not _SID.match(sid):
                yield ctx.finding("E9508", f"Sid '{sid}' must match ^([0-9a-zA-Z][_-]?){{1,100}}$", st.sid.loc, rp,
                                  (*st.path, "Sid"))
            if sid in seen:
                yield ctx.finding("E9508", f"duplicate Sid '{sid}' (also statement {seen[sid].index + 1})",
                                  st.sid.loc, rp, (*st.path, "Sid"))
            else:
                seen[sid] = st
