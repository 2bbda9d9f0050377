"""Terraform resources -> the IaC-neutral entities of :mod:`lexiam.model`.

Handlers read a resource through a small view (:class:`View`): the HCL front end gives one that
evaluates the block's arguments (:class:`HclView`), the plan front end one that reads planned values
(:class:`lexiam.terraform.plan.PlanView`).  A handler never knows which.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from lexiam import lexconfig, model
from lexiam.arns import resource_symbol
from lexiam.terraform.evaluate import SINGLE, Instance, first_value
from lexiam.terraform.jsontext import policy_from
from lexiam.terraform.types import LEX_V1_TYPES
from lexiam.values import NOVALUE, Location, RList, RMap, Value, candidates, scalars

if TYPE_CHECKING:
    from lexiam.terraform.evaluate import Context, Scope
    from lexiam.terraform.nodes import Block

Path_ = tuple[str | int, ...]


class View:
    """One resource as the handlers see it."""

    address: str
    type: str
    loc: Location | None
    ctx: Context

    conditional: bool = False  # created only under a condition (count / for_each)

    def get(self, key: str) -> object:  # pragma: no cover - interface
        raise NotImplementedError

    def scalar(self, key: str) -> Value | None:
        node = self.get(key)
        if node is NOVALUE or node is None:
            return None
        return first_value(node)

    def first_scalar(self, *keys: str) -> Value | None:
        for key in keys:
            v = self.scalar(key)
            if v is not None:
                return v
        return None

    def scalars(self, key: str) -> tuple[Value, ...]:
        return tuple(scalars(self.get(key)))

    def policy(self, key: str) -> model.PolicyDocument | None:
        node = self.get(key)
        if node is NOVALUE or node is None:
            return None
        return policy_from(self.ctx, node, (key,))

    def nested(self, key: str) -> list[RMap]:
        """The maps of a nested block / list-of-objects attribute."""
        out: list[RMap] = []
        for opt in candidates(self.get(key)):
            if isinstance(opt, RList):
                for item in opt:
                    out.extend(c for c in candidates(item) if isinstance(c, RMap))
            elif isinstance(opt, RMap):
                out.append(opt)
        return out


class HclView(View):
    """One instance of a resource block (the block itself when it is written once, or when count /
    for_each are not known: then ``conditional``), its arguments evaluated with its ``each`` / ``count``."""

    def __init__(self, scope: Scope, block: Block, address: str, inst: Instance = SINGLE,
                 conditional: bool = False) -> None:
        self.scope = scope
        self.block = block
        self.address = address
        self.type = block.labels[0]
        self.name = block.labels[1]
        self.loc = block.loc
        self.ctx = scope.ctx
        self.conditional = conditional
        self.env = inst.env
        self._blocks: dict[str, object] = {}
        # the memo is shared with references to this resource, unless the address is declared twice
        canonical = scope.mod.resources.get((self.type, self.name)) is block
        self._key: tuple[object, ...] = (("res", self.type, self.name, inst.key) if canonical
                                         else ("blk", id(block), inst.key))

    def get(self, key: str) -> object:
        if key in self.block.body.attrs:
            return self.scope.block_attr(self.block, (*self._key, key), key, self.env)
        if key not in self._blocks:
            items = RList(loc=self.block.loc)
            for sub, env in self.scope.expand_blocks(self.block.body, key, self.env):
                items.append(self.scope.block_map(sub, env))
            if items:
                items.loc = items[0].loc
            self._blocks[key] = items if items else NOVALUE
        return self._blocks[key]


def dig(node: object, *keys: str) -> list[object]:
    """Every node reached by following keys through maps and lists of maps (``node`` may be a
    Python list of nodes, as :func:`dig` returns)."""
    starts = list(node) if isinstance(node, list) and not isinstance(node, RList) else [node]
    return [found for start in starts for found in lexconfig.nodes(start, *keys, naming=lexconfig.CFN)]


def _dig_values(node: object, *keys: str) -> list[Value]:
    out: list[Value] = []
    for found in dig(node, *keys):
        out.extend(v for v in scalars(found) if v.parts)
    return out


def _role_name_ref(v: View) -> Value:
    return Value((resource_symbol(v.address, model.IAM_ROLE, "name"),), v.loc)


# --- handlers --------------------------------------------------------------------------------------

TEST_ALIAS_ID = "TSTALIASID"  # the ID of a bot's test alias (test_bot_alias_settings)


def _whole(v: View, *keys: str) -> RMap:
    """The named arguments and blocks of a resource as one map (what lexconfig reads)."""
    whole = RMap(loc=v.loc)
    for key in keys:
        node = v.get(key)
        if node is not NOVALUE and node is not None:
            whole[key] = node
    return whole


def lex_bot(v: View, unit: model.Unit) -> None:
    unit.bots.append(model.LexBot(v.address, v.type, v.loc, name=v.first_scalar("name", "bot_name"),
                                  role_arn=v.scalar("role_arn"), version="v2"))
    bot_id = Value((resource_symbol(v.address, model.LEX_BOT, "id"),))
    locales = v.get("bot_locales")
    if locales is not NOVALUE and locales is not None:
        found_locales, found_intents = lexconfig.bot_parts(v.address, v.type, v.loc, bot_id, locales, lexconfig.SNAKE)
        unit.locales.extend(found_locales)
        unit.intents.extend(found_intents)
    test = v.get("test_bot_alias_settings")
    if test is not NOVALUE and test is not None:
        loc = next((c.loc for c in candidates(test) if isinstance(c, (RMap, RList))), v.loc)
        settings = lexconfig.alias_settings(test, lexconfig.SNAKE)
        settings["lambda_arns"] = tuple(_code_hooks(test))
        unit.aliases.append(model.LexBotAlias(
            f"{v.address}.TestBotAlias", f"{v.type}.test_bot_alias_settings", loc, bot_id=bot_id,
            name=Value.of("TestBotAlias"), alias_id=Value.of(TEST_ALIAS_ID), **settings))  # type: ignore[arg-type]


def _code_hooks(node: object) -> list[Value]:
    settings = dig(node, "bot_alias_locale_settings")
    out = _dig_values(settings, "bot_alias_locale_setting", "code_hook_specification", "lambda_code_hook", "lambda_arn")
    out += _dig_values(settings, "code_hook_specification", "lambda_code_hook", "lambda_arn")
    return out


def lex_bot_alias(v: View, unit: model.Unit) -> None:
    whole = _whole(v, "bot_alias_locale_settings", "conversation_log_settings", "sentiment_analysis_settings")
    lambdas = _code_hooks(whole)
    logs = dig(whole, "conversation_log_settings")
    log_roles: list[Value] = []
    for key in ("iam_role_arn", "role_arn"):
        log_roles += _dig_values(logs, "audio_log_settings", "destination", "s3_bucket", key)
        log_roles += _dig_values(logs, "text_log_settings", "destination", "cloudwatch", key)
        log_roles += _dig_values(logs, key)
    settings = lexconfig.alias_settings(whole, lexconfig.SNAKE)
    settings["lambda_arns"] = tuple(lambdas)
    unit.aliases.append(model.LexBotAlias(
        v.address, v.type, v.loc, bot_id=v.scalar("bot_id"), name=v.first_scalar("bot_alias_name", "name"),
        log_role_arns=tuple(log_roles), **settings))  # type: ignore[arg-type]


def lex_bot_locale(v: View, unit: model.Unit) -> None:
    """aws_lexv2models_bot_locale: a locale of a bot, with its voice."""
    whole = _whole(v, "voice_settings")
    unit.locales.append(model.LexBotLocale(v.address, v.type, v.loc, bot_id=v.scalar("bot_id"),
                                           locale_id=v.scalar("locale_id"), voice=lexconfig.voice(whole, lexconfig.SNAKE)))


def lex_intent(v: View, unit: model.Unit) -> None:
    """aws_lexv2models_intent: only an intent with a Kendra configuration matters to IAM."""
    found = lexconfig.kendra(_whole(v, "kendra_configuration"), lexconfig.SNAKE)
    if found is not None:
        index, where = found
        unit.intents.append(model.LexIntent(v.address, v.type, v.loc, bot_id=v.scalar("bot_id"),
                                            locale_id=v.scalar("locale_id"), name=v.scalar("name"),
                                            kendra_index=index, kendra_loc=where))


def lex_resource_policy(v: View, unit: model.Unit) -> None:
    unit.resource_policies.append(model.LexResourcePolicy(
        v.address, v.type, v.loc, resource_arn=v.scalar("resource_arn"), policy=v.policy("policy")))


def iam_role(v: View, unit: model.Unit) -> None:
    inline: list[model.PolicyDocument] = []
    for i, block in enumerate(v.nested("inline_policy")):
        if "policy" in block:
            doc = policy_from(v.ctx, block["policy"], ("inline_policy", i, "policy"))
            if doc is not None:
                inline.append(doc)
    arns = v.scalars("managed_policy_arns")
    role = model.IamRole(v.address, v.type, v.loc, name=v.scalar("name"), path=v.scalar("path"),
                         trust=v.policy("assume_role_policy"), inline=tuple(inline), managed_policy_arns=arns)
    unit.roles.append(role)
    for arn in arns:
        unit.attachments.append(model.RoleAttachment(v.address, v.type, arn.loc or v.loc, role=_role_name_ref(v),
                                                     policy_arn=arn))


def awscc_iam_role(v: View, unit: model.Unit) -> None:
    inline: list[model.PolicyDocument] = []
    for i, block in enumerate(v.nested("policies")):
        if "policy_document" in block:
            doc = policy_from(v.ctx, block["policy_document"], ("policies", i, "policy_document"))
            if doc is not None:
                inline.append(doc)
    arns = v.scalars("managed_policy_arns")
    unit.roles.append(model.IamRole(v.address, v.type, v.loc, name=v.scalar("role_name"), path=v.scalar("path"),
                                    trust=v.policy("assume_role_policy_document"), inline=tuple(inline),
                                    managed_policy_arns=arns))
    for arn in arns:
        unit.attachments.append(model.RoleAttachment(v.address, v.type, arn.loc or v.loc, role=_role_name_ref(v),
                                                     policy_arn=arn))


def iam_policy(v: View, unit: model.Unit) -> None:
    unit.identity_policies.append(model.IdentityPolicy(v.address, v.type, v.loc, document=v.policy("policy"),
                                                       name=v.scalar("name")))


def awscc_managed_policy(v: View, unit: model.Unit) -> None:
    roles = v.scalars("roles")
    unit.identity_policies.append(model.IdentityPolicy(
        v.address, v.type, v.loc, document=v.policy("policy_document"), name=v.scalar("managed_policy_name"),
        roles=roles, users=v.scalars("users"), groups=v.scalars("groups")))
    for role in roles:
        unit.attachments.append(model.RoleAttachment(v.address, v.type, role.loc or v.loc, role=role))


def iam_user_policy(v: View, unit: model.Unit) -> None:
    user = v.scalar("user")
    unit.identity_policies.append(model.IdentityPolicy(v.address, v.type, v.loc, document=v.policy("policy"),
                                                       name=v.scalar("name"), users=(user,) if user else ()))


def iam_group_policy(v: View, unit: model.Unit) -> None:
    group = v.scalar("group")
    unit.identity_policies.append(model.IdentityPolicy(v.address, v.type, v.loc, document=v.policy("policy"),
                                                       name=v.scalar("name"), groups=(group,) if group else ()))


def iam_role_policy(v: View, unit: model.Unit) -> None:
    unit.attachments.append(model.RoleAttachment(v.address, v.type, v.loc, role=v.scalar("role"),
                                                 document=v.policy("policy")))


def awscc_role_policy(v: View, unit: model.Unit) -> None:
    unit.attachments.append(model.RoleAttachment(v.address, v.type, v.loc, role=v.scalar("role_name"),
                                                 document=v.policy("policy_document")))


def iam_role_policy_attachment(v: View, unit: model.Unit) -> None:
    unit.attachments.append(model.RoleAttachment(v.address, v.type, v.loc, role=v.scalar("role"),
                                                 policy_arn=v.scalar("policy_arn")))


def iam_policy_attachment(v: View, unit: model.Unit) -> None:
    arn = v.scalar("policy_arn")
    for role in v.scalars("roles"):
        unit.attachments.append(model.RoleAttachment(v.address, v.type, role.loc or v.loc, role=role, policy_arn=arn))


def iam_role_exclusive_attachments(v: View, unit: model.Unit) -> None:
    role = v.scalar("role_name")
    for arn in v.scalars("policy_arns"):
        unit.attachments.append(model.RoleAttachment(v.address, v.type, arn.loc or v.loc, role=role, policy_arn=arn))


def service_linked_role(v: View, unit: model.Unit) -> None:
    unit.service_linked_roles.append(model.ServiceLinkedRole(
        v.address, v.type, v.loc, service_name=v.scalar("aws_service_name"), custom_suffix=v.scalar("custom_suffix"),
        conditional=v.conditional))


def lambda_permission(v: View, unit: model.Unit) -> None:
    unit.lambda_permissions.append(model.LambdaPermission(
        v.address, v.type, v.loc, action=v.scalar("action"), function_name=v.scalar("function_name"),
        qualifier=v.scalar("qualifier"), principal=v.scalar("principal"), source_arn=v.scalar("source_arn"),
        source_account=v.scalar("source_account")))


def lambda_alias(v: View, unit: model.Unit) -> None:
    unit.lambda_aliases.append(model.LambdaAlias(v.address, v.type, v.loc, function_name=v.scalar("function_name"),
                                                 name=v.scalar("name")))


def lambda_function(v: View, unit: model.Unit) -> None:
    unit.functions.append(model.LambdaFunction(v.address, v.type, v.loc, name=v.scalar("function_name")))
    role = v.scalar("role")
    if role is not None:
        unit.role_uses.append(model.RoleUse(v.address, v.type, role.loc or v.loc, value=role, expects="lambda_role",
                                            prop="role"))


# Other services' resources that hold a resource-based policy, and the argument that holds it
SERVICE_POLICY_ARGS: dict[str, str] = {
    "aws_s3_bucket_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_kms_key": "policy",
    "aws_secretsmanager_secret": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_cloudwatch_log_resource_policy": "policy_document",
}


def service_policy(v: View, unit: model.Unit) -> None:
    key = SERVICE_POLICY_ARGS[v.type]
    doc = v.policy(key)
    if doc is not None:
        unit.service_policies.append(model.ServicePolicy(v.address, v.type, v.loc, document=doc, prop=key))


def lex_v1(v: View, unit: model.Unit) -> None:
    unit.lex_v1.append(model.Entity(v.address, v.type, v.loc))
    if v.type == "aws_lex_bot_alias":
        for role in _dig_values(v.get("conversation_logs"), "iam_role_arn"):
            unit.role_uses.append(model.RoleUse(v.address, v.type, role.loc or v.loc, value=role, expects="log_role",
                                                prop="conversation_logs.iam_role_arn"))
    elif v.type == "aws_lex_intent":
        hooks = [("fulfillment_activity", "code_hook", "uri"), ("dialog_code_hook", "uri")]
        for keys in hooks:
            for uri in _dig_values(v.get(keys[0]), *keys[1:]):
                unit.role_uses.append(model.RoleUse(v.address, v.type, uri.loc or v.loc, value=uri,
                                                    expects="lambda_arn", prop=".".join(keys)))


Handler = Callable[[View, model.Unit], None]

HANDLERS: dict[str, Handler] = {
    "aws_lexv2models_bot": lex_bot,
    "awscc_lex_bot": lex_bot,
    "awscc_lex_bot_alias": lex_bot_alias,
    "aws_lexv2models_bot_alias": lex_bot_alias,
    "aws_lexv2models_bot_locale": lex_bot_locale,
    "aws_lexv2models_intent": lex_intent,
    "awscc_lex_resource_policy": lex_resource_policy,
    "aws_iam_role": iam_role,
    "awscc_iam_role": awscc_iam_role,
    "aws_iam_policy": iam_policy,
    "awscc_iam_managed_policy": awscc_managed_policy,
    "aws_iam_user_policy": iam_user_policy,
    "aws_iam_group_policy": iam_group_policy,
    "aws_iam_role_policy": iam_role_policy,
    "awscc_iam_role_policy": awscc_role_policy,
    "aws_iam_role_policy_attachment": iam_role_policy_attachment,
    "aws_iam_policy_attachment": iam_policy_attachment,
    "aws_iam_role_policy_attachments_exclusive": iam_role_exclusive_attachments,
    "aws_iam_service_linked_role": service_linked_role,
    "awscc_iam_service_linked_role": service_linked_role,
    "aws_lambda_permission": lambda_permission,
    "awscc_lambda_permission": lambda_permission,
    "aws_lambda_function": lambda_function,
    "awscc_lambda_function": lambda_function,
    "aws_lambda_alias": lambda_alias,
    "awscc_lambda_alias": lambda_alias,
    **{t: lex_v1 for t in LEX_V1_TYPES},
    **{t: service_policy for t in SERVICE_POLICY_ARGS},
}


def extract_resource(view: View, unit: model.Unit) -> None:
    """Add the entities of one resource to the unit.  A resource whose values cannot be evaluated
    (nesting beyond Python's stack; or, never expected, a bug) is recorded without entities and the
    scan goes on; a bug is reported as a warning so that it is seen."""
    unit.resource_types[view.address] = view.type
    handler = HANDLERS.get(view.type)
    if handler is None:
        return
    try:
        if view.conditional:
            # count / for_each decided at deploy time, or zero here from a variable's default that a caller
            # may set otherwise (of the resource or of a module call on the way to it): the resource may
            # not exist (the rules across resources leave it alone)
            unit.conditional.add(view.address)
        handler(view, unit)
    except RecursionError:
        pass
    except Exception as exc:  # noqa: BLE001 - never crash on input
        warnings.warn(f"lexiam: internal error while reading {view.address} ({view.type}): {exc!r}", stacklevel=2)
