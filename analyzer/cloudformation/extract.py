"""Extract Lex and IAM entities from a parsed CloudFormation template into a :class:`~analyzer.model.Unit`."""

from __future__ import annotations

from collections.abc import Callable

from analyzer import model
from analyzer.cloudformation.resolver import Resolver
from analyzer.policy import parse_policy
from analyzer.positioned import PList, PMap, PNode, PScalar
from analyzer.values import RList, RMap, Value, candidates, scalars

Path_ = tuple[str | int, ...]


class Extractor:
    def __init__(self, template: PMap, rel: str, lines: list[str], *, inline_ignores: bool = True) -> None:
        self.template = template
        self.rel = rel
        self.lines = lines
        self.resolver = Resolver(template)
        self.unit = model.Unit(file=rel, format="cloudformation")
        self.inline_ignores = inline_ignores

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
        if self.inline_ignores:
            unit.unit_ignores = _ignores(self.template.get("Metadata"))
        resources = self.resolver.resources
        for name, res in resources.items():
            if not isinstance(res, PMap):
                continue
            rtype = self.resolver.types.get(name, "")
            unit.resource_types[name] = rtype
            if self.inline_ignores:
                ignores = _ignores(res.get("Metadata"))
                if ignores:
                    unit.ignores[name] = ignores
            handler = _HANDLERS.get(rtype)
            if handler is None:
                continue
            props = res.get("Properties")
            if not isinstance(props, PMap):
                props = PMap(res.loc)
            handler(self, name, rtype, props, res.loc)
        return unit

    # -- handlers --------------------------------------------------------------------------------
    def lex_bot(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.bots.append(model.LexBot(name, rtype, loc, name=self.str_prop(props, "Name"),
                                           role_arn=self.str_prop(props, "RoleArn")))
        test = props.get("TestBotAliasSettings")
        if isinstance(test, PMap):
            self.unit.aliases.append(model.LexBotAlias(
                f"{name}.TestBotAlias", "AWS::Lex::Bot.TestBotAliasSettings", test.loc,
                bot_id=None, name=Value.of("TestBotAlias"),
                lambda_arns=self._code_hooks(test), log_role_arns=()))

    def _code_hooks(self, props: PMap) -> tuple[Value, ...]:
        out: list[Value] = []
        resolved = self.resolver.resolve(props.get("BotAliasLocaleSettings"))
        for opt in candidates(resolved):
            if not isinstance(opt, RList):
                continue
            for item in opt:
                for entry in candidates(item):
                    hook = _dig(entry, "BotAliasLocaleSetting", "CodeHookSpecification", "LambdaCodeHook", "LambdaArn")
                    out.extend(scalars(hook))
        return tuple(out)

    def lex_bot_alias(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.aliases.append(model.LexBotAlias(
            name, rtype, loc, bot_id=self.str_prop(props, "BotId"), name=self.str_prop(props, "BotAliasName"),
            lambda_arns=self._code_hooks(props)))

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

    def service_linked_role(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.service_linked_roles.append(model.ServiceLinkedRole(
            name, rtype, loc, service_name=self.str_prop(props, "AWSServiceName"),
            custom_suffix=self.str_prop(props, "CustomSuffix")))

    def lambda_permission(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        self.unit.lambda_permissions.append(model.LambdaPermission(
            name, rtype, loc, action=self.str_prop(props, "Action"),
            function_name=self.str_prop(props, "FunctionName"), principal=self.str_prop(props, "Principal"),
            source_arn=self.str_prop(props, "SourceArn"), source_account=self.str_prop(props, "SourceAccount")))

    def lambda_function(self, name: str, rtype: str, props: PMap, loc: model.Location) -> None:
        role = self.str_prop(props, "Role")
        if role is not None:
            self.unit.role_uses.append(model.RoleUse(name, rtype, role.loc or loc, value=role,
                                                     expects="lambda_role", prop="Role"))


def _dig(node: object, *keys: str) -> object:
    for key in keys:
        options = [c for c in candidates(node) if isinstance(c, RMap)]
        if not options or key not in options[0]:
            return None
        node = options[0][key]
    return node


def _ignores(metadata: PNode | None) -> list[tuple[str, str]]:
    """Suppressions written in Metadata: ``lexiam: {ignore: [...]}`` and cfn-lint's ``ignore_checks``."""
    out: list[tuple[str, str]] = []
    if not isinstance(metadata, PMap):
        return out
    own = metadata.get("lexiam")
    if isinstance(own, PMap):
        entries = own.get("ignore")
        for entry in entries if isinstance(entries, PList) else []:
            if isinstance(entry, PScalar) and entry.text:
                out.append((entry.text.strip(), ""))
            elif isinstance(entry, PMap):
                rid = entry.get("id")
                reason = entry.get("reason")
                if isinstance(rid, PScalar) and rid.text:
                    out.append((rid.text.strip(), reason.text if isinstance(reason, PScalar) and reason.text else ""))
    cfn_lint = metadata.get("cfn-lint")
    config = cfn_lint.get("config") if isinstance(cfn_lint, PMap) else None
    checks = config.get("ignore_checks") if isinstance(config, PMap) else None
    for entry in checks if isinstance(checks, PList) else []:
        if isinstance(entry, PScalar) and entry.text:
            out.append((entry.text.strip(), "cfn-lint ignore_checks"))
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
    "AWS::IAM::ServiceLinkedRole": Extractor.service_linked_role,
    "AWS::Lambda::Permission": Extractor.lambda_permission,
    "AWS::Lambda::Function": Extractor.lambda_function,
    "AWS::Serverless::Function": Extractor.lambda_function,
}

__all__ = ["Extractor", "RMap", "RList"]
