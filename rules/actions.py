"""Actions and resources in any policy: E9540 unknown-action, W9541 lex-v1-action, W9542 identity-scope-mismatch,
W9543 identity-arn-format, and I9545 lex-v1-resource (Lex V1 resources, and what serves only them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexiam import model
from lexiam.arns import parse_arn
from lexiam.model import FIX_REMOVE, FIX_REPLACE, Fix
from lexiam.rules.common import (
    Action,
    actions_of,
    display,
    has_lex_intent,
    id_problem,
    lambda_principal,
    lex_v1_permission_misused,
    resource_kind,
)
from lexiam.rules.data import tables
from lexiam.rules.data.service_roles import service_roles
from lexiam.rules.registry import FIX_SAFE, Context, check, rule
from lexiam.rules.sources import IAM_POLICY_CHECKS, LEX_DESCRIBE_ALIAS, LEX_SERVICE_ROLES, LEX_V1_GUIDE, SAR_LEX_V2
from lexiam.values import Value, segment_text

rule(
    "E9540", "unknown-action", "An action meant for Lex that is not a Lex action, or action text that grants nothing",
    "IAM does not validate action names in identity policies: a misspelled action (lex:RecognizeTxt), a "
    "wrong service prefix (lexv2:, lex-v2:) or stray punctuation (a trailing comma inside the string) is "
    "accepted and silently grants nothing; in a bot or bot alias policy, Lex rejects the policy. Every policy "
    "document is read, wherever it sits (roles, managed and inline policies, SAM Policies entries, other "
    "services' resource policies). In the policies of a Lex bot's own role, malformed action text of any "
    "service (polly:SynthesizeSpeech,) is reported too: it grants nothing, and the bot feature that needs it "
    "fails at run time.",
    "Use the exact action name with the lex: prefix (Lex V2 shares the lex prefix with Lex V1). The message "
    "suggests the closest real action. Remove stray commas, quotes and spaces inside action strings.",
    "actions", tags=("iam", "correctness"), feature_rows=("Identity-based policies", "Policy actions"),
    fix_safety=FIX_SAFE,
    evidence=(
        IAM_POLICY_CHECKS.says("Error - Invalid action; Error - Invalid service in action",
                               "IAM's policy validation reports an action that does not exist or a service prefix "
                               "that does not exist; invalid actions do not affect the permissions a policy grants."),
        SAR_LEX_V2.says("Actions defined by Amazon Lex V2", "The Lex V2 actions, all with the lex prefix."),
        LEX_SERVICE_ROLES.says("Service role permissions",
                               "The bot's role needs Polly, Comprehend, logs or KMS permissions for the features that "
                               "use them; an action string that names no action grants none of them.",
                               kind="inferred"),
    ),
)
rule(
    "W9541", "lex-v1-action", "A Lex V1 action used with Lex V2",
    "Lex V1 actions (PostText, PostContent, PutBot, GetBot...) share the lex: prefix but never apply to Lex V2 "
    "bots or aliases, and Lex V1 reached end of support on 2025-09-15. In a policy for Lex V2 resources they "
    "grant nothing the bot uses.",
    "Replace the V1 action with its Lex V2 counterpart (PostText -> RecognizeText, PostContent -> "
    "RecognizeUtterance, GetBot -> DescribeBot, PutBot -> CreateBot/UpdateBot...) or remove it.",
    "actions", tags=("iam", "correctness"), feature_rows=("Identity-based policies",),
    fix_safety=FIX_SAFE,
    evidence=(
        LEX_V1_GUIDE.says("End-of-support notice",
                          "Amazon Lex V1 reached end of support on September 15, 2025."),
        SAR_LEX_V2.says("Actions defined by Amazon Lex V2",
                        "The Lex V2 actions; the V1 actions (PostText, GetBot, ...) are not among them, so they "
                        "authorize no Lex V2 call.", kind="inferred"),
    ),
)
rule(
    "W9542", "identity-scope-mismatch", "A Lex action paired with a resource it can never match",
    "Each Lex action is authorized against a specific resource type: listing and creation actions "
    "(ListBots, CreateUploadUrl, ListBuiltInIntents...) only match Resource \"*\", runtime actions "
    "(RecognizeText...) match bot-alias ARNs, build-time actions match bot ARNs. A statement that pairs an "
    "action with only resources of the wrong kind deploys and silently grants nothing.",
    "Scope each action to the resource type it acts on: \"*\" for actions without a resource type, "
    "arn:...:bot-alias/BOTID/ALIASID for runtime actions, arn:...:bot/BOTID for bot actions. Split the "
    "statement when it mixes them.",
    "actions", tags=("iam", "correctness"), feature_rows=("Identity-based policies", "Policy resources",
                                                          "Principal permissions"),
    evidence=(
        SAR_LEX_V2.says("Actions defined by Amazon Lex V2 (Resource types column)",
                        "Each action's resource types (bot, bot alias, or none: Resource \"*\" only); a statement "
                        "whose resources are of no type the action takes authorizes nothing."),
    ),
)
rule(
    "W9543", "identity-arn-format", "A Lex V2 action granted on a resource no Lex V2 resource looks like",
    "Lex V2 authorizes its actions against bot ARNs (bot/BOTID) and bot alias ARNs (bot-alias/BOTID/ALIASID), "
    "with the 10-character IDs Lex gives them. An identity policy that grants a Lex V2 action on the Lex V1 "
    "colon form (bot:OrderBot:prod) or with a bot or alias name where the ID belongs deploys and never matches a "
    "request: the caller gets AccessDenied.",
    "Use the IDs: arn:${AWS::Partition}:lex:${AWS::Region}:${AWS::AccountId}:bot-alias/${Bot}/${Alias.BotAliasId} "
    "(CloudFormation !Ref of a bot is its ID), awscc_lex_bot_alias.x.arn or aws_lexv2models_bot.x.id in "
    "Terraform, or a wildcard such as bot-alias/BOTID/*.",
    "actions", tags=("iam", "correctness"), feature_rows=("Identity-based policies", "Policy resources"),
    evidence=(
        SAR_LEX_V2.says("Resource types defined by Amazon Lex V2",
                        "A bot is arn:...:bot/${BotId} and a bot alias arn:...:bot-alias/${BotId}/${BotAliasId}; the "
                        "colon form the page also lists is the Lex V1 one, which Lex V2 requests never carry.",
                        kind="inferred"),
        LEX_DESCRIBE_ALIAS.says("URI Request Parameters: botId, botAliasId",
                                "Bot and bot alias IDs have a fixed length of 10 letters and digits."),
    ),
)
rule(
    "I9545", "lex-v1-resource", "A Lex V1 resource, or a permission that serves only Lex V1",
    "Lex V1 reached end of support on 2025-09-15. A Lex V1 resource (aws_lex_bot, aws_lex_bot_alias, "
    "aws_lex_intent, aws_lex_slot_type), a Lambda permission for the Lex V1 principal lex.amazonaws.com, or an "
    "identity policy whose Lex actions are all Lex V1 actions serves a bot that no longer runs.",
    "Migrate the bot to Lex V2 (aws_lexv2models_* or awscc_lex_* resources, AWS::Lex::Bot) and give its code "
    "hooks a permission for lexv2.amazonaws.com; remove what served only Lex V1.",
    "actions", tags=("lex", "lex-v1", "maintenance"), feature_rows=(),
    evidence=(
        LEX_V1_GUIDE.says("End-of-support notice", "Amazon Lex V1 reached end of support on September 15, 2025."),
    ),
)

_MALFORMED = re.compile(r"[\s,;\"'`]")
_V1_TO_V2 = {
    "posttext": "RecognizeText", "postcontent": "RecognizeUtterance", "getbot": "DescribeBot",
    "getbots": "ListBots", "putbot": "CreateBot or UpdateBot", "getbotalias": "DescribeBotAlias",
    "getbotaliases": "ListBotAliases", "putbotalias": "CreateBotAlias or UpdateBotAlias",
    "getintent": "DescribeIntent", "getintents": "ListIntents", "putintent": "CreateIntent or UpdateIntent",
    "getslottype": "DescribeSlotType", "getslottypes": "ListSlotTypes",
    "putslottype": "CreateSlotType or UpdateSlotType", "getbuiltinintents": "ListBuiltInIntents",
    "getbuiltinslottypes": "ListBuiltInSlotTypes", "getexport": "DescribeExport", "getimport": "DescribeImport",
    "getbotversions": "ListBotVersions",
}


def unknown_action_reason(action: Action) -> str | None:
    """Why an action with Lex intent is not a Lex action, or None when it is one."""
    t = tables()
    text = action.text
    prefix = action.prefix or ""
    if _MALFORMED.search(text):
        cleaned = _MALFORMED.sub("", text)
        return f"'{text}' is not a valid action string (whitespace or punctuation inside it); did you mean '{cleaned}'?"
    if prefix.lower() != "lex":
        return f"'{text}' uses the service prefix '{prefix}'; Lex V2 actions use 'lex:' (lex:{action.name})"
    name = action.name
    if action.is_wildcard:
        if t.expand(name) or t.expand_v1(name):
            return None
        return f"'{text}' matches no Lex action"
    if t.action(name) is not None or t.is_v1(name):
        return None
    invalid, canonical = t.correction(name)
    if invalid and canonical:
        return f"'{text}' is not an IAM action (a misspelling in the Lex documentation); the action is lex:{canonical}"
    if invalid:
        return f"'{text}' is listed in the Lex documentation but is not an IAM action"
    hint = t.suggest(name)
    return f"'{text}' is not a Lex action" + (f"; did you mean lex:{hint}?" if hint else "")


def action_correction(action: Action) -> str | None:
    """The one action an E9540 action string can only mean, or None when that is not certain: the text
    without its stray whitespace and punctuation, with the ``lex:`` prefix for a Lex-like one
    (``lexv2:``), and the name a Lex documentation misspelling stands for, or the one Lex V2 action that
    a typo is close to (no fix when two names are as close, or when the closest is a Lex V1 action)."""
    text = _MALFORMED.sub("", action.text)
    prefix, sep, name = text.partition(":")
    if not sep or not prefix or not re.fullmatch(r"[A-Za-z0-9*?]+", name):
        return None
    if not has_lex_intent(Action(action.value, text, prefix, name)):
        return text if text != action.text and re.fullmatch(r"[a-z0-9-]+", prefix) else None
    t = tables()
    if "*" in name or "?" in name:
        fixed = name if t.expand(name) else None
    elif t.action(name) is not None:
        fixed = name
    else:
        fixed = t.correction(name)[1] or _only_close_name(name)
    if fixed is None or t.action(fixed) is None and not ("*" in fixed or "?" in fixed):
        return None
    out = f"lex:{fixed}"
    return out if out != action.text else None


def _only_close_name(name: str) -> str | None:
    """The Lex V2 action a misspelt name is close to, when exactly one Lex action (V2 or V1) is."""
    import difflib

    t = tables()
    names = {n.lower(): n for n in (*t.all_names, *t.v1_names)}
    close = difflib.get_close_matches(name.lower(), list(names), n=2, cutoff=0.8)
    if len(close) != 1 or t.action(close[0]) is None:
        return None
    return names[close[0]]


# The Lex V1 runtime actions whose one Lex V2 counterpart does the same thing: send the user's text, or
# text or speech, to the bot (the V1 and V2 runtime API references describe PostText / RecognizeText and
# PostContent / RecognizeUtterance alike).  The other V1 actions map to several V2 ones, or to one that
# acts on another resource: no fix.
_V1_FIXES = {"posttext": "RecognizeText", "postcontent": "RecognizeUtterance"}


def v1_action_fix(ctx: Context, action: Action, st: model.Statement) -> Fix | None:
    """The Lex V2 action for a Lex V1 one, in a unit with no Lex V1 resource it could be meant for (the
    context is then Lex V2 wherever the policy text is used in the unit)."""
    v2 = _V1_FIXES.get(action.name.lower())
    if v2 is None or ctx.unit.lex_v1:
        return None
    return action_fix(action, f"lex:{v2}", st)


def action_fix(action: Action, new: str, st: model.Statement) -> Fix:
    """Write ``new`` for the action, or, when the statement already grants ``new``, remove the action."""
    if any(a.text.lower() == new.lower() for a in actions_of(st) if a is not action and a.value is not action.value):
        return Fix(FIX_REMOVE, action.text, title=f"remove {action.text} ({new} is already there)", anywhere=True)
    return Fix(FIX_REPLACE, action.text, new, f"{action.text} -> {new}", anywhere=True)


# Name shapes that only Lex V2 has (Lex V1 read with Get*, wrote with Put*, ran with Post*).
_V2_ONLY = re.compile(r"^(Recognize|StartConversation|Describe|Build|Update|List(?!TagsForResource))", re.I)


def _lex_v2_context(ctx: Context, statement: model.Statement, role: str) -> bool:
    """Whether a statement targets Lex V2: a V2 resource policy, V2 resources in the unit or the statement,
    or a V2-only action beside the V1 one in the same statement."""
    if role == "resource" or ctx.unit.bots or ctx.unit.aliases or ctx.unit.resource_policies:
        return True
    if any(resource_kind(r) for r in statement.resources):
        return True
    return any(a.is_lex and _V2_ONLY.match(a.name) and tables().action(a.name) for a in actions_of(statement))


@check("E9540", "W9541", "W9542", "W9543")
def check_actions(ctx: Context) -> Iterator[model.Finding]:
    t = tables()
    role_docs = _bot_role_documents(ctx)
    for owner, doc, role in ctx.unit.policies():
        if role == "trust":
            continue
        bot_role = role_docs.get(id(doc))
        for st in doc.statements:
            for action in actions_of(st):
                if not has_lex_intent(action):
                    if bot_role is not None and _MALFORMED.search(action.text):
                        cleaned = _MALFORMED.sub("", action.text)
                        fixed = action_correction(action)
                        yield ctx.finding(
                            "E9540", f"'{action.text}' is not a valid action string (whitespace or punctuation inside "
                            f"it) in a policy of {bot_role}: it grants nothing, so the bot feature that needs "
                            f"'{cleaned}' fails", action.value.loc, owner, (*st.path, "Action"),
                            action_fix(action, fixed, st) if fixed else None)
                    continue
                reason = unknown_action_reason(action)
                if reason:
                    fixed = action_correction(action)
                    yield ctx.finding("E9540", reason, action.value.loc, owner, (*st.path, "Action"),
                                      action_fix(action, fixed, st) if fixed else None)
                    continue
                if action.is_wildcard or not t.is_v1(action.name) or t.action(action.name) is not None:
                    continue
                if _lex_v2_context(ctx, st, role):
                    hint = _V1_TO_V2.get(action.name.lower())
                    yield ctx.finding(
                        "W9541",
                        f"'{action.text}' is a Lex V1 action; it grants nothing on Lex V2 bots or aliases"
                        + (f" (the Lex V2 action is lex:{hint})" if hint else ""),
                        action.value.loc, owner, (*st.path, "Action"), v1_action_fix(ctx, action, st))
            if role == "identity":
                yield from _scope_mismatch(ctx, owner, st)
                yield from _arn_format(ctx, owner, st)


def _bot_role_documents(ctx: Context) -> dict[int, str]:
    """id(document) -> "the role of bot X" for every policy document that reaches a Lex V2 bot's role."""
    out: dict[int, str] = {}
    for role, bots in ctx.graph.bot_roles():
        what = f"role {role.address}, the role of bot {', '.join(b.address for b in bots)}"
        for on in ctx.graph.policies_reaching(role):
            if on.document is not None:
                out.setdefault(id(on.document), what)
    return out


