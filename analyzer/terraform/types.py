"""What the Terraform front end knows about resource types: their neutral entity kind, which
attribute is their identity (a reference to it becomes a typed symbol), and which argument feeds
their ARN."""

from __future__ import annotations

from lexiam import model

ENTITY: dict[str, str] = {
    "aws_lexv2models_bot": model.LEX_BOT,
    "awscc_lex_bot": model.LEX_BOT,
    "awscc_lex_bot_alias": model.LEX_BOT_ALIAS,
    "aws_lexv2models_bot_alias": model.LEX_BOT_ALIAS,
    "awscc_lex_resource_policy": model.LEX_RESOURCE_POLICY,
    "aws_iam_role": model.IAM_ROLE,
    "awscc_iam_role": model.IAM_ROLE,
    "aws_iam_policy": model.IAM_POLICY,
    "awscc_iam_managed_policy": model.IAM_POLICY,
    "aws_iam_user": model.IAM_USER,
    "aws_iam_group": model.IAM_GROUP,
    "aws_iam_service_linked_role": model.SERVICE_LINKED_ROLE,
    "awscc_iam_service_linked_role": model.SERVICE_LINKED_ROLE,
    "aws_lambda_function": model.LAMBDA_FUNCTION,
    "awscc_lambda_function": model.LAMBDA_FUNCTION,
    "aws_lambda_alias": model.LAMBDA_ALIAS,
    "awscc_lambda_alias": model.LAMBDA_ALIAS,
    "aws_lambda_permission": model.LAMBDA_PERMISSION,
    "awscc_lambda_permission": model.LAMBDA_PERMISSION,
    "aws_iam_role_policy": model.ROLE_ATTACHMENT,
    "aws_iam_role_policy_attachment": model.ROLE_ATTACHMENT,
    "aws_iam_policy_attachment": model.ROLE_ATTACHMENT,
    "awscc_iam_role_policy": model.ROLE_ATTACHMENT,
    "aws_lex_bot": model.LEX_V1,
    "aws_lex_bot_alias": model.LEX_V1,
    "aws_lex_intent": model.LEX_V1,
    "aws_lex_slot_type": model.LEX_V1,
}

LEX_V1_TYPES = frozenset({"aws_lex_bot", "aws_lex_bot_alias", "aws_lex_intent", "aws_lex_slot_type"})

# Attributes that *are* the resource (its ID, name, ARN): a reference to one becomes a RESOURCE symbol
# (or a typed ARN for ``arn``), even when the block sets the argument, so the graph can follow it.
_COMMON_IDENTITY = frozenset({"id", "arn"})
IDENTITY_DEFAULT = _COMMON_IDENTITY
IDENTITY: dict[str, frozenset[str]] = {
    model.LEX_BOT: _COMMON_IDENTITY | {"bot_id", "name"},
    model.LEX_BOT_ALIAS: _COMMON_IDENTITY | {"bot_alias_id", "bot_alias_name", "name"},
    model.IAM_ROLE: _COMMON_IDENTITY | {"name", "role_name", "unique_id", "role_id"},
    model.SERVICE_LINKED_ROLE: _COMMON_IDENTITY | {"name", "unique_id"},
    model.IAM_POLICY: _COMMON_IDENTITY | {"name", "policy_id", "policy_arn", "managed_policy_name"},
    model.IAM_USER: _COMMON_IDENTITY | {"name", "unique_id"},
    model.IAM_GROUP: _COMMON_IDENTITY | {"name", "unique_id"},
    model.LAMBDA_FUNCTION: _COMMON_IDENTITY | {"function_name", "invoke_arn", "qualified_arn",
                                               "qualified_invoke_arn"},
    model.LAMBDA_ALIAS: _COMMON_IDENTITY | {"name", "invoke_arn"},
}

# The ARN attribute(s) of entities that have an ARN shape (lexiam.arns.typed_arn)
ARN_ATTRS: dict[str, frozenset[str]] = {
    model.LEX_BOT: frozenset({"arn"}),
    model.LEX_BOT_ALIAS: frozenset({"arn"}),
    model.IAM_ROLE: frozenset({"arn"}),
    model.SERVICE_LINKED_ROLE: frozenset({"arn"}),
    model.LAMBDA_FUNCTION: frozenset({"arn"}),
    model.IAM_POLICY: frozenset({"arn", "policy_arn"}),
}

# Which argument of the resource feeds typed_arn(): bot_id of an alias, path of a role, the service of a SLR
ARN_INPUTS: dict[str, tuple[str, str]] = {
    model.LEX_BOT_ALIAS: ("bot_id", "bot_id"),
    model.IAM_ROLE: ("role_path", "path"),
    model.SERVICE_LINKED_ROLE: ("slr_service", "aws_service_name"),
}

# Data sources that stand for the deploying account / region / partition
SELF_DATA = {
    "aws_caller_identity": {"account_id": "account", "id": "account"},
    "aws_region": {"name": "region", "region": "region", "id": "region"},
    "aws_partition": {"partition": "partition", "id": "partition", "dns_suffix": "urlsuffix"},
}

# Arguments of a module block that are not inputs of the module
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
