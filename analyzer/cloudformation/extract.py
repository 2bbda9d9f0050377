"""Extract Lex and IAM entities from a parsed CloudFormation template into a :class:`~lexiam.model.Unit`."""

from __future__ import annotations

import re
from collections.abc import Callable

from lexiam import arns, lexconfig, model, positioned
from lexiam.cloudformation.resolver import Resolver
from lexiam.cloudformation.types import INTRINSICS
from lexiam.policy import parse_policy
from lexiam.positioned import PList, PMap, PNode, PScalar
from lexiam.values import RList, RMap, Value, candidates, scalars

Path_ = tuple[str | int, ...]

# The ID of a bot's test alias (TestBotAliasSettings): the Lex V2 API reference lets an alias ID be TSTALIASID
TEST_ALIAS_ID = "TSTALIASID"


class Extractor:
    def __init__(self, template: PMap, rel: str, lines: list[str]) -> None:
        self.template = template
        self.rel = rel
        self.lines = lines
        self.resolver = Resolver(template)
        self.unit = model.Unit(file=rel, format="cloudformation")

    def lines_of(self, file: str) -> list[str] | None:
        return self.lines if file == self.rel else None

    # -- helpers ---------------------------------------------------------------------------------
    def str_prop(self, props: PMap, key: str) -> Value | None:
        return self.resolver.resolve_str(props.get(key)) if key in props else None

    def str_list(self, props: PMap, key: str) -> tuple[Value, ...]:
        if key not in props:
            return ()
        return tuple(scalars(self.resolver.resolve(props[key])))

    def policy(self, node: PNode | None, path: Path_) -> model.PolicyDocument | None:
        if node is None:
            return None
        return parse_policy(self.resolver.resolve(node), path, lines_of=self.lines_of)

    def inline_policies(self, props: PMap) -> tuple[model.PolicyDocument, ...]:
        docs: list[model.PolicyDocument] = []
        resolved = self.resolver.resolve(props.get("Policies")) if "Policies" in props else None
        for opt in candidates(resolved):
            if not isinstance(opt, RList):
                continue
            for i, item in enumerate(opt):
                for pol in candidates(item):
                    if isinstance(pol, RMap) and "PolicyDocument" in pol:
                        doc = parse_policy(pol["PolicyDocument"], ("Properties", "Policies", i, "PolicyDocument"),
                                           lines_of=self.lines_of)
                        if doc is not None:
                            docs.append(doc)
        return tuple(docs)

    # -- the walk --------------------------------------------------------------------------------
    def run(self) -> model.Unit:
        unit = self.unit
        unit.path_at = _path_finder(self.resolver.resources)
        lines = self.lines
        unit.text_at = lambda loc: model.span_text(lines, loc)
        unit.suppressions.extend(suppressions(self.template.get("Metadata"), None))
        resources = self.resolver.resources
        for name, res in resources.items():
            if not isinstance(res, PMap):
                continue
            rtype = self.resolver.types.get(name, "")
            unit.resource_types[name] = rtype
            if "Condition" in res:
                unit.conditional.add(name)
            unit.suppressions.extend(suppressions(res.get("Metadata"), name))
            handler = _HANDLERS.get(rtype)
            if handler is None and not _service_type(rtype):
                continue
            props = res.get("Properties")
            if not isinstance(props, PMap):
                props = PMap(res.loc)
            (handler or Extractor.role_properties)(self, name, rtype, props, res.loc)
        return unit

    # -- handlers --------------------------------------------------------------------------------
    def lex_bot(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.bots.append(model.LexBot(name, rtype, loc, name=self.str_prop(props, "Name"),
                                           role_arn=self.str_prop(props, "RoleArn")))
        bot_id = Value((arns.resource_symbol(name, model.LEX_BOT, "Id"),))
        if "BotLocales" in props:
            locales, intents = lexconfig.bot_parts(name, rtype, loc, bot_id, self.resolver.resolve(props["BotLocales"]))
            self.unit.locales.extend(locales)
            self.unit.intents.extend(intents)
        test = props.get("TestBotAliasSettings")
        if isinstance(test, PMap):
            self.unit.aliases.append(model.LexBotAlias(
                f"{name}.TestBotAlias", "AWS::Lex::Bot.TestBotAliasSettings", test.loc,
                bot_id=bot_id, name=Value.of("TestBotAlias"), alias_id=Value.of(TEST_ALIAS_ID),
                **lexconfig.alias_settings(self.resolver.resolve(test))))  # type: ignore[arg-type]

    def lex_bot_alias(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.aliases.append(model.LexBotAlias(
            name, rtype, loc, bot_id=self.str_prop(props, "BotId"), name=self.str_prop(props, "BotAliasName"),
            **lexconfig.alias_settings(self.resolver.resolve(props))))  # type: ignore[arg-type]

    def lex_resource_policy(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.resource_policies.append(model.LexResourcePolicy(
            name, rtype, loc, resource_arn=self.str_prop(props, "ResourceArn"),
            policy=self.policy(props.get("Policy"), ("Properties", "Policy"))))

    def iam_role(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        role = model.IamRole(
            name, rtype, loc, name=self.str_prop(props, "RoleName"), path=self.str_prop(props, "Path"),
            trust=self.policy(props.get("AssumeRolePolicyDocument"), ("Properties", "AssumeRolePolicyDocument")),
            inline=self.inline_policies(props), managed_policy_arns=self.str_list(props, "ManagedPolicyArns"))
        self.unit.roles.append(role)
        role_ref = self.resolver.ref(name, loc)
        for arn in role.managed_policy_arns:
            self.unit.attachments.append(model.RoleAttachment(
                name, rtype, arn.loc or loc, role=role_ref if isinstance(role_ref, Value) else None, policy_arn=arn))

    def iam_policy(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        doc = self.policy(props.get("PolicyDocument"), ("Properties", "PolicyDocument"))
        pname = self.str_prop(props, "PolicyName") or self.str_prop(props, "ManagedPolicyName")
        roles = self.str_list(props, "Roles")
        self.unit.identity_policies.append(model.IdentityPolicy(
            name, rtype, loc, document=doc, name=pname, roles=roles,
            users=self.str_list(props, "Users"), groups=self.str_list(props, "Groups")))
        for role in roles:
            self.unit.attachments.append(model.RoleAttachment(
                name, rtype, role.loc or loc, role=role,
                policy_arn=self.resolver.resource_arn(name) if rtype == "AWS::IAM::ManagedPolicy" else None,
                document=None))

    def iam_principal(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        for doc in self.inline_policies(props):
            self.unit.identity_policies.append(model.IdentityPolicy(
                name, rtype, loc, document=doc,
                users=(Value.of(name),) if rtype == "AWS::IAM::User" else (),
                groups=(Value.of(name),) if rtype == "AWS::IAM::Group" else ()))

    def inline_policy(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        """AWS::IAM::RolePolicy / UserPolicy / GroupPolicy: one inline document on one principal."""
        doc = self.policy(props.get("PolicyDocument"), ("Properties", "PolicyDocument"))
        role = self.str_prop(props, "RoleName") if rtype == "AWS::IAM::RolePolicy" else None
        user = self.str_prop(props, "UserName") if rtype == "AWS::IAM::UserPolicy" else None
        group = self.str_prop(props, "GroupName") if rtype == "AWS::IAM::GroupPolicy" else None
        self.unit.identity_policies.append(model.IdentityPolicy(
            name, rtype, loc, document=doc, name=self.str_prop(props, "PolicyName"),
            roles=(role,) if role else (), users=(user,) if user else (), groups=(group,) if group else ()))
        if role is not None:
            self.unit.attachments.append(model.RoleAttachment(name, rtype, role.loc or loc, role=role))

    def service_linked_role(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        res = self.resolver.resources.get(name)
        self.unit.service_linked_roles.append(model.ServiceLinkedRole(
            name, rtype, loc, service_name=self.str_prop(props, "AWSServiceName"),
            custom_suffix=self.str_prop(props, "CustomSuffix"),
            conditional=isinstance(res, PMap) and "Condition" in res))

    def lambda_permission(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.lambda_permissions.append(model.LambdaPermission(
            name, rtype, loc, action=self.str_prop(props, "Action"),
            function_name=self.str_prop(props, "FunctionName"), principal=self.str_prop(props, "Principal"),
            source_arn=self.str_prop(props, "SourceArn"), source_account=self.str_prop(props, "SourceAccount")))

    def lambda_function(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.functions.append(model.LambdaFunction(name, rtype, loc, name=self.str_prop(props, "FunctionName")))
        role = self.str_prop(props, "Role")
        if role is not None:
            self.unit.role_uses.append(model.RoleUse(name, rtype, role.loc or loc, value=role,
                                                     expects="lambda_role", prop="Role"))

    def sam_function(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        """AWS::Serverless::Function and AWS::Serverless::StateMachine: its ``Role``, or the role SAM builds
        from ``Policies``.

        Without ``Role``, SAM creates an execution role holding the ``Policies`` (one string, one map or a
        list of them): policy documents (a map with ``Statement``, its ``Version`` optional) and managed
        policies (by name or ARN) are analysed as that role's; SAM policy templates (``DynamoDBCrudPolicy:
        {...}``, a map without ``Statement``) grant no Lex access and are left out.  With ``Role``, SAM
        ignores ``Policies``.
        """
        if rtype == "AWS::Serverless::Function":
            if "Role" in props:
                self.lambda_function(name, rtype, props, loc)
                return
            self.unit.functions.append(model.LambdaFunction(name, rtype, loc, name=self.str_prop(props, "FunctionName")))
        elif "Role" in props:
            return
        if "Policies" not in props:
            return
        docs: list[model.PolicyDocument] = []
        managed: list[Value] = []
        for opt in candidates(self.resolver.resolve(props["Policies"])):
            items = list(enumerate(opt)) if isinstance(opt, RList) else [(None, opt)]
            for i, item in items:
                path: Path_ = ("Properties", "Policies") if i is None else ("Properties", "Policies", i)
                for entry in candidates(item):
                    if isinstance(entry, Value):
                        managed.append(entry)
                    elif isinstance(entry, RMap) and "Statement" in entry:
                        doc = parse_policy(entry, path, lines_of=self.lines_of)
                        if doc is not None:
                            docs.append(doc)
        self.unit.roles.append(model.IamRole(name, rtype, loc, inline=tuple(docs), managed_policy_arns=tuple(managed)))

    def lambda_alias(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.lambda_aliases.append(model.LambdaAlias(
            name, rtype, loc, function_name=self.str_prop(props, "FunctionName"), name=self.str_prop(props, "Name")))

    def role_properties(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        """What another service's resource holds that the rules read: a role ARN given to it (``RoleArn``,
        ``ServiceRole``, ``Targets[].RoleArn``) and its policy documents (``PolicyDocument``, ``KeyPolicy``...)."""
        logs = rtype.startswith("AWS::Logs::")
        roles, policies = _service_nodes(props)
        for prop, node in roles:
            expects = "log_role" if logs or "log" in prop.lower() else "service_role"
            for value in scalars(self.resolver.resolve(node)):
                self.unit.role_uses.append(model.RoleUse(name, rtype, value.loc or loc, value=value,
                                                         expects=expects, prop=prop))
        for path, node in policies:
            doc = self.policy(node, ("Properties", *path))
            if doc is not None:
                self.unit.service_policies.append(model.ServicePolicy(name, rtype, node.loc or loc, document=doc,
                                                                      prop=".".join(str(k) for k in path)))


def _path_finder(resources: PMap) -> Callable[[str, model.Location], Path_]:
    """The path inside a resource of the innermost node written at a location (``("Properties", "RoleArn")``)."""

    def path_at(address: str, loc: model.Location) -> Path_:
        # a part of a resource (``Bot.TestBotAlias``) is inside the resource: logical IDs have no dot
        return positioned.path_to(resources.get(address.split(".", 1)[0]), loc) or ()

    return path_at


# Properties that hold a role: Role, RoleArn, ServiceRole, ExecutionRoleArn, CloudWatchRoleArn, ...
_ROLE_KEY = re.compile(r"(?:Role|RoleArn|RoleARN)$")
# Resource types whose properties are not the service's own (custom resources, nested stacks, SAR apps).
_OPAQUE_PREFIXES = ("AWS::CloudFormation::", "AWS::Serverless::Application", "AWS::Lex::")
_MAX_ROLE_DEPTH = 8


def _service_type(rtype: str) -> bool:
    return rtype.startswith("AWS::") and not rtype.startswith(_OPAQUE_PREFIXES)


def _service_nodes(props: PMap) -> tuple[list[tuple[str, PNode]], list[tuple[Path_, PMap]]]:
    """The role-holding properties (property path, node) and the policy documents (path, node) under a
    resource's properties; intrinsics are values, not structure."""
    roles: list[tuple[str, PNode]] = []
    policies: list[tuple[Path_, PMap]] = []
    stack: list[tuple[PNode, str, Path_, int]] = [(props, "", (), 0)]
    while stack:
        node, prefix, path, depth = stack.pop()
        if depth > _MAX_ROLE_DEPTH:
            continue
        if isinstance(node, PMap):
            if len(node) == 1 and next(iter(node)) in INTRINSICS:
                continue
            if path and "Statement" in node:
                policies.append((path, node))
                continue
            children = []
            for key, child in node.items():
                where = f"{prefix}.{key}" if prefix else key
                if _ROLE_KEY.search(key) and (isinstance(child, PScalar) or
                                              (isinstance(child, PMap) and len(child) == 1 and next(iter(child)) in INTRINSICS)):
                    roles.append((where, child))
                else:
                    children.append((child, where, (*path, key), depth + 1))
            stack.extend(reversed(children))
        elif isinstance(node, PList):
            stack.extend(reversed([(child, f"{prefix}[{i}]", (*path, i), depth + 1) for i, child in enumerate(node)]))
    return roles, policies


def suppressions(metadata: PNode | None, resource: str | None) -> list[model.Suppression]:
    """Suppressions written in a Metadata section: ``lexiam: {ignore: [{id, reason} | ID, ...]}`` and
    cfn-lint's ``cfn-lint: {config: {ignore_checks: [ID, ...]}}``; ``resource`` is the resource whose
    Metadata it is (None: the template's, covering the whole file)."""
    out: list[model.Suppression] = []
    if not isinstance(metadata, PMap):
        return out

    def add(rule: PNode | None, reason: PNode | None, origin: str, at: model.Location) -> None:
        text = rule.text.strip().upper() if isinstance(rule, PScalar) and rule.text else ""
        problem = "" if text else f"an ignore entry of {origin} Metadata without a rule ID"
        why = reason.text.strip() if isinstance(reason, PScalar) and reason.text else ""
        out.append(model.Suppression(text, why, origin, rule.loc if isinstance(rule, PScalar) else at, resource,
                                     problem=problem))

    own = metadata.get("lexiam")
    for key in own if isinstance(own, PMap) else ():  # a misspelled key must not pass for a suppression
        if key != "ignore":
            out.append(model.Suppression("", "", "metadata", own.key_locs.get(key, own.loc), resource,
                                         problem=f"'lexiam: {key}' is no suppression; did you mean 'lexiam: ignore'?"))
    entries = own.get("ignore") if isinstance(own, PMap) else None
    for entry in entries if isinstance(entries, PList) else [entries] if entries is not None else []:
        if isinstance(entry, PMap):
            add(entry.get("id"), entry.get("reason"), "metadata", entry.loc)
        else:
            add(entry, None, "metadata", entry.loc)
    cfn_lint = metadata.get("cfn-lint")
    config = cfn_lint.get("config") if isinstance(cfn_lint, PMap) else None
    checks = config.get("ignore_checks") if isinstance(config, PMap) else None
    for entry in checks if isinstance(checks, PList) else [checks] if checks is not None else []:
        add(entry, None, "cfn-lint", entry.loc)
    return out


Handler = Callable[[Extractor, str, str, PMap, model.Location], None]

_HANDLERS: dict[str, Handler] = {
    "AWS::Lex::Bot": Extractor.lex_bot,
    "AWS::Lex::BotAlias": Extractor.lex_bot_alias,
    "AWS::Lex::ResourcePolicy": Extractor.lex_resource_policy,
    "AWS::IAM::Role": Extractor.iam_role,
    "AWS::IAM::Policy": Extractor.iam_policy,
    "AWS::IAM::ManagedPolicy": Extractor.iam_policy,
    "AWS::IAM::User": Extractor.iam_principal,
    "AWS::IAM::Group": Extractor.iam_principal,
    "AWS::IAM::RolePolicy": Extractor.inline_policy,
    "AWS::IAM::UserPolicy": Extractor.inline_policy,
    "AWS::IAM::GroupPolicy": Extractor.inline_policy,
    "AWS::IAM::ServiceLinkedRole": Extractor.service_linked_role,
    "AWS::Lambda::Permission": Extractor.lambda_permission,
    "AWS::Lambda::Function": Extractor.lambda_function,
    "AWS::Lambda::Alias": Extractor.lambda_alias,
    "AWS::Serverless::Function": Extractor.sam_function,
    "AWS::Serverless::StateMachine": Extractor.sam_function,
}

__all__ = ["Extractor", "RMap", "RList", "suppressions"]
