"""Bot and bot alias policies (Lex V2 resource-based policies): E9501-W9509, and E9507 everywhere Lex is the target."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexiam import model
from lexiam.arns import parse_arn
from lexiam.rules.common import (
    SELF_ACCOUNT,
    SELF_REGION,
    actions_of,
    arn_fields_differ,
    condition_keys,
    display,
    is_allow,
    principal_account,
    resource_kind,
)
from lexiam.rules.data import tables
from lexiam.rules.registry import Context, check, rule
from lexiam.values import Value, same, segment_text

_RP_ROWS = ("Resource-based policies",)

rule(
    "E9501", "rp-unsupported-action", "An action that bot and bot alias policies do not support",
    "The Lex V2 feature table marks some actions as not usable in resource-based policies (CreateBot, "
    "CreateBotAlias, CreateUploadUrl, ListBots, ListBuiltInIntents, ListBuiltInSlotTypes, ListExports, "
    "ListImports, TagResource, UntagResource). Lex rejects a bot or bot alias policy that names one, so the "
    "stack fails to deploy.",
    "Remove the action from the resource policy. If a principal needs it, grant it in that principal's "
    "identity policy (on Resource \"*\" for the List/Create actions).",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy actions"),
)
rule(
    "E9502", "rp-wrong-resource-type", "An action on the wrong kind of Lex resource",
    "Each action can only be used in the policy of the resource type it acts on: bot actions (UpdateBot, "
    "BuildBotLocale, ...) in a bot policy, bot alias actions (RecognizeText, UpdateBotAlias, ...) in a bot "
    "alias policy. Lex rejects a policy that names an action for the other resource type.",
    "Move the action to a policy on the right resource: a bot policy for bot actions, a bot alias policy "
    "for runtime and alias actions.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy actions"),
)
rule(
    "E9503", "rp-cross-account-principal", "A principal in another account than the bot",
    "Lex V2 does not accept cross-account resource policies: a principal (account ID, account root, IAM "
    "user or role ARN) in another account than the bot or alias makes Lex reject the policy.",
    "Grant access to principals of the bot's own account, or have the other account assume a role in "
    "the bot's account.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=6.5,
    feature_rows=_RP_ROWS,
)
rule(
    "E9504", "rp-foreign-arn", "A resource ARN in another account or region, or not the policy's resource",
    "A bot or bot alias policy can only name its own resource, in the account and region of the stack. A "
    "ResourceArn or statement Resource in another account or region, or a statement Resource that is not "
    "the resource the policy is attached to, is rejected by Lex.",
    "Build the ARN from the resource itself (!GetAtt Alias.Arn, awscc_lex_bot_alias.x.arn) or from the "
    "deploying account and region (${AWS::AccountId}, ${AWS::Region}) instead of hard-coding them.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"),
    feature_rows=(*_RP_ROWS, "Policy resources"),
)
rule(
    "E9505", "rp-principal-not-allowed", "A principal that Lex does not accept",
    "Lex V2 resource policies accept IAM users, roles, account principals and AWS service principals. A "
    "wildcard principal (\"*\", {\"AWS\": \"*\"}) would make the bot public and is refused, and so are "
    "NotPrincipal, IAM groups, STS assumed-role and federated-user sessions, and malformed ARNs.",
    "Name the exact role, user, account or service principal that needs access.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=8.0,
    feature_rows=(*_RP_ROWS, "Temporary credentials"),
)
rule(
    "W9506", "rp-service-principal-unscoped", "A service principal without aws:SourceAccount and aws:SourceArn",
    "A statement granting a service principal (connect.amazonaws.com, ...) without both aws:SourceAccount and "
    "aws:SourceArn conditions lets that service act on the bot on behalf of any account's resource: the "
    "confused deputy problem.",
    "Add aws:SourceAccount (the account of the calling resource) and aws:SourceArn (the calling resource's "
    "ARN, e.g. the Amazon Connect instance) conditions to the statement.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=5.5,
    feature_rows=_RP_ROWS,
)
rule(
    "E9507", "unsupported-condition-key", "A condition key that Lex V2 does not support",
    "Lex V2 supports no service-specific condition keys (the lex: keys are Lex V1 only) and only the global "
    "aws: keys. A statement with an unsupported key is rejected in a resource policy and never matches in "
    "an identity policy. Tag keys (aws:ResourceTag/*, aws:RequestTag/*, aws:TagKeys) are supported (ABAC).",
    "Remove the lex: condition key, or replace it with a supported global key such as aws:SourceArn, "
    "aws:SourceAccount or aws:ResourceTag/<key>.",
    "resource_policy", tags=("lex", "iam", "correctness"),
    feature_rows=("Policy condition keys", "ABAC (tags in policies)"),
)
rule(
    "E9508", "rp-malformed-policy", "A bot or bot alias policy that is not a valid policy document",
    "Lex validates the policy document: it must be JSON with a Statement, each statement with Effect Allow "
    "or Deny, an Action and a Principal, and unique Sids matching ^([0-9a-zA-Z][_-]?){1,100}$. Anything else "
    "fails the deployment.",
    "Fix the document as the message says.",
    "resource_policy", tags=("lex", "resource-policy", "correctness"), feature_rows=_RP_ROWS,
)
rule(
    "W9509", "rp-wildcard-action", "A wildcard action in a bot or bot alias policy",
    "A wildcard (lex:*, lex:List*, *) grants every matching action, now and in the future, and expands to "
    "actions that the policy's resource type cannot carry: Lex may reject the policy, and the grant is wider "
    "than anyone reviewed.",
    "List the actions the principal needs explicitly.",
    "resource_policy", tags=("lex", "resource-policy", "security"), security_severity=4.0,
    feature_rows=_RP_ROWS,
)

_SID = re.compile(r"^([0-9a-zA-Z][_-]?){1,100}$")
_GLOBAL_KEYS = frozenset(k.lower() for k in (
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:TagKeys",
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalType", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList", "aws:userid", "aws:username", "aws:SecureTransport", "aws:SourceIp",
    "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:CurrentTime", "aws:EpochTime",
    "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:RequestedRegion", "aws:CalledVia",
    "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ViaAWSService", "aws:TokenIssueTime", "aws:UserAgent",
    "aws:Referer", "aws:FederatedProvider", "aws:SourceIdentity", "aws:ResourceAccount", "aws:ResourceOrgID",
    "aws:ResourceOrgPaths", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceVpcArn", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:IsMcpServiceAction",
))
_TAG_PREFIXES = ("aws:resourcetag/", "aws:requesttag/", "aws:principaltag/")


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


@check("E9503", "E9505")
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


@check("W9506", "E9507")
def check_rp_conditions(ctx: Context) -> Iterator[model.Finding]:
    for rp, doc in _policies(ctx):
        for st in doc.statements:
            yield from _conditions(ctx, rp, st)


def _actions(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement, kind: str | None) -> Iterator[model.Finding]:
    t = tables()
    where = _kind_name(kind)
    path = (*st.path, "Action")
    for action in actions_of(st):
        if action.text.strip() == "*" or (action.is_lex and action.is_wildcard):
            expanded = t.expand(action.name if action.is_lex else "*")
            rejected = sorted(
                a.name for a in expanded
                if a.resource_policy == "no" or (kind is not None and kind not in a.resource_types))
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
        if info.resource_policy == "no":
            yield ctx.finding("E9501", f"lex:{info.name} cannot be used in a resource-based policy; Lex rejects "
                              f"this {where}", action.value.loc, rp, path)
        elif kind is not None and kind not in info.resource_types:
            right = " or ".join(_kind_name(k) for k in sorted(info.resource_types))
            yield ctx.finding("E9502", f"lex:{info.name} can only be used in a {right}, not in this {where}",
                              action.value.loc, rp, path)


def _principals(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement) -> Iterator[model.Finding]:
    path = (*st.path, st.principal_key or "Principal")
    if st.principal_key == "NotPrincipal":
        yield ctx.finding("E9505", "NotPrincipal is not accepted in a Lex resource policy; name the principals "
                          "that need access", st.principal_loc or st.loc, rp, path)
        return
    arn = parse_arn(rp.resource_arn) if rp.resource_arn is not None else None
    for p in st.principals:
        text = p.value.text
        if p.kind == "*" or (p.kind == "AWS" and text is not None and text.strip() == "*"):
            yield ctx.finding("E9505", "the wildcard principal \"*\" would make the bot callable by anyone; Lex "
                              "does not accept it", p.value.loc, rp, path)
            continue
        if p.kind == "Service":
            continue
        if p.kind != "AWS":
            yield ctx.finding("E9505", f"{p.kind} principals are not accepted in a Lex resource policy "
                              f"('{display(p.value)}')", p.value.loc, rp, path)
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
                "E9503", f"principal '{display(p.value)}' is in account {display(Value(account))}, not the "
                f"account of {rp.address}'s resource ({display(Value(arn.account))}); Lex rejects cross-account "
                "policies", p.value.loc, rp, path)


def _bad_aws_principal(value: Value) -> str | None:
    """Why an AWS principal is not one Lex accepts (group, STS session, malformed), or None."""
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
    if service == "sts" and rtype in ("assumed-role", "federated-user"):
        return f"'{text}' is an STS {rtype} session; Lex resource policies accept the IAM role or user, not a session"
    if service not in ("iam", None) or rtype is None:
        return None if service is None else f"'{text}' is not an IAM principal ARN"
    if rtype == "group":
        return f"'{text}' is an IAM group; groups cannot be principals in a resource policy"
    if rtype not in ("root", "user", "role") and value.is_known:
        return f"'{text}' is not a well-formed IAM principal ARN"
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
        yield ctx.finding("E9504", f"{what} '{display(value)}' is in account {display(Value(arn.account))}, not the "
                          f"deploying account ({ctx.pins.get('account', 'AWS::AccountId')})", value.loc, rp, path)
    elif same(arn.region, SELF_REGION, ctx.pins) is False and segment_text(arn.region) not in ("*",):
        yield ctx.finding("E9504", f"{what} '{display(value)}' is in region {display(Value(arn.region))}, not the "
                          f"deploying region ({ctx.pins.get('region', 'AWS::Region')})", value.loc, rp, path)


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
            yield ctx.finding("E9504", f"Resource '{display(r)}' is not the resource this policy is attached to "
                              f"('{display(rp.resource_arn)}')", r.loc, rp, path)


def _conditions(ctx: Context, rp: model.LexResourcePolicy, st: model.Statement) -> Iterator[model.Finding]:
    yield from unsupported_condition_keys(ctx, rp, st)
    if not is_allow(st):
        return
    services = [p for p in st.principals if p.kind == "Service"]
    if not services:
        return
    keys = condition_keys(st)
    missing = [k for k in ("aws:SourceAccount", "aws:SourceArn") if k.lower() not in keys]
    if "Condition" in st.unresolved or not missing:
        return
    for p in services:
        yield ctx.finding(
            "W9506", f"service principal '{display(p.value)}' is granted without {' and '.join(missing)}: any "
            f"account's {display(p.value).split('.')[0]} resource could act on the bot (confused deputy)",
            p.value.loc, rp, (*st.path, "Principal"))


def unsupported_condition_keys(ctx: Context, owner: model.Entity, st: model.Statement) -> Iterator[model.Finding]:
    for c in st.conditions:
        key = c.key.text
        if key is None:
            continue
        low = key.lower()
        if low.startswith("lex:"):
            yield ctx.finding("E9507", f"condition key '{key}' is a Lex V1 key; Lex V2 supports no service "
                              "condition keys", c.key.loc, owner, (*st.path, "Condition"))
        elif low.startswith("aws:") and low not in _GLOBAL_KEYS and not low.startswith(_TAG_PREFIXES):
            yield ctx.finding("E9507", f"condition key '{key}' is not a global AWS condition key Lex V2 "
                              "supports", c.key.loc, owner, (*st.path, "Condition"))


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
