"""Actions in any policy: E9540 unknown-action, W9541 lex-v1-action, W9542 identity-scope-mismatch."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexiam import model
from lexiam.rules.common import Action, actions_of, has_lex_intent, resource_kind
from lexiam.rules.data import tables
from lexiam.rules.registry import Context, check, rule
from lexiam.values import Value

rule(
    "E9540", "unknown-action", "An action meant for Lex that is not a Lex action",
    "IAM does not validate action names in identity policies: a misspelled action (lex:RecognizeTxt), a "
    "wrong service prefix (lexv2:, lex-v2:) or stray punctuation (a trailing comma inside the string) is "
    "accepted and silently grants nothing. In a bot or bot alias policy, Lex rejects the policy.",
    "Use the exact action name with the lex: prefix (Lex V2 shares the lex prefix with Lex V1). The message "
    "suggests the closest real action.",
    "actions", tags=("iam", "correctness"), feature_rows=("Identity-based policies", "Policy actions"),
)
rule(
    "W9541", "lex-v1-action", "A Lex V1 action used with Lex V2",
    "Lex V1 actions (PostText, PostContent, PutBot, GetBot...) share the lex: prefix but never apply to Lex V2 "
    "bots or aliases, and Lex V1 reached end of support on 2025-09-15. In a policy for Lex V2 resources they "
    "grant nothing the bot uses.",
    "Replace the V1 action with its Lex V2 counterpart (PostText -> RecognizeText, PostContent -> "
    "RecognizeUtterance, GetBot -> DescribeBot, PutBot -> CreateBot/UpdateBot...) or remove it.",
    "actions", tags=("iam", "correctness"), feature_rows=("Identity-based policies",),
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


@check("E9540", "W9541", "W9542")
def check_actions(ctx: Context) -> Iterator[model.Finding]:
    t = tables()
    for owner, doc, role in ctx.unit.policies():
        if role == "trust":
            continue
        for st in doc.statements:
            for action in actions_of(st):
                if not has_lex_intent(action):
                    continue
                reason = unknown_action_reason(action)
                if reason:
                    yield ctx.finding("E9540", reason, action.value.loc, owner, (*st.path, "Action"))
                    continue
                if action.is_wildcard or not t.is_v1(action.name) or t.action(action.name) is not None:
                    continue
                if _lex_v2_context(ctx, st, role):
                    hint = _V1_TO_V2.get(action.name.lower())
                    yield ctx.finding(
                        "W9541",
                        f"'{action.text}' is a Lex V1 action; it grants nothing on Lex V2 bots or aliases"
                        + (f" (the Lex V2 action is lex:{hint})" if hint else ""),
                        action.value.loc, owner, (*st.path, "Action"))
            if role == "identity":
                yield from _scope_mismatch(ctx, owner, st)


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