def _grants_lex_v2(st: model.Statement) -> bool:
    """Whether a statement names a Lex V2 action (a wildcard counts when it expands to one)."""
    t = tables()
    for a in actions_of(st):
        if a.is_lex and (t.action(a.name) is not None or (a.is_wildcard and t.expand(a.name))):
            return True
    return False


def _arn_format(ctx: Context, owner: model.Entity, st: model.Statement) -> Iterator[model.Finding]:
    """W9543: a Lex V2 action on the V1 colon form, or with a name where an ID belongs."""
    if st.resource_key != "Resource" or not _grants_lex_v2(st):
        return
    for r in st.resources:
        arn = parse_arn(r)
        if arn is None or arn.service_text != "lex":
            continue
        problem = None
        head = arn.resource[0] if arn.resource else None
        if isinstance(head, str) and _V1_FORM.match(head):
            problem = "is in the Lex V1 form (bot:NAME:ALIAS); Lex V2 bots and aliases are bot/BOTID and " \
                      "bot-alias/BOTID/ALIASID"
        else:
            segs = arn.resource_segments()
            kind = segment_text(segs[0]) if segs else None
            if kind in ("bot", "bot-alias"):
                for seg, what in zip(segs[1:3], ("bot", "alias")):
                    problem = id_problem(ctx.graph, seg, what) if seg else None
                    if problem:
                        break
        if problem:
            yield ctx.finding("W9543", f"Resource '{display(r, ctx.pins)}' {problem}: no Lex V2 request matches it, "
                              "so the statement grants nothing", r.loc, owner, (*st.path, "Resource"))


