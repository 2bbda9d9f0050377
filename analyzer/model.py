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
LAMBDA_ALIAS = "lambda_alias"  # a Lambda function alias (a qualifier), not a Lex bot alias
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
class CodeHook:
    """The Lambda code hook of one locale of a bot alias (only an enabled one is extracted)."""

    locale: Value | None
    lambda_arn: Value


@dataclass(frozen=True, slots=True)
class ConversationLogs:
    """Where an alias writes its conversation logs (enabled settings only)."""

    text_log_groups: tuple[Value, ...] = ()  # CloudWatch Logs log group ARNs
    audio_buckets: tuple[Value, ...] = ()  # S3 bucket ARNs
    audio_kms_keys: tuple[Value, ...] = ()  # KMS key ARNs that encrypt the audio logs


@dataclass(frozen=True, slots=True)
class LexBotAlias(Entity):
    bot_id: Value | None = None
    name: Value | None = None
    lambda_arns: tuple[Value, ...] = ()
    log_role_arns: tuple[Value, ...] = ()
    alias_id: Value | None = None  # known for the test alias (TSTALIASID); else the alias's own ID
    hooks: tuple[CodeHook, ...] = ()
    logs: ConversationLogs | None = None
    detect_sentiment: Value | None = None  # SentimentAnalysisSettings.DetectSentiment when it is true


@dataclass(frozen=True, slots=True)
class LexBotLocale(Entity):
    """A bot locale (inside a bot, or a resource of its own); ``voice`` is its VoiceSettings when set."""

    bot_id: Value | None = None
    locale_id: Value | None = None
    voice: Value | None = None


@dataclass(frozen=True, slots=True)
class LexIntent(Entity):
    """An intent with a Kendra configuration (AMAZON.KendraSearchIntent): the index it queries."""

    bot_id: Value | None = None
    locale_id: Value | None = None
    name: Value | None = None
    kendra_index: Value | None = None
    kendra_loc: Location | None = None


@dataclass(frozen=True, slots=True)
class LambdaFunction(Entity):
    name: Value | None = None  # None: the name is generated at deploy time (CloudFormation, SAM)


@dataclass(frozen=True, slots=True)
class LambdaAlias(Entity):
    """A Lambda function alias: a name (qualifier) for a version of a function."""

    function_name: Value | None = None
    name: Value | None = None


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
class ServicePolicy(Entity):
    """A resource-based policy of another service's resource (a bucket, queue, topic, key, secret...)."""

    document: PolicyDocument | None = None
    prop: str = ""  # the property that holds it, as written (``PolicyDocument``, ``KeyPolicy``, ``policy``)


@dataclass(frozen=True, slots=True)
class Resource(Entity):
    """Any other resource of the unit, known by its address and type only (a log group, a bucket, a key, a
    Kendra index): what the graph gives as the target of a reference to it. Front ends do not extract it;
    the graph makes it from ``Unit.resource_types``."""


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
    qualifier: Value | None = None  # Terraform's qualifier argument (CloudFormation writes it in FunctionName)
    principal: Value | None = None
    source_arn: Value | None = None
    source_account: Value | None = None


