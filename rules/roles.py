"""Service-linked roles and bot service roles: E9520-W9533.

Roles are followed through references, not matched by name alone: a value that refers to a role or a
service-linked role declared in the unit (``!GetAtt Role.Arn``, ``!Ref SLR``, a literal name, a name
built from the same parts) is that resource; otherwise a role ARN is a Lex service-linked role only when
its path is ``/aws-service-role/<lex service>/``, and a bare role name only when it is a name IAM keeps
for Lex service-linked roles.  A role merely *named* like a service-linked role but with an ordinary path
is not one.  Unresolved values never produce a finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from lexiam import model, wildcard
from lexiam.arns import IMPLIED, parse_arn
from lexiam.graph import role_name_parts
from lexiam.model import FIX_REPLACE, Fix
from lexiam.rules.common import (
    SELF_ACCOUNT,
    action_covered,
    bot_role_values,
    display,
    effect,
    is_allow,
    may_allow,
    resource_covered,
)
from lexiam.rules.data.service_roles import LinkedRole, service_roles
from lexiam.rules.registry import FIX_SAFE, Context, check, rule
from lexiam.rules.sources import (
    CFN_PSEUDO,
    IAM_CREATE_SLR,
    IAM_MANAGED_POLICIES,
    IAM_PASS_ROLE,
    IAM_SLR,
    IAM_SLR_PATH_ERROR,
    LEX_CONVERSATION_LOGS,
    LEX_IAM,
    LEX_KENDRA,
    LEX_REPLICATION,
    LEX_SERVICE_ROLES,
    LEX_SLR,
)
from lexiam.values import ACCOUNT, Value, concat, same, segment_text, unknown

_SLR_ROWS = ("Service-linked roles",)
_ROLE_ROWS = ("Service roles",)

rule(
    "E9520", "slr-handmade", "An ordinary IAM role with a service-linked role's path",
    "Service-linked roles are created by IAM on behalf of the service, under the path /aws-service-role/. An "
    "ordinary role (AWS::IAM::Role, aws_iam_role) cannot be created there: IAM answers that the path prefix can "
    "only be used for service-linked roles, and the stack fails.",
    "Declare the service-linked role with AWS::IAM::ServiceLinkedRole (AWSServiceName lexv2.amazonaws.com, "
    "an optional CustomSuffix) / aws_iam_service_linked_role, or keep an ordinary service role with a normal "
    "path (/ or /service-role/) that trusts lexv2.amazonaws.com.",
    "roles", tags=("iam", "service-linked-role", "correctness"), feature_rows=_SLR_ROWS,
    evidence=(
        IAM_SLR_PATH_ERROR.says("the error text quoted in the pull request description",
                                "IAM refuses CreateRole under /aws-service-role/ with InvalidInput: the path prefix "
                                "can only be used for AWS service-linked roles."),
        LEX_SLR.says("Creating a service-linked role for Amazon Lex V2",
                     "Lex V2 (or AWS::IAM::ServiceLinkedRole) creates its service-linked roles; they are not "
                     "written by hand.", kind="inferred"),
    ),
)
rule(
    "E9521", "slr-modified", "A policy attached to a Lex service-linked role",
    "The permissions of a service-linked role are defined by the service and cannot be changed: attaching "
    "a managed policy or putting an inline policy on a Lex service-linked role (by name, ARN or reference) "
    "fails with UnmodifiableEntity.",
    "Remove the attachment. If the bot needs more permissions (Polly, Comprehend, Kendra, KMS, logs), give it "
    "its own service role that trusts lexv2.amazonaws.com and attach the policy there.",
    "roles", tags=("iam", "service-linked-role", "correctness"), feature_rows=_SLR_ROWS,
    evidence=(
        LEX_IAM.says("Service-linked roles for Amazon Lex V2",
                     "An administrator can view but not edit the permissions of a service-linked role."),
        LEX_SLR.says("Editing a service-linked role for Amazon Lex V2",
                     "Lex V2 does not allow its service-linked roles to be edited; Lex itself adds permissions as "
                     "the bot's features need them."),
        IAM_CREATE_SLR.says("Description",
                            "A policy can be attached to a service-linked role only by a request made through the "
                            "service the role depends on (the Lex console's change to the role goes through Lex; a "
                            "template's attachment does not)."),
    ),
)
rule(
    "E9522", "bot-role-wrong-slr", "A Lex V2 bot using another service's service-linked role",
    "A Lex V2 bot's RoleArn must be a role that lexv2.amazonaws.com can assume: the Lex V2 bots "
    "service-linked role (/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_*) or a service "
    "role that trusts lexv2.amazonaws.com. The Lex V1 role (lex.amazonaws.com/AWSServiceRoleForLexBots), the "
    "Lex V2 channels or replication roles, or any other service's role cannot be assumed by the bot.",
    "Point RoleArn at the Lex V2 bots service-linked role or at a service role that trusts "
    "lexv2.amazonaws.com.",
    "roles", tags=("lex", "iam", "service-linked-role", "correctness"), feature_rows=(*_SLR_ROWS, *_ROLE_ROWS),
    evidence=(
        LEX_SLR.says("Service-linked role permissions for Amazon Lex V2",
                     "The bots role trusts lexv2.amazonaws.com and the channels role channels.lexv2.amazonaws.com; "
                     "a service-linked role can only be assumed by its own service."),
    ),
)
rule(
    "E9523", "bot-role-cross-account", "A bot role in another account than the bot",
    "Creating a bot passes its role to Lex (iam:PassRole), which only works for a role in the same account "
    "as the bot: a role ARN in another account fails the deployment.",
    "Build the role ARN from the role itself (!GetAtt BotRole.Arn, aws_iam_role.bot.arn) or from the deploying "
    "account (arn:${AWS::Partition}:iam::${AWS::AccountId}:role/...).",
    "roles", tags=("lex", "iam", "security"), security_severity=5.0, feature_rows=_ROLE_ROWS,
    evidence=(
        IAM_PASS_ROLE.says("Grant a user permissions to pass a role to an AWS service",
                           "iam:PassRole cannot pass a role of another account."),
        LEX_IAM.says("Service roles for Amazon Lex V2",
                     "A service role gives access only within its own account."),
    ),
)
rule(
    "E9524", "bot-role-trust", "A bot role whose trust policy does not let Lex V2 assume it",
    "Lex V2 assumes the bot's role as the service principal lexv2.amazonaws.com. A role that trusts the Lex "
    "V1 principal lex.amazonaws.com, Lambda, an account or anything else but lexv2.amazonaws.com cannot be "
    "assumed by the bot: creating or building the bot fails.",
    "Trust lexv2.amazonaws.com in the role's AssumeRolePolicyDocument (Principal: {Service: "
    "lexv2.amazonaws.com}, Action: sts:AssumeRole), ideally with an aws:SourceAccount condition.",
    "roles", tags=("lex", "iam", "correctness"), feature_rows=_ROLE_ROWS, fix_safety=FIX_SAFE,
    evidence=(
        LEX_SERVICE_ROLES.says("Using service roles for Amazon Lex V2",
                               "An existing role can be the bot's role as long as it trusts the Lex V2 service "
                               "principal lexv2.amazonaws.com."),
    ),
)
rule(
    "E9525", "slr-arn-misused", "A Lex service-linked role used where something else is expected",
    "A Lex service-linked role can only be assumed by Lex. Used as a Lambda function's execution role, a "
    "log or conversation-log role, another service's role, or in place of a Lambda code hook ARN, it never "
    "works: the other service cannot assume it, and a role ARN is not a function ARN.",
    "Use the right kind of resource: a Lambda function ARN for code hooks, and for other services a role that "
    "trusts that service's principal.",
    "roles", tags=("iam", "service-linked-role", "correctness"), feature_rows=_SLR_ROWS,
    evidence=(
        LEX_SLR.says("Service-linked role permissions for Amazon Lex V2",
                     "Only Lex V2 can assume its service-linked roles, and their permissions policy cannot be "
                     "attached to another entity.", kind="inferred"),
    ),
)
rule(
    "W9526", "bot-role-overprivileged", "A bot's service role with caller permissions",
    "The role a bot runs with needs only what the bot's features use (Polly voices, Comprehend sentiment, "
    "Kendra, KMS, conversation logs, Bedrock). Caller policies such as AmazonLexFullAccess, "
    "AmazonLexRunBotsOnly and AmazonLexReadOnly, lex:* or iam:PassRole on * give the bot's role the power to "
    "read, change or run every bot, or to hand any role to any service.",
    "Detach the caller policy from the bot's role and grant it to the people or applications that call Lex. "
    "Keep the bot's role to the service permissions its features need, scoped to their resources.",
    "roles", tags=("lex", "iam", "security", "least-privilege"), security_severity=6.0,
    feature_rows=_ROLE_ROWS,
    evidence=(
        LEX_SERVICE_ROLES.says("Service role permissions",
                               "The permissions the bot's role needs are the ones its features use (Polly, Comprehend, "
                               "S3 and CloudWatch Logs for conversation logs, KMS, Kendra, Bedrock)."),
        IAM_MANAGED_POLICIES.says("AmazonLexFullAccess, AmazonLexRunBotsOnly, AmazonLexReadOnly",
                                  "These managed policies are for people and applications that build or call bots.",
                                  kind="inferred"),
    ),
)
rule(
    "E9527", "slr-declaration-invalid", "A Lex service-linked role declaration that IAM refuses",
    "AWS::IAM::ServiceLinkedRole / aws_iam_service_linked_role needs the exact service principal "
    "(lexv2.amazonaws.com, channels.lexv2.amazonaws.com, replication.lexv2.amazonaws.com, lex.amazonaws.com, "
    "channels.lex.amazonaws.com). Only the Lex V2 bots and channels services take a CustomSuffix, which must "
    "match [\\w+=,.@-]{1,64}; and two declarations of the same role (same service, same suffix) collide.",
    "Use the exact service name, a suffix of at most 64 letters, digits and +=,.@_- characters (only where the "
    "service accepts one), and one declaration per role.",
    "roles", tags=("iam", "service-linked-role", "correctness"), feature_rows=_SLR_ROWS,
    evidence=(
        IAM_CREATE_SLR.says("Request Parameters: AWSServiceName, CustomSuffix",
                            "The service name must be the service's principal, the suffix follows [\\w+=,.@-]+ "
                            "(1-64 characters) and only some services take one; a name already taken fails."),
        LEX_SLR.says("Service-linked role permissions for Amazon Lex V2",
                     "Lex V2 creates a bots role per bot and a channels role per channel, each with a suffix."),
    ),
)

rule(
    "W9528", "slr-name-reserved", "An ordinary IAM role named like a Lex service-linked role",
    "An ordinary role whose name starts with the name of a Lex service-linked role (AWSServiceRoleForLexV2Bots, "
    "AWSServiceRoleForLexV2Channels, AWSServiceRoleForLexV2Replication, AWSServiceRoleForLexBots, "
    "AWSServiceRoleForLexChannels) deploys, but poses as the service-linked role: readers, policies and tools "
    "that match the name treat it as one, and it can take the exact name Lex needs for its own role.",
    "Give the service role a name of its own (the Lex console uses AmazonLexServiceRole-<suffix> under "
    "/service-role/), or declare the real service-linked role with AWS::IAM::ServiceLinkedRole / "
    "aws_iam_service_linked_role.",
    "roles", tags=("iam", "service-linked-role", "maintainability"), feature_rows=_SLR_ROWS,
    evidence=(
        LEX_SLR.says("Service-linked role permissions for Amazon Lex V2",
                     "The names of the Lex V2 service-linked roles (AWSServiceRoleForLexV2Bots_..., "
                     "AWSServiceRoleForLexV2Channels_...)."),
        IAM_CREATE_SLR.says("Errors", "A service-linked role cannot be created when its name is already taken in the "
                            "account.", kind="inferred"),
    ),
    replaces=("E9520",),
)
rule(
    "W9530", "bot-role-hardcoded-account", "A bot role ARN with a hard-coded account in a template built for any account",
    "The bot's RoleArn names a 12-digit account while the rest of the template builds ARNs from the account it "
    "is deployed to (${AWS::AccountId}, data.aws_caller_identity): the template is meant to deploy anywhere, "
    "but the bot's role only exists in that one account, and the stack breaks in every other (iam:PassRole "
    "cannot pass a role of another account).",
    "Build the role ARN from the role (!GetAtt Role.Arn, aws_iam_role.bot.arn) or from the deploying account "
    "(arn:${AWS::Partition}:iam::${AWS::AccountId}:role/NAME).",
    "roles", tags=("lex", "iam", "portability"), feature_rows=_ROLE_ROWS,
    evidence=(
        IAM_PASS_ROLE.says("Grant a user permissions to pass a role to an AWS service",
                           "iam:PassRole cannot pass a role of another account."),
        CFN_PSEUDO.says("AWS::AccountId", "The pseudo parameter is the account the stack is created in: a template "
                        "that uses it is deployed to more than one account.", kind="inferred"),
    ),
    replaces=("E9523",),
)

rule(
    "E9531", "slr-kendra-intent", "A bot on the Lex service-linked role with a Kendra search intent",
    "An AMAZON.KendraSearchIntent (a KendraConfiguration) makes Lex call the Amazon Kendra Query operation with "
    "the bot's role. Outside the console (CloudFormation, Terraform, the API), Lex needs a role of its own that may "
    "call kendra:Query; the Lex V2 service-linked role gets that permission only when the console adds it "
    "(through Lex: IAM takes a policy for a service-linked role only from the service it depends on). The search "
    "intent fails.",
    "Give the bot a service role that trusts lexv2.amazonaws.com and allows kendra:Query on the index, and "
    "point the bot's RoleArn at it.",
    "roles", tags=("lex", "iam", "service-linked-role", "kendra", "correctness"), feature_rows=_SLR_ROWS,
    evidence=(
        LEX_KENDRA.says("IAM policy for the KendraSearchIntent",
                        "When the intent is created with the CLI or an SDK, a role specifically for calling the "
                        "Kendra Query operation must be used; the console can instead add the permission to the "
                        "service-linked role."),
        IAM_CREATE_SLR.says("Description",
                            "A policy can be attached to a service-linked role only by a request made through the "
                            "service the role depends on: a template cannot add kendra:Query to it."),
    ),
)
rule(
    "W9532", "bot-role-missing-permission", "A bot's role without the permission a feature of the bot needs",
    "The bot's role is what Lex calls other services with: Polly for a locale's voice, Comprehend for an alias's "
    "sentiment analysis, CloudWatch Logs and S3 (and KMS for an encrypted audio bucket) for conversation logs, "
    "Kendra for a KendraSearchIntent. When the role is defined in the scan and every policy it gets is known "
    "(inline, attached in the scan, AWS managed policies by their documented content) and none of them allows "
    "the action the feature needs on the feature's resource (wildcards, NotAction and Deny read as IAM reads "
    "them), the feature fails at run time. Not reported when any policy of the role cannot be read.",
    "Allow the action on the feature's resource in the bot's role, e.g. polly:SynthesizeSpeech on \"*\", "
    "logs:CreateLogStream and logs:PutLogEvents on arn:...:log-group:NAME:*, s3:PutObject on the bucket's "
    "objects, kms:GenerateDataKey on the key, kendra:Query on the index.",
    "roles", tags=("lex", "iam", "correctness"), feature_rows=_ROLE_ROWS,
    evidence=(
        LEX_SERVICE_ROLES.says("Service role permissions",
                               "The permissions the bot's role needs for each feature: Polly, Comprehend sentiment, "
                               "S3 audio logs, CloudWatch text logs, a KMS data key, Kendra."),
        LEX_CONVERSATION_LOGS.says("Creating an IAM Role and Policies for Conversation Logs",
                                   "Text logs need logs:CreateLogStream and logs:PutLogEvents on the log group; audio "
                                   "logs need write access to the bucket, and to the KMS key when it is encrypted."),
        LEX_KENDRA.says("IAM policy for the KendraSearchIntent", "The role must be allowed to call kendra:Query."),
        IAM_MANAGED_POLICIES.says("AmazonLexFullAccess, AmazonLexRunBotsOnly, AmazonLexReadOnly",
                                  "What the Lex managed policies grant, read as data (with AmazonPollyReadOnlyAccess "
                                  "and AWSLambdaBasicExecutionRole from the AWS Managed Policy Reference)."),
    ),
)
rule(
    "W9533", "slr-create-condition-mismatch", "iam:CreateServiceLinkedRole for a Lex role under another service's name",
    "An iam:CreateServiceLinkedRole statement for a Lex service-linked role path (.../aws-service-role/"
    "replication.lexv2.amazonaws.com/...) whose iam:AWSServiceName condition names another Lex service "
    "(lexv2.amazonaws.com) never matches: the request to create that role carries the service of its path. The "
    "statement grants nothing, and creating the role is denied.",
    "Name the service of the role path in iam:AWSServiceName (replication.lexv2.amazonaws.com for "
    "AWSServiceRoleForLexV2Replication, as AmazonLexFullAccess does).",
    "roles", tags=("iam", "service-linked-role", "correctness"), feature_rows=_SLR_ROWS,
    evidence=(
        IAM_MANAGED_POLICIES.says("AWS managed policy: AmazonLexFullAccess",
                                  "Each iam:CreateServiceLinkedRole statement pairs a Lex role path with the service of "
                                  "that path in iam:AWSServiceName (the replication role with "
                                  "replication.lexv2.amazonaws.com)."),
        IAM_SLR.says("Service-linked role permissions",
                     "iam:AWSServiceName limits iam:CreateServiceLinkedRole to the service the role is for."),
        LEX_REPLICATION.says("Permissions to replicate bots and manage bot replicas in Lex V2",
                             "The page's policy names lexv2.amazonaws.com for the replication role's path: copied "
                             "as is, it never matches.", kind="inferred"),
    ),
)

_ACCOUNT_ID = re.compile(r"^\d{12}$")


def grants(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern as written (``sts:*``, ``iam:Pass*``, ``*``) covers ``action``."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.strip())
    return re.fullmatch(rx, action, re.I) is not None


# -- references ------------------------------------------------------------------------------------------

def service_linked_path(value: Value) -> tuple[bool, str | None]:
    """(whether a role ARN's path is /aws-service-role/..., the service it names when known)."""
    arn = parse_arn(value)
    if arn is None or arn.service_text != "iam":
        return False, None
    segs = arn.resource_segments()
    if len(segs) >= 4 and segment_text(segs[0]) == "role" and segment_text(segs[1]) == "aws-service-role":
        return True, segment_text(segs[2])
    return False, None


def _declared_service(entity: model.ServiceLinkedRole) -> str | None:
    return entity.service_name.text if entity.service_name is not None else None


def lex_linked_role(ctx: Context, value: Value | None) -> LinkedRole | None:
    """The Lex service-linked role a value certainly names, else None (unknown, ordinary role, other service)."""
    if value is None:
        return None
    data = service_roles()
    refs = ctx.graph.roles_of(value)
    for entity in refs:
        if isinstance(entity, model.ServiceLinkedRole):
            svc = _declared_service(entity)
            return data.by_service(svc) if svc else None
    if refs:  # an ordinary role of the unit, whatever its name
        return None
    is_slr_path, svc = service_linked_path(value)
    if is_slr_path and svc is not None:
        return data.by_service(svc)
    if not is_slr_path and parse_arn(value) is not None:
        return None  # a role ARN with an ordinary path: not a service-linked role
    name = role_name_parts(value)
    if not name:
        return None
    text = segment_text(name)
    if text is not None:
        return data.by_role_name(text)
    head = name[0]
    return data.by_name_prefix(head) if isinstance(head, str) else None


def _leading_text(value: Value | None) -> str | None:
    if value is None or not value.parts or not isinstance(value.parts[0], str):
        return None
    return value.parts[0]


def _names(bots: list[model.LexBot]) -> str:
    return ", ".join(b.address for b in bots)


# -- E9520 ----------------------------------------------------------------------------------------------

@check("E9520", "W9528")
def check_handmade(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    for role in ctx.unit.roles:
        path = _leading_text(role.path)
        if path is not None and data.is_service_role_path(path):
            yield ctx.finding(
                "E9520", f"role {role.address} has Path '{display(role.path, ctx.pins)}': the /aws-service-role/ path "
                "is reserved for service-linked roles and IAM refuses an ordinary role there; declare the role with "
                "AWS::IAM::ServiceLinkedRole / aws_iam_service_linked_role instead",
                role.path.loc if role.path else None, role)
            continue
        name = _leading_text(role.name)
        linked = data.by_name_start(name) if name is not None else None
        if linked is not None and role.name is not None:
            yield ctx.finding(
                "W9528", f"role name '{display(role.name, ctx.pins)}' starts with the name of {linked.describe()}: "
                "this ordinary role poses as the service-linked role and can take the name Lex needs; give the "
                "service role a name of its own", role.name.loc, role)


# -- E9521 ----------------------------------------------------------------------------------------------

def _role_refs(ctx: Context) -> Iterator[tuple[model.Entity, Value]]:
    for att in ctx.unit.attachments:
        if att.role is not None:
            yield att, att.role
    for ip in ctx.unit.identity_policies:
        for role in ip.roles:
            yield ip, role


@check("E9521")
def check_modified(ctx: Context) -> Iterator[model.Finding]:
    seen: set[tuple[str, object, str]] = set()
    for owner, value in _role_refs(ctx):
        key = (owner.address, value.loc, value.render())
        if key in seen:
            continue
        seen.add(key)
        linked = lex_linked_role(ctx, value)
        if linked is None:
            continue
        yield ctx.finding(
            "E9521", f"{owner.address} attaches a policy to {linked.describe()} ('{display(value)}'): the "
            "permissions of a service-linked role cannot be changed, IAM answers UnmodifiableEntity",
            value.loc, owner)


# -- E9522 ----------------------------------------------------------------------------------------------

def _slr_service_of(ctx: Context, value: Value) -> str | None:
    """The service whose service-linked role a role value names, when it certainly names one."""
    refs = ctx.graph.roles_of(value)
    for entity in refs:
        if isinstance(entity, model.ServiceLinkedRole):
            return _declared_service(entity)
    if refs:
        return None
    is_slr_path, svc = service_linked_path(value)
    return svc if is_slr_path else None


@check("E9522")
def check_bot_role_slr(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    want = data.bot_role
    for bot, value in bot_role_values(ctx):
        svc = _slr_service_of(ctx, value)
        if svc is None or svc == want.service:
            continue
        linked = data.by_service(svc)
        what = linked.describe() if linked else f"the service-linked role of {svc}"
        yield ctx.finding(
            "E9522", f"the role of bot {bot.address} is {what}; a Lex V2 bot needs a role lexv2.amazonaws.com can "
            f"assume: {want.role_name}_* at {want.path} or a service role that trusts {want.service}",
            value.loc, bot)


# -- E9523 / W9530 -------------------------------------------------------------------------------------

def _values_in(obj: object) -> Iterator[Value]:
    if isinstance(obj, Value):
        yield obj
    elif isinstance(obj, tuple):
        for item in obj:
            yield from _values_in(item)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _values_in(getattr(obj, f.name))


def uses_deploying_account(unit: model.Unit, besides: Value) -> bool:
    """Whether any value of the unit other than ``besides`` is written with the deploying account
    (``${AWS::AccountId}``, ``data.aws_caller_identity``), not merely implied by a resource's own ARN."""
    for entity in unit.entities():
        for v in _values_in(entity):
            if v is not besides and any(s.kind == ACCOUNT and s.attr != IMPLIED for s in v.symbols):
                return True
    return False


@check("E9523", "W9530")
def check_bot_role_account(ctx: Context) -> Iterator[model.Finding]:
    for bot, value in bot_role_values(ctx):
        arn = parse_arn(value)
        if arn is None or arn.service_text != "iam":
            continue
        account = segment_text(arn.account)
        verdict = same(arn.account, SELF_ACCOUNT, ctx.pins)
        if verdict is False:
            deploying = ctx.pins.get("account", "the deploying account")
            yield ctx.finding(
                "E9523", f"bot {bot.address}'s role '{display(value, ctx.pins)}' is in account "
                f"{display(arn.account, ctx.pins)}, not the bot's account ({deploying}): Lex can only be passed a role "
                "of its own account", value.loc, bot)
        elif (verdict is None and account is not None and _ACCOUNT_ID.match(account) and "account" not in ctx.pins
              and uses_deploying_account(ctx.unit, value)):
            yield ctx.finding(
                "W9530", f"bot {bot.address}'s role '{display(value)}' hard-codes account {account} while the rest of "
                "the template uses the deploying account: the stack breaks in any other account; build the ARN "
                "from the role (!GetAtt Role.Arn) or from ${AWS::AccountId}", value.loc, bot)


# -- E9524 ----------------------------------------------------------------------------------------------

def _assumes(st: model.Statement) -> bool | None:
    if st.action_key != "Action" or "Action" in st.unresolved:
        return None
    texts = [a.text for a in st.actions]
    if any(t is None for t in texts):
        return None
    return any(grants(t, "sts:AssumeRole") for t in texts if t is not None)


def trusts(doc: model.PolicyDocument | None, service: str) -> tuple[bool | None, list[model.Principal]]:
    """Whether a trust policy lets ``service`` assume the role (None: cannot be known), and who it does trust."""
    if doc is None or not doc.resolved or doc.problems:
        return None, []
    known = True
    others: list[model.Principal] = []
    for st in doc.statements:
        if not is_allow(st):
            continue
        assumes = _assumes(st)
        if assumes is None or st.principal_key not in ("Principal", None) or "Principal" in st.unresolved:
            known = False
            continue
        if not assumes:
            continue
        for p in st.principals:
            text = p.value.text
            if p.kind == "*" or (text is not None and text.strip() in (service, "*")):
                return True, []
            if p.value.is_unknown or (text is None and p.kind == "Service"):
                known = False  # a parameter, or a service name built at deploy time
            else:
                others.append(p)
    return (False if known else None), others


@check("E9524")
def check_bot_role_trust(ctx: Context) -> Iterator[model.Finding]:
    want = service_roles().v2_principal
    v1 = service_roles().v1_principal
    for role, bots in ctx.graph.bot_roles():
        verdict, others = trusts(role.trust, want)
        if verdict is not False or role.trust is None:
            continue
        names = ", ".join(display(p.value) + (" (the Lex V1 principal)" if p.value.text == v1 else "") for p in others)
        trusted = f"trusts {names}" if others else "lets no one assume it"
        loc = others[0].value.loc if others else role.trust.loc
        # the Lex V1 principal where Lex V2's belongs (no Lex V1 resource in the unit could mean it)
        fix = (Fix(FIX_REPLACE, v1, want, f"trust {want} instead of {v1}")
               if others and others[0].kind == "Service" and others[0].value.text == v1 and not ctx.unit.lex_v1 else None)
        yield ctx.finding(
            "E9524", f"role {role.address} is the role of bot {_names(bots)} but its trust policy {trusted}, not "
            f"{want}: Lex V2 cannot assume it", loc, role, fix=fix)


# -- E9525 ----------------------------------------------------------------------------------------------

_EXPECTS = {
    "lambda_role": "the execution role of a Lambda function",
    "log_role": "a log delivery role",
    "service_role": "another service's role",
    "lambda_arn": "a Lambda function ARN",
}


@check("E9525")
def check_slr_misused(ctx: Context) -> Iterator[model.Finding]:
    for use in ctx.unit.role_uses:
        linked = lex_linked_role(ctx, use.value)
        if linked is None or use.value is None:
            continue
        where = _EXPECTS.get(use.expects, "another service's role")
        yield ctx.finding(
            "E9525", f"{use.prop or 'the role'} of {use.address} ({where}) is {linked.describe()}; only Lex can "
            "assume a Lex service-linked role", use.value.loc, use)
    for alias in ctx.unit.aliases:
        for values, what, why in ((alias.lambda_arns, "Lambda code hook", "not a Lambda function ARN: Lex cannot invoke a role"),
                                  (alias.log_role_arns, "conversation-log role", "log delivery cannot use it")):
            for value in values:
                linked = lex_linked_role(ctx, value)
                if linked is not None:
                    yield ctx.finding("E9525", f"the {what} of {alias.address} is {linked.describe()}, {why}",
                                      value.loc, alias)


# -- W9526 ----------------------------------------------------------------------------------------------

def caller_policy(value: Value | None) -> str | None:
    """The Lex caller policy a managed policy name or ARN names (any partition), else None."""
    if value is None:
        return None
    data = service_roles()
    if value.text is not None:
        return data.caller_policy(value.text)
    arn = parse_arn(value)
    if arn is None or arn.service_text != "iam" or segment_text(arn.account) != "aws":
        return None
    resource = segment_text(arn.resource)
    if resource is None or not resource.startswith("policy/"):
        return None
    return data.caller_policy(resource.rsplit("/", 1)[-1])


def _overprivileged(st: model.Statement) -> Iterator[tuple[Value, str]]:
    if not is_allow(st) or st.action_key != "Action":
        return
    star = st.resource_key == "Resource" and any((r.text or "").strip() == "*" for r in st.resources)
    for action in st.actions:
        text = (action.text or "").strip()
        if text == "*":
            yield action, "'*' grants every action, lex:* and iam:PassRole included"
        elif text.lower() == "lex:*":
            yield action, "lex:* grants every Lex action on the bots it covers"
        elif star and grants(text, "iam:PassRole"):
            yield action, f"'{text}' on Resource \"*\" lets the bot's role pass any role to any service"


@check("W9526")
def check_bot_role_privileges(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    for role, bots in ctx.graph.bot_roles():
        seen: set[tuple[str, object]] = set()
        for on in ctx.graph.policies_reaching(role):
            owner, arn, doc = on.owner, on.arn, on.document
            name = caller_policy(arn)
            if name is not None and arn is not None:
                yield ctx.finding(
                    "W9526", f"role {role.address} is the service role of bot {_names(bots)} and gets the caller policy "
                    f"{name} ({data.caller_policies[name]}); the bot's role needs only what its features use",
                    arn.loc, owner)
            for st in doc.statements if doc is not None else ():
                for action, why in _overprivileged(st):
                    key = (owner.address, action.loc)
                    if key in seen:
                        continue
                    seen.add(key)
                    yield ctx.finding(
                        "W9526", f"role {role.address} is the service role of bot {_names(bots)}: {why}; the bot's role "
                        "needs only what its features use", action.loc, owner, (*st.path, "Action"))


# -- E9527 ----------------------------------------------------------------------------------------------

@check("E9527")
def check_slr_declarations(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    declared: dict[str, model.ServiceLinkedRole] = {}
    for slr in ctx.unit.service_linked_roles:
        svc = _declared_service(slr)
        if svc is None:
            continue
        linked = data.by_service(svc)
        if linked is None:
            if data.looks_like_lex_service(svc):
                hint = data.suggest_service(svc)
                yield ctx.finding(
                    "E9527", f"'{svc}' is not a Lex service name IAM knows" + (f"; did you mean '{hint}'?" if hint else
                    "; the Lex services are " + ", ".join(r.service for r in data.linked_roles)),
                    slr.service_name.loc if slr.service_name else None, slr)
            continue
        suffix: str | None = None
        if slr.custom_suffix is not None:
            suffix = slr.custom_suffix.text
            if suffix is None:
                continue  # decided at deploy time
            if not linked.custom_suffix:
                yield ctx.finding(
                    "E9527", f"{svc} does not accept a custom suffix: IAM creates exactly one {linked.role_name} per "
                    "account", slr.custom_suffix.loc, slr)
                continue
            if not data.suffix_ok(suffix):
                yield ctx.finding(
                    "E9527", f"custom suffix '{suffix}' must match {data.suffix_pattern.pattern} (1 to 64 letters, "
                    "digits and +=,.@_- characters)", slr.custom_suffix.loc, slr)
                continue
        if slr.conditional:
            continue
        name = linked.name_with(suffix).lower()
        first = declared.setdefault(name, slr)
        if first is not slr:
            yield ctx.finding(
                "E9527", f"{slr.address} declares {linked.name_with(suffix)}, already declared by {first.address}: "
                "the second creation fails", slr.service_name.loc if slr.service_name else None, slr)


# -- E9531 ----------------------------------------------------------------------------------------------

@check("E9531")
def check_slr_kendra(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    for bot, value in bot_role_values(ctx):
        linked = lex_linked_role(ctx, value)
        if linked is None or linked is not data.bot_role:
            continue
        for intent in ctx.graph.parts_of(bot)[2]:
            if ctx.graph.conditional(intent) or ctx.graph.conditional(bot):
                continue
            name = f"intent {display(intent.name)}" if intent.name is not None else "a KendraSearchIntent"
            yield ctx.finding(
                "E9531", f"{name} of bot {bot.address} searches Amazon Kendra, but the bot's role is "
                f"{linked.describe()}: outside the console Lex needs a role of its own that may call kendra:Query",
                intent.kendra_loc or intent.loc, intent)


# -- W9532 ----------------------------------------------------------------------------------------------

def _role_documents(ctx: Context, role: model.IamRole) -> list[model.PolicyDocument] | None:
    """Every policy document a role gets, or None when one of them cannot be known."""
    from lexiam.rules.data.managed_policies import managed_policies

    known = managed_policies()
    docs: list[model.PolicyDocument] = []
    for on in ctx.graph.policies_reaching(role):
        if on.document is not None:
            if not on.document.resolved or on.document.problems:
                return None
            docs.append(on.document)
        elif on.arn is not None:
            managed = known.of(on.arn.text) if on.arn.text is not None else None
            if managed is None:
                return None
            docs.append(managed.document)
    return docs


_UNKNOWN_KEY = unknown("an object key")
_UNKNOWN_STREAM = unknown("a log stream")


def _log_resources(group: Value) -> list[Value | None]:
    """The resources text logging writes to: the log group ARN as given, and a log stream of it."""
    parts = list(group.parts)
    if parts and isinstance(parts[-1], str) and parts[-1].endswith(":*"):
        parts[-1] = parts[-1][:-2]
    stream = concat([Value(tuple(parts)), Value((":log-stream:", _UNKNOWN_STREAM))])
    return [group, stream]


def _features(ctx: Context, bot: model.LexBot) -> Iterator[tuple[model.Entity, Value, str, str, list[Value | None]]]:
    """(entity, value, what needs it, action, resources) of every feature of a bot that its role serves."""
    aliases, locales, intents = ctx.graph.parts_of(bot)
    for locale in locales:
        if locale.voice is not None:
            where = f"locale {locale.locale_id.text}" if locale.locale_id is not None and locale.locale_id.text else "a locale"
            yield locale, locale.voice, f"the voice of {where}", "polly:SynthesizeSpeech", [None]
    for alias in aliases:
        name = "the test alias" if alias.alias_id is not None else f"alias {alias.address}"
        if alias.detect_sentiment is not None:
            yield alias, alias.detect_sentiment, f"the sentiment analysis of {name}", "comprehend:DetectSentiment", [None]
        if alias.logs is None:
            continue
        for group in alias.logs.text_log_groups:
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                yield alias, group, f"the text logs of {name}", action, _log_resources(group)
        for bucket in alias.logs.audio_buckets:
            obj = concat([bucket, Value(("/", _UNKNOWN_KEY))])
            yield alias, bucket, f"the audio logs of {name}", "s3:PutObject", [obj]
        for key in alias.logs.audio_kms_keys:
            yield alias, key, f"the encrypted audio logs of {name}", "kms:GenerateDataKey", [key]
    for intent in intents:
        if intent.kendra_index is not None:
            yield intent, intent.kendra_index, f"the Kendra search of intent {display(intent.name)}", "kendra:Query", \
                [intent.kendra_index]


def _resource_policy_may_allow(ctx: Context, role: model.IamRole, action: str, resources: list[Value | None]) -> bool:
    """Whether a resource policy of the unit (a bucket, key or log policy) may grant the role the action itself:
    an Allow to the role, to "*" or to a principal that cannot be known (an account principal only delegates to
    the role's own policies)."""
    for sp in ctx.unit.service_policies:
        if sp.document is None:
            continue
        for st in sp.document.statements:
            if effect(st) == "Deny" or action_covered(st, action) is False:
                continue
            if st.principal_key == "NotPrincipal" or "Principal" in st.unresolved:
                names = True
            else:
                names = any(p.kind == "*" or (p.value.text or "").strip() == "*" or p.value.is_unknown
                            or role in ctx.graph.roles_of(p.value) for p in st.principals)
            if names and any(resource_covered(ctx.graph, st, r) is not False for r in resources):
                return True
    return False


@check("W9532")
def check_missing_permission(ctx: Context) -> Iterator[model.Finding]:
    for role, bots in ctx.graph.bot_roles():
        if ctx.graph.conditional(role):
            continue
        needs = [(bot, *feature) for bot in bots if not ctx.graph.conditional(bot) for feature in _features(ctx, bot)
                 if not ctx.graph.conditional(feature[0])]
        if not needs:
            continue
        docs = _role_documents(ctx, role)
        if docs is None:
            continue  # a policy of the role cannot be read: what it grants is unknown
        for bot, entity, value, what, action, resources in needs:
            if may_allow(ctx.graph, docs, action, resources) or _resource_policy_may_allow(ctx, role, action, resources):
                continue
            target = display(resources[0], ctx.pins) if resources[0] is not None else "*"
            yield ctx.finding(
                "W9532", f"for {what} of bot {bot.address}, Lex needs {action} on {target}, and none of the policies "
                f"of the bot's role {role.address} allows it: Lex calls the service with that role, so the feature fails",
                value.loc, entity)


# -- W9533 ----------------------------------------------------------------------------------------------

_CREATE_SLR = "iam:CreateServiceLinkedRole"
_NAME_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike"})


def _slr_services(st: model.Statement) -> list[str] | None:
    """The Lex services of a statement's service-linked role paths; None when a resource could be another."""
    data = service_roles()
    out: list[str] = []
    if st.resource_key != "Resource" or not st.resources:
        return None
    for r in st.resources:
        is_path, svc = service_linked_path(r)
        if not is_path or svc is None or "*" in svc or "?" in svc or data.by_service(svc) is None:
            return None
        out.append(svc)
    return out


@check("W9533")
def check_slr_create_condition(ctx: Context) -> Iterator[model.Finding]:
    data = service_roles()
    for owner, doc, kind in ctx.unit.policies():
        if kind != "identity":
            continue
        for st in doc.statements:
            if effect(st) != "Allow" or action_covered(st, _CREATE_SLR) is not True or "Condition" in st.unresolved:
                continue
            services = _slr_services(st)
            if not services:
                continue
            names = [(c, v) for c in st.conditions if (c.key.text or "").strip().lower() == "iam:awsservicename"
                     for v in c.values]
            if not names or any(v.text is None for _c, v in names):
                continue
            if any(c.operator.split(":", 1)[-1].lower() not in _NAME_OPERATORS for c, _v in names):
                continue
            if not all(data.looks_like_lex_service(v.text or "") for _c, v in names):
                continue
            if any(wildcard.match((v.text or "").strip().lower(), svc.lower()) for _c, v in names for svc in services):
                continue
            _c, first = names[0]
            yield ctx.finding(
                "W9533", f"iam:AWSServiceName '{first.text}' names another Lex service than the service-linked role "
                f"this statement is for ({', '.join(sorted(set(services)))}): the condition never matches, so creating "
                "the role is denied", first.loc, owner, (*st.path, "Condition"))