_V1_FORM = re.compile(r"^(bot|intent|slottype):", re.I)


def _v1_only_action(action: Action) -> bool:
    t = tables()
    if not action.is_lex:
        return False
    if action.is_wildcard:
        return not t.expand(action.name) and bool(t.expand_v1(action.name))
    return t.is_v1(action.name) and t.action(action.name) is None


@check("I9545")
def check_lex_v1(ctx: Context) -> Iterator[model.Finding]:
    for entity in ctx.unit.lex_v1:
        yield ctx.finding("I9545", f"{entity.address} is a Lex V1 resource ({entity.type}); Lex V1 reached end of "
                          "support on 2025-09-15: migrate the bot to Lex V2", entity.loc, entity)
    v1 = service_roles().v1_principal
    for perm in ctx.unit.lambda_permissions:
        if lambda_principal(perm) == v1 and not lex_v1_permission_misused(ctx.unit, perm):
            yield ctx.finding("I9545", f"{perm.address} lets {v1}, the Lex V1 principal, invoke the function: it "
                              "serves only Lex V1 bots, which reached end of support on 2025-09-15 (Lex V2 invokes "
                              f"as {service_roles().v2_principal})", perm.principal.loc if perm.principal else None,
                              perm)
    for owner, doc, role in ctx.unit.policies():
        if role != "identity":
            continue
        lex = [(st, a) for st in doc.statements for a in actions_of(st) if a.is_lex]
        if not lex or not all(_v1_only_action(a) for _st, a in lex):
            continue
        if any(_lex_v2_context(ctx, st, role) for st, _a in lex):
            continue  # W9541 reports each action
        st, first = lex[0]
        yield ctx.finding("I9545", f"the Lex actions of this policy ({', '.join(sorted({a.text for _s, a in lex}))}) "
                          "are all Lex V1 actions: it serves only Lex V1 bots, which reached end of support on "
                          "2025-09-15", first.value.loc, owner, (*st.path, "Action"))


