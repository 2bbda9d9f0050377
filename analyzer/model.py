"""The IaC-neutral model: what the front ends extract and the rules read.

Every front end (CloudFormation, Terraform) turns its files into one :class:`Unit` per template or
Terraform module, holding the entities below.  No entity knows which format it came from; rules
never ask.  Every value that came from a template is a :class:`~lexiam.values.Value` carrying its
:class:`~lexiam.values.Location`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lexiam.values import Location, Value

# Neutral entity kinds, used by typed symbols and the graph.
LEX_BOT = "lex_bot"
LEX_BOT_ALIAS = "lex_bot_alias"
LEX_V1 = "lex_v1"  # any Lex V1 resource (aws_lex_bot, aws_lex_bot_alias, ...)
LEX_RESOURCE_POLICY = "lex_resource_policy"
IAM_ROLE = "iam_role"
IAM_POLICY = "iam_policy"
IAM_USER = "iam_user"
IAM_GROUP = "iam_group"
SERVICE_LINKED_ROLE = "service_linked_role"
LAMBDA_FUNCTION = "lambda_function"
LAMBDA_PERMISSION = "lambda_permission"
ROLE_ATTACHMENT = "role_attachment"


@dataclass(frozen=True, slots=True)
class Principal:
    """One principal of a statement: kind is AWS, Service, Federated, CanonicalUser or ``*``."""

    kind: str
    value: Value


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str
    key: Value
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    loc: Location | None
    path: tuple[str | int, ...]
    sid: Value | None = None
    effect: Value | None = None
    actions: tuple[Value, ...] = ()
    action_key: str | None = None  # "Action" | "NotAction" | None when missing
    resources: tuple[Value, ...] = ()
    resource_key: str | None = None  # "Resource" | "NotResource" | None
    principals: tuple[Principal, ...] = ()
    principal_key: str | None = None  # "Principal" | "NotPrincipal" | None
    principal_loc: Location | None = None
    conditions: tuple[Condition, ...] = ()
    unresolved: frozenset[str] = frozenset()  # keys whose value could not be resolved


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """A structural defect of a policy document (not JSON, no Statement, bad Effect...)."""

    message: str
    loc: Location | None
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    loc: Location | None
    path: tuple[str | int, ...] = ()
    problems: tuple[PolicyProblem, ...] = ()
    resolved: bool = True  # False when the document itself is an unknown value


@dataclass(frozen=True, slots=True)
class Entity:
    """Base of every extracted resource: its address (logical ID / TF address) and type."""

    address: str
    type: str
    loc: Location | None


@dataclass(frozen=True, slots=True)
class LexBot(Entity):
    name: Value | None = None
    role_arn: Value | None = None
    version: str = "v2"


@dataclass(frozen=True, slots=True)
class LexBotAlias(Entity):
    bot_id: Value | None = None
    name: Value | None = None
    lambda_arns: tuple[Value, ...] = ()
    log_role_arns: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True)
class LexResourcePolicy(Entity):
    resource_arn: Value | None = None
    policy: PolicyDocument | None = None


@dataclass(frozen=True, slots=True)
class IamRole(Entity):
    name: Value | None = None
    path: Value | None = None
    trust: PolicyDocument | None = None
    inline: tuple[PolicyDocument, ...] = ()
    managed_policy_arns: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentityPolicy(Entity):
    """A standalone identity policy (IAM Policy/ManagedPolicy/User/Group inline, TF aws_iam_policy)."""

    document: PolicyDocument | None = None
    name: Value | None = None
    roles: tuple[Value, ...] = ()
    users: tuple[Value, ...] = ()
    groups: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True)
class RoleAttachment(Entity):
    """A policy attached to a role by a separate resource or by ``ManagedPolicyArns``."""

    role: Value | None = None
    policy_arn: Value | None = None
    document: PolicyDocument | None = None


@dataclass(frozen=True, slots=True)
class ServiceLinkedRole(Entity):
    service_name: Value | None = None
    custom_suffix: Value | None = None
    conditional: bool = False  # created only under a condition (CloudFormation Condition, Terraform count)


@dataclass(frozen=True, slots=True)
class LambdaPermission(Entity):
    action: Value | None = None
    function_name: Value | None = None
    principal: Value | None = None
    source_arn: Value | None = None
    source_account: Value | None = None


@dataclass(frozen=True, slots=True)
class RoleUse(Entity):
    """A role ARN used by a property that is not a Lex bot role (a Lambda function role, a log role...)."""

    value: Value | None = None
    expects: str = ""  # "lambda_role", "log_role", "lambda_arn", "service_role"
    prop: str = ""  # the property as written (``Role``, ``Targets[0].RoleArn``)


@dataclass
class Unit:
    """One template or one Terraform module: the entities the rules see together."""

    file: str  # the template file, or the module folder
    format: str  # "cloudformation" | "terraform" | "terraform-plan"
    resource_types: dict[str, str] = field(default_factory=dict)  # address -> IaC type
    bots: list[LexBot] = field(default_factory=list)
    aliases: list[LexBotAlias] = field(default_factory=list)
    resource_policies: list[LexResourcePolicy] = field(default_factory=list)
    roles: list[IamRole] = field(default_factory=list)
    identity_policies: list[IdentityPolicy] = field(default_factory=list)
    attachments: list[RoleAttachment] = field(default_factory=list)
    service_linked_roles: list[ServiceLinkedRole] = field(default_factory=list)
    lambda_permissions: list[LambdaPermission] = field(default_factory=list)
    role_uses: list[RoleUse] = field(default_factory=list)
    lex_v1: list[Entity] = field(default_factory=list)
    # Per-resource suppressions written in the template: address -> [(rule id or prefix, reason)]
    ignores: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    unit_ignores: list[tuple[str, str]] = field(default_factory=list)
    # The path inside a resource of the value written at a location (a front end that can tell
    # sets it; rules that know the path pass it themselves).
    path_at: Callable[[str, Location], tuple[str | int, ...]] | None = None

    def entities(self) -> list[Entity]:
        return [
            *self.bots, *self.aliases, *self.resource_policies, *self.roles,
            *self.identity_policies, *self.attachments, *self.service_linked_roles,
            *self.lambda_permissions, *self.role_uses, *self.lex_v1,
        ]

    def policies(self) -> list[tuple[Entity, PolicyDocument, str]]:
        """Every policy document with its owner and its role: resource | identity | trust."""
        out: list[tuple[Entity, PolicyDocument, str]] = []
        for rp in self.resource_policies:
            if rp.policy:
                out.append((rp, rp.policy, "resource"))
        for role in self.roles:
            if role.trust:
                out.append((role, role.trust, "trust"))
            out.extend((role, doc, "identity") for doc in role.inline)
        for ip in self.identity_policies:
            if ip.document:
                out.append((ip, ip.document, "identity"))
        for att in self.attachments:
            if att.document:
                out.append((att, att.document, "identity"))
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    slug: str
    severity: str  # "error" | "warning" | "info"
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    resource: str = ""
    path: tuple[str | int, ...] = ()
    suppressed: str | None = None  # the reason, when a suppression matched

    def sort_key(self) -> tuple[object, ...]:
        return (self.file, self.line, self.column, self.rule_id, self.message)

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "rule_id": self.rule_id,
            "slug": self.slug,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "resource": self.resource,
            "path": list(self.path),
        }
        if self.suppressed is not None:
            d["suppressed"] = self.suppressed
        return d