@dataclass(frozen=True, slots=True)
class RoleUse(Entity):
    """A role ARN used by a property that is not a Lex bot role (a Lambda function role, a log role...)."""

    value: Value | None = None
    expects: str = ""  # "lambda_role", "log_role", "lambda_arn", "service_role"
    prop: str = ""  # the property as written (``Role``, ``Targets[0].RoleArn``)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A suppression written in a scanned file, as a front end found it.

    It covers the findings of ``resource`` (and of its parts: ``Bot.TestBotAlias``), or on ``line`` of the
    file it is written in, or, with neither, every finding of that file.  ``rule`` is a rule ID or prefix
    as written (upper case); ``problem`` says why a suppression-like text is no suppression (it covers
    nothing, and is reported).
    """

    rule: str
    reason: str
    origin: str  # "metadata" (Metadata: lexiam: ignore), "cfn-lint" (ignore_checks), "comment"
    loc: Location
    resource: str | None = None
    line: int | None = None
    problem: str = ""


def enclosing(address: str) -> list[str]:
    """The addresses an address is part of, innermost first: ``Bot`` for ``Bot.TestBotAlias``;
    ``module.bot["a.b"].aws_iam_role.x``, ``module.bot["a.b"].aws_iam_role``, ``module.bot["a.b"]``,
    ``module.bot``, ``module`` for ``module.bot["a.b"].aws_iam_role.x[0]``.  An instance key in brackets
    (a quoted string with ``\\`` escapes, or a number) is one step, whatever it holds."""
    cuts: list[int] = []  # where each step after the first starts
    i, n = 0, len(address)
    while i < n:
        ch = address[i]
        if ch == ".":
            cuts.append(i)
        elif ch == "[":
            cuts.append(i)
            i += 1
            quoted = False
            while i < n:
                c = address[i]
                if quoted and c == "\\":
                    i += 1
                elif c == '"':
                    quoted = not quoted
                elif c == "]" and not quoted:
                    break
                i += 1
        i += 1
    return [address[:c] for c in reversed(cuts) if c > 0]


@dataclass
class Unit:
    """One template or one Terraform module: the entities the rules see together."""

    file: str  # the template file, or the module folder
    format: str  # "cloudformation" | "terraform" | "terraform-plan"
    resource_types: dict[str, str] = field(default_factory=dict)  # address -> IaC type
    bots: list[LexBot] = field(default_factory=list)
    aliases: list[LexBotAlias] = field(default_factory=list)
    locales: list[LexBotLocale] = field(default_factory=list)
    intents: list[LexIntent] = field(default_factory=list)
    resource_policies: list[LexResourcePolicy] = field(default_factory=list)
    roles: list[IamRole] = field(default_factory=list)
    identity_policies: list[IdentityPolicy] = field(default_factory=list)
    attachments: list[RoleAttachment] = field(default_factory=list)
    service_linked_roles: list[ServiceLinkedRole] = field(default_factory=list)
    lambda_permissions: list[LambdaPermission] = field(default_factory=list)
    functions: list[LambdaFunction] = field(default_factory=list)
    lambda_aliases: list[LambdaAlias] = field(default_factory=list)
    role_uses: list[RoleUse] = field(default_factory=list)
    service_policies: list[ServicePolicy] = field(default_factory=list)
    lex_v1: list[Entity] = field(default_factory=list)
    # Resources created only under a condition that is not known (Fn::If conditions, an unknown count)
    conditional: set[str] = field(default_factory=set)
    # Suppressions written in the unit's files (template Metadata, comments), applied by the engine
    suppressions: list[Suppression] = field(default_factory=list)
    # The path inside a resource of the value written at a location (a front end that can tell
    # sets it; rules that know the path pass it themselves).
    path_at: Callable[[str, Location], tuple[str | int, ...]] | None = None
    # The source text at a location (a front end that keeps the lines sets it): the subject of a finding
    text_at: Callable[[Location], str] | None = None
    # Where a resource comes from when the scanned files do not say (a Terraform module that terraform init
    # installed: ``module.bot is registry.terraform.io/example/lexbot/aws 1.0.0, ...``): told in the message
    origin_of: Callable[[str], str | None] | None = None

    def entities(self) -> list[Entity]:
        return [
            *self.bots, *self.aliases, *self.locales, *self.intents, *self.resource_policies, *self.roles,
            *self.identity_policies, *self.attachments, *self.service_linked_roles,
            *self.lambda_permissions, *self.functions, *self.lambda_aliases, *self.role_uses,
            *self.service_policies, *self.lex_v1,
        ]

    def policies(self) -> list[tuple[Entity, PolicyDocument, str]]:
        """Every policy document with its owner and its role: resource (a bot or bot alias policy) | identity |
        trust | service (another service's resource policy)."""
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
        for sp in self.service_policies:
            if sp.document:
                out.append((sp, sp.document, "service"))
        return out


FIX_REPLACE = "replace"  # the value's text becomes Fix.new
FIX_REMOVE = "remove"  # the value leaves the list it is an item of
FIX_REFERENCE = "reference"  # the value becomes a reference to the ARN of the resource Fix.new names


@dataclass(frozen=True, slots=True)
class Fix:
    """What a rule knows the offending value should become; :mod:`lexiam.fix` turns it into an edit of the
    file, in the file's own syntax, and applies it only where the file still says ``old`` at the finding's
    span.  The rule sets it where it knows the answer, and only when the answer is certain."""

    kind: str  # FIX_REPLACE | FIX_REMOVE | FIX_REFERENCE
    old: str  # the value's text as the rule read it (decoded: no quotes, no escapes)
    new: str = ""  # FIX_REPLACE: the new text; FIX_REFERENCE: the address of the resource (an alias)
    title: str = ""  # what the fix does, for people ("lexv2:RecognizeText -> lex:RecognizeText")
    safety: str = ""  # "safe" | "unsafe"; "" takes the rule's declared fix_safety
    # the text is wrong wherever it is written (a misspelt action), so it may be fixed where a data source
    # or a local defines it; otherwise only inside the finding's own resource
    anywhere: bool = False


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
    suppressed_by: str = ""  # the kind of suppression that matched (Suppression.origin)
    # the offending value as written (its source text, cut to SUBJECT_MAX): with the rule, file, resource and
    # path it identifies the finding for fingerprints, whatever the message says and wherever the lines move
    subject: str = ""
    fix: Fix | None = None  # what ``lexiam fix`` would make of the value (never part of the report's identity)

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
            d["suppressed_by"] = self.suppressed_by
        return d


SUBJECT_MAX = 256


def span_text(lines: list[str] | None, loc: Location) -> str:
    """The text a location spans in a file's lines (at most SUBJECT_MAX characters; "" when unknown)."""
    if not lines or not 0 < loc.line <= len(lines):
        return ""
    end_line = loc.end_line if loc.end_line >= loc.line else loc.line
    if end_line == loc.line:
        row = lines[loc.line - 1]
        end = loc.end_column if loc.end_column > loc.column else loc.column
        return row[loc.column - 1:end - 1][:SUBJECT_MAX]
    out = [lines[loc.line - 1][loc.column - 1:]]
    size = len(out[0])
    for n in range(loc.line + 1, min(end_line, len(lines)) + 1):
        if size >= SUBJECT_MAX:
            break
        row = lines[n - 1] if n < end_line else lines[n - 1][:max(loc.end_column - 1, 0)]
        out.append(row)
        size += len(row) + 1
    return "\n".join(out)[:SUBJECT_MAX]


SEVERITIES = {"E": "error", "W": "warning", "I": "info"}  # the first letter of a rule ID is its default severity


def finding_at(rule_id: str, slug: str, message: str, loc: Location | None, *, resource: str = "",
               path: tuple[str | int, ...] = (), fallback_file: str = "") -> Finding:
    """A finding of a rule at a location (the start of ``fallback_file`` when there is none)."""
    if loc is None:
        loc = Location(fallback_file, 1, 1)
    return Finding(
        rule_id=rule_id, slug=slug, severity=SEVERITIES[rule_id[0]], message=message, file=loc.file,
        line=loc.line, column=loc.column, end_line=loc.end_line or loc.line,
        end_column=loc.end_column or loc.column, resource=resource, path=path)


# The rule of a file that cannot be read or parsed: front ends and the engine report it without loading
# the rule pack (``rules/input.py`` declares its metadata; a test keeps the two the same).
INPUT_ERROR_ID, INPUT_ERROR_SLUG = "E9500", "input-error"
# Findings of one rule in one template or module, at most (the rest: one notice): a template that repeats one
# mistake 300,000 times (5 MiB of "lex:CreateBot" in one statement), or 200,000 comment suppressions that
# suppress nothing, gives the first ones and a notice, not a 150 MB report.
MAX_PER_RULE = 1000


def cap_notice(where: str, rule_id: str, extra: int, scope: str) -> str:
    """The notice for the findings of a rule past MAX_PER_RULE in one ``scope`` (a template or module, a file)."""
    return f"{where}: {extra} more {rule_id} findings were not reported (at most {MAX_PER_RULE} of one rule in {scope})"


def input_error(message: str, loc: Location) -> Finding:
    """The one E9500 finding of a file that cannot be read or parsed."""
    return finding_at(INPUT_ERROR_ID, INPUT_ERROR_SLUG, message, loc)


@dataclass(slots=True)
class FileResult:
    """What happened to one file of the scan."""

    file: str  # relative to the scan root
    status: str  # "scanned" | "skipped" | "error"
    reason: str = ""


@dataclass
class ScanResult:
    findings: list[Finding]
    files: list[FileResult]
    baselined: int = 0  # findings left out because a baseline records them
    notices: list[str] = field(default_factory=list)  # what the user should know of how the scan went

    def summary(self) -> dict[str, object]:
        by_status = {"scanned": 0, "skipped": 0, "error": 0}
        for f in self.files:
            by_status[f.status] = by_status.get(f.status, 0) + 1
        active = [f for f in self.findings if f.suppressed is None]
        by_sev = {"error": 0, "warning": 0, "info": 0}
        for f in active:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        return {
            "files": len(self.files),
            "scanned": by_status["scanned"],
            "skipped": by_status["skipped"],
            "input_errors": by_status["error"],
            "findings": len(active),
            "errors": by_sev["error"],
            "warnings": by_sev["warning"],
            "infos": by_sev["info"],
            "suppressed": len(self.findings) - len(active),
            "baselined": self.baselined,
        }