def _scope_mismatch(ctx: Context, owner: model.Entity, st: model.Statement) -> Iterator[model.Finding]:
    if st.resource_key != "Resource" or not st.resources or "Resource" in st.unresolved:
        return
    kinds: list[str] = []
    for r in st.resources:
        text = r.text
        if text is not None and text.strip() == "*":
            return  # "*" matches every action
        kind = resource_kind(r)
        if kind is None or _has_wildcard_type(r):
            return  # not a Lex V2 bot/alias ARN we can reason about
        kinds.append(kind)
    t = tables()
    for action in actions_of(st):
        if not action.is_lex or action.is_wildcard:
            continue
        info = t.action(action.name)
        if info is None:
            continue
        types = {x.rstrip("*") for x in info.identity_resource_types}
        if info.needs_star:
            problem = f"lex:{info.name} has no resource type and only matches Resource \"*\""
        elif not any(k in types for k in kinds):
            wanted = " or ".join(sorted(types & {"bot", "bot-alias"})) or "another resource type"
            problem = f"lex:{info.name} acts on {wanted} resources"
        else:
            continue
        shown = ", ".join(_short(r) for r in st.resources)
        yield ctx.finding(
            "W9542", f"{problem}; this statement scopes it to {shown}, so it grants nothing",
            action.value.loc, owner, (*st.path, "Action"))


def _has_wildcard_type(value: Value) -> bool:
    text = value.render()
    head = text.split(":", 5)[-1] if text.count(":") >= 5 else ""
    return head.split("/", 1)[0].endswith("*")


def _short(value: Value) -> str:
    return value.render()
