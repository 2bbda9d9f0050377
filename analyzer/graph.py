"""Who refers to whom inside one unit: every reference resolved once, for both front ends.

The nodes are the unit's entities. The typed edges are what the rules ask about:

* ``bot -> role`` (RoleArn), ``alias -> bot`` (BotId), ``alias -> function`` (a locale's code hook; the test
  alias too), ``permission -> function`` (FunctionName, with the qualifier it names) and ``permission ->
  alias`` (SourceArn), ``policy -> role`` (an inline policy, ``Roles``, ``ManagedPolicyArns``, an attachment),
  ``alias -> log group / bucket / key`` (conversation logs), ``intent -> Kendra index``;
* a reference is followed through a typed symbol (``!GetAtt Role.Arn``, ``!Ref Fn``, ``aws_iam_role.x.arn``,
  a module output: the Terraform front end has already resolved module boundaries into full addresses),
  or, where a template writes a literal name or ARN, by matching the name of the one entity of the unit
  with that name.

Rules ask questions (:meth:`Graph.roles_of`, :meth:`Graph.policies_reaching`, :meth:`Graph.hooks`,
:meth:`Graph.permissions_for`...) and never walk a template or match names themselves. An answer that
cannot be known says so (``known=False``, :data:`UNKNOWN`): an unknown never makes a finding.

Why no networkx: every query is a lookup of one or two hops (a policy attached to a role through a
managed policy is the longest), which dictionaries answer in constant time. networkx cost some 0.16 s
and 17 MB at import for a graph no query walked further (measured with ``python -X importtime``), and
a scan builds a graph per template, most of them never asked anything. The indexes below are built on
the first question that needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from lexiam import model
from lexiam.arns import parse_arn, typed_arn
from lexiam.values import RESOURCE, SELF_KINDS, Part, Symbol, Value, same, segment_text, unknown

Qualifier = str | None  # "" for an unqualified function, the alias or version name, None when unknown
_ROLE_ENTITIES = (model.IamRole, model.ServiceLinkedRole)


@dataclass(frozen=True, slots=True)
class Edge:
    """A typed reference: ``source``'s value ``value`` refers to ``target`` (an entity, when it is one)."""

    kind: str
    source: model.Entity
    target: model.Entity | None
    value: Value | None = None
    qualifier: Qualifier = ""


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """What a value that names a Lambda function refers to.

    ``known`` False: it could be any function (a parameter, a name built at deploy time). Known with no
    ``function``: a function outside the scan. ``qualifier``: "" unqualified, else the alias or version
    name; None when it cannot be known."""

    known: bool
    function: model.LambdaFunction | None = None
    qualifier: Qualifier = ""


OUTSIDE = FunctionRef(True)
UNKNOWN = FunctionRef(False, None, None)


@dataclass(frozen=True, slots=True)
class Hook:
    """A code hook of a bot alias (or of a bot's test alias) for one locale, and the function it names."""

    alias: model.LexBotAlias
    locale: Value | None
    value: Value
    function: FunctionRef


@dataclass(frozen=True, slots=True)
class Grant:
    """A Lambda permission resolved to its function, with the qualifier it names."""

    permission: model.LambdaPermission
    qualifier: Qualifier


@dataclass(frozen=True, slots=True)
class PolicyOn:
    """A policy that reaches a role: its owner, the managed policy ARN (when attached by ARN) and its
    document when the scan holds it (an inline policy, a policy of the scan attached to the role)."""

    owner: model.Entity
    arn: Value | None
    document: model.PolicyDocument | None


class Graph:
    """The reference graph of one unit; ``pins`` are the account and region given on the command line."""

    def __init__(self, unit: model.Unit, pins: dict[str, str] | None = None) -> None:
        self.unit = unit
        self.pins = pins or {}
        self.by_address: dict[str, list[model.Entity]] = {}
        for entity in unit.entities():
            self.by_address.setdefault(entity.address, []).append(entity)
        self._role_names: dict[tuple[Part, ...], list[model.IamRole]] | None = None
        self._function_names: dict[str, list[model.LambdaFunction]] | None = None
        self._policies: dict[int, list[PolicyOn]] | None = None
        self._grants: tuple[dict[int, list[Grant]], bool] | None = None
        self._hooks: list[Hook] | None = None

    # -- nodes ----------------------------------------------------------------------------------------
    def conditional(self, entity: model.Entity) -> bool:
        """Whether an entity exists only under a condition that is not known (Fn::If, count = cond ? 1 : 0),
        its own or that of what it is part of (a bot's test alias, a module instance's resources)."""
        if not self.unit.conditional:
            return False
        return any(a in self.unit.conditional for a in (entity.address, *model.enclosing(entity.address)))

    def entities(self, address: str, kind: type[model.Entity] | None = None) -> list[model.Entity]:
        found = self.by_address.get(address, [])
        return [e for e in found if kind is None or isinstance(e, kind)]

    def _referenced(self, value: Value, kinds: tuple[type[model.Entity], ...]) -> list[model.Entity]:
        out: list[model.Entity] = []
        for sym in value.symbols:
            if sym.kind == RESOURCE and sym.address:
                out.extend(e for e in self.entities(sym.address) if isinstance(e, kinds) and e not in out)
        return out

    # -- roles ----------------------------------------------------------------------------------------
    def roles_of(self, value: Value | None) -> list[model.Entity]:
        """The roles and service-linked roles of the unit that a value refers to: through a typed reference,
        else (a literal or partly symbolic role name, or the name in a role ARN of the deploying account)
        the role of the unit with exactly that name."""
        if value is None:
            return []
        out = self._referenced(value, _ROLE_ENTITIES)
        if out:
            return out
        arn = parse_arn(value)
        if arn is not None and same(arn.account, _SELF_ACCOUNT, self.pins) is False:
            return []
        name = role_name_parts(value)
        if not name:
            return []
        if self._role_names is None:
            self._role_names = {}
            for role in self.unit.roles:
                if role.name is not None and role.name.parts:
                    self._role_names.setdefault(role.name.parts, []).append(role)
        return list(self._role_names.get(name, ()))

    def bot_roles(self) -> list[tuple[model.IamRole, list[model.LexBot]]]:
        """The ordinary roles of the unit that Lex V2 bots use, each with its bots (edges bot -> role)."""
        out: dict[str, tuple[model.IamRole, list[model.LexBot]]] = {}
        for edge in self.bot_role_edges():
            if isinstance(edge.target, model.IamRole):
                out.setdefault(edge.target.address, (edge.target, []))[1].append(edge.source)  # type: ignore[arg-type]
        return list(out.values())

    def bot_role_edges(self) -> Iterator[Edge]:
        for bot in self.unit.bots:
            if bot.version == "v2" and bot.role_arn is not None:
                targets = self.roles_of(bot.role_arn)
                if not targets:
                    yield Edge("bot->role", bot, None, bot.role_arn)
                for role in targets:
                    yield Edge("bot->role", bot, role, bot.role_arn)

    def policies_reaching(self, role: model.IamRole) -> list[PolicyOn]:
        """Every policy that reaches a role (edges policy -> role): its managed policy ARNs, its inline
        policies, and the attachments and policies of the unit that name it (by reference or name)."""
        if self._policies is None:
            self._policies = {}
            for r in self.unit.roles:
                found = [PolicyOn(r, arn, self._managed_document(arn)) for arn in r.managed_policy_arns]
                found += [PolicyOn(r, None, doc) for doc in r.inline]
                self._policies[id(r)] = found
            for att in self.unit.attachments:
                if att.policy_arn is None and att.document is None:
                    continue  # the mirror of a policy that names the role (its own entry follows)
                for r in self.roles_of(att.role):
                    if isinstance(r, model.IamRole) and att.address != r.address:
                        doc = att.document if att.document is not None else self._managed_document(att.policy_arn)
                        self._policies.setdefault(id(r), []).append(PolicyOn(att, att.policy_arn, doc))
            for ip in self.unit.identity_policies:
                for ref in ip.roles:
                    for r in self.roles_of(ref):
                        if isinstance(r, model.IamRole):
                            self._policies.setdefault(id(r), []).append(PolicyOn(ip, None, ip.document))
        return list(self._policies.get(id(role), ()))

    def _managed_document(self, arn: Value | None) -> model.PolicyDocument | None:
        """The document of a managed policy of the unit that an ARN refers to (None: not one of the unit's)."""
        if arn is None:
            return None
        for entity in self._referenced(arn, (model.IdentityPolicy,)):
            return entity.document  # type: ignore[attr-defined]
        return None

    def managed_policy_in_scan(self, arn: Value | None) -> bool:
        return arn is not None and bool(self._referenced(arn, (model.IdentityPolicy,)))

    # -- bots, aliases, locales, intents ----------------------------------------------------------
    def bot_named(self, parts: tuple[Part, ...]) -> model.LexBot | None:
        """The bot of the unit whose name is written exactly so (a name where an ID belongs is a mistake)."""
        for bot in self.unit.bots:
            if bot.name is not None and bot.name.parts and bot.name.parts == parts:
                return bot
        return None

    def bot_of(self, thing: model.LexBotAlias | model.LexBotLocale | model.LexIntent) -> model.LexBot | None:
        """The bot an alias, locale or intent belongs to (edge -> bot), when the scan holds it."""
        if thing.bot_id is None:
            return None
        for entity in self._referenced(thing.bot_id, (model.LexBot,)):
            return entity  # type: ignore[return-value]
        return None

    def parts_of(self, bot: model.LexBot) -> tuple[list[model.LexBotAlias], list[model.LexBotLocale], list[model.LexIntent]]:
        """The aliases (the test alias included), locales and Kendra intents of a bot."""
        return ([a for a in self.unit.aliases if self.bot_of(a) is bot],
                [loc for loc in self.unit.locales if self.bot_of(loc) is bot],
                [i for i in self.unit.intents if self.bot_of(i) is bot])

    def alias_arn(self, alias: model.LexBotAlias) -> Value:
        """The ARN Lex V2 sends as the source of a code hook call of this alias: bot-alias/BOTID/ALIASID."""
        bot = alias.bot_id if alias.bot_id is not None else None
        if alias.alias_id is not None:  # the test alias: its ID is known text
            base = typed_arn(model.LEX_BOT_ALIAS, alias.address, None, bot_id=bot)
            assert base is not None
            return Value((*base.parts[:-1], *alias.alias_id.parts))
        arn = typed_arn(model.LEX_BOT_ALIAS, alias.address, None, bot_id=bot)
        assert arn is not None
        return arn

    def log_edges(self, alias: model.LexBotAlias) -> Iterator[Edge]:
        """alias -> log group / bucket / KMS key (their values; the entity when the unit declares it)."""
        if alias.logs is None:
            return
        for kind, values in (("alias->log-group", alias.logs.text_log_groups), ("alias->bucket", alias.logs.audio_buckets),
                             ("alias->key", alias.logs.audio_kms_keys)):
            for v in values:
                yield Edge(kind, alias, self._declared(v), v)

    def kendra_edges(self) -> Iterator[Edge]:
        for intent in self.unit.intents:
            if intent.kendra_index is not None:
                yield Edge("intent->kendra-index", intent, self._declared(intent.kendra_index), intent.kendra_index)

    def _declared(self, value: Value) -> model.Entity | None:
        """The resource of the unit a value refers to: its entity, else a node of its address and type."""
        for sym in value.symbols:
            if sym.kind != RESOURCE or not sym.address:
                continue
            if sym.address in self.by_address:
                return self.by_address[sym.address][0]
            rtype = self.unit.resource_types.get(sym.address)
            if rtype is not None:
                node = model.Resource(sym.address, rtype, None)
                self.by_address[sym.address] = [node]
                return node
        return None

    # -- Lambda functions, code hooks, permissions ----------------------------------------------
    def function_of(self, value: Value | None, qualifier: Value | None = None) -> FunctionRef:
        """The Lambda function a value names (a function name, a name with a qualifier, a function or
        alias ARN, a partial ARN), with the qualifier; ``qualifier`` is a separate qualifier argument."""
        if value is None:
            return UNKNOWN
        ref = self._function_of(value)
        if qualifier is not None and ref.known:
            text = qualifier.text
            ref = FunctionRef(True, ref.function, text.strip() if text is not None else None)
        return ref

    def _function_of(self, value: Value) -> FunctionRef:
        for i, part in enumerate(value.parts):
            if isinstance(part, Symbol) and part.kind == RESOURCE and part.address:
                targets = self.entities(part.address)
                fn = next((e for e in targets if isinstance(e, model.LambdaFunction)), None)
                if fn is not None:
                    return FunctionRef(True, fn, _qualifier_after(value.parts[i + 1:], part.attr))
                alias = next((e for e in targets if isinstance(e, model.LambdaAlias)), None)
                if alias is not None:
                    target = self._function_of(alias.function_name) if alias.function_name is not None else UNKNOWN
                    name = alias.name.text if alias.name is not None else None
                    return FunctionRef(target.known, target.function, name) if target.known else UNKNOWN
                return UNKNOWN if not targets else OUTSIDE  # another kind of resource: not a function of the scan
        text = value.text
        if text is None:
            return UNKNOWN
        name, qual = _split_function(text.strip())
        if name is None:
            return UNKNOWN
        if self._function_names is None:
            self._function_names = {}
            for fn in self.unit.functions:
                if fn.name is not None and fn.name.text is not None:
                    self._function_names.setdefault(fn.name.text, []).append(fn)
        found = self._function_names.get(name)
        if found:
            return FunctionRef(True, found[0], qual)
        if any(fn.name is None or fn.name.text is None for fn in self.unit.functions):
            return UNKNOWN  # a function whose name is generated or built at deploy time could be this one
        return OUTSIDE

    def hooks(self) -> list[Hook]:
        """Every enabled code hook of every alias (edges alias -> function, per locale)."""
        if self._hooks is None:
            self._hooks = [Hook(alias, hook.locale, hook.lambda_arn, self.function_of(hook.lambda_arn))
                           for alias in self.unit.aliases for hook in alias.hooks]
        return self._hooks

    def permissions_for(self, function: model.LambdaFunction) -> tuple[list[Grant], bool]:
        """The Lambda permissions on a function (edges permission -> function), and whether some permission
        of the unit names a function that cannot be known (it could be this one)."""
        if self._grants is None:
            by_function: dict[int, list[Grant]] = {}
            unknown_target = False
            for perm in self.unit.lambda_permissions:
                ref = self.function_of(perm.function_name, perm.qualifier)
                if not ref.known:
                    unknown_target = True
                elif ref.function is not None:
                    by_function.setdefault(id(ref.function), []).append(Grant(perm, ref.qualifier))
            self._grants = (by_function, unknown_target)
        by_function, unknown_target = self._grants
        return list(by_function.get(id(function), ())), unknown_target

    def source_alias_edges(self) -> Iterator[Edge]:
        """permission -> the bot alias of the scan its SourceArn names (by reference)."""
        for perm in self.unit.lambda_permissions:
            if perm.source_arn is not None:
                for alias in self._referenced(perm.source_arn, (model.LexBotAlias,)):
                    yield Edge("permission->alias", perm, alias, perm.source_arn)

    def edges(self) -> Iterator[Edge]:
        """Every typed edge of the unit (what ``lexiam`` resolves; for tests and tools)."""
        yield from self.bot_role_edges()
        for alias in self.unit.aliases:
            yield Edge("alias->bot", alias, self.bot_of(alias), alias.bot_id)
            yield from self.log_edges(alias)
        for hook in self.hooks():
            yield Edge("alias->function", hook.alias, hook.function.function, hook.value, hook.function.qualifier or "")
        for perm in self.unit.lambda_permissions:
            ref = self.function_of(perm.function_name, perm.qualifier)
            yield Edge("permission->function", perm, ref.function, perm.function_name, ref.qualifier or "")
        yield from self.source_alias_edges()
        for role in self.unit.roles:
            for on in self.policies_reaching(role):
                # the managed policy of the unit an ARN names (through ManagedPolicyArns or an attachment)
                policy = next(iter(self._referenced(on.arn, (model.IdentityPolicy,))), None) if on.arn else None
                yield Edge("policy->role", policy or on.owner, role, on.arn)
        yield from self.kendra_edges()


_SELF_ACCOUNT = Symbol("account", "AWS::AccountId")
_QUALIFIED_ATTRS = frozenset({"qualified_arn", "qualified_invoke_arn", "version"})


def role_name_parts(value: Value) -> tuple[Part, ...] | None:
    """The role-name part of a role ARN (its last path segment), or the value itself when it is no ARN."""
    arn = parse_arn(value)
    if arn is None:
        return value.parts or None
    if arn.service_text != "iam":
        return None
    segs = arn.resource_segments()
    if len(segs) < 2 or segment_text(segs[0]) != "role":
        return None
    return segs[-1]


def _qualifier_after(tail: tuple[Part, ...], attr: str) -> Qualifier:
    """The qualifier written after a function's name or ARN (``${Fn.Arn}:live``)."""
    if attr.lower() in _QUALIFIED_ATTRS:
        return None  # a version number chosen at deploy time
    if not tail:
        return ""
    if not all(isinstance(p, str) for p in tail):
        return None
    text = "".join(tail)  # type: ignore[arg-type]
    if text.startswith(":") and ":" not in text[1:] and text[1:]:
        return text[1:]
    return None


def _split_function(text: str) -> tuple[str | None, Qualifier]:
    """(name, qualifier) of a function name, name:qualifier, function ARN or partial ARN (ACCOUNT:function:NAME)."""
    pieces = text.split(":")
    if text.startswith("arn:"):
        if len(pieces) < 7 or pieces[5] != "function":
            return None, None
        rest = pieces[6:]
    elif len(pieces) >= 3 and pieces[1] == "function":
        rest = pieces[2:]
    else:
        rest = pieces
    if not rest or not rest[0] or len(rest) > 2:
        return None, None
    return rest[0], rest[1] if len(rest) == 2 else ""


def may_match(pattern: Value, value: Value, pins: dict[str, str] | None = None) -> bool:
    """Whether an IAM pattern (``*`` any run of characters, ``?`` one) may match a value, both possibly with
    deploy-time parts: False only when no text the unknown parts can stand for makes them match.

    A deploy-time part of a resource's ID, name or account, or of the region, is opaque: it stands for some
    text without ``:`` or ``/``, and two of them compare with :func:`lexiam.values.same` (two aliases of a
    unit never share an ID; a deployed alias never has the test alias's ID, TSTALIASID). Any other unknown
    part may be any text. The match runs as a set of states over the value's tokens (no backtracking):
    O(len(pattern) * len(value) ** 2) at worst, for values a few hundred characters long.
    """
    if _test_alias_mismatch(pattern, value):
        return False
    p = _tokens(pattern, pins)
    v = _tokens(value, pins)
    n = len(v)
    if len(p) * n > 100_000:
        return True  # too long to judge: say nothing
    reach = [False] * (n + 1)  # reach[j]: the value's first j tokens are matched
    inside = [False] * (n + 1)  # inside[j]: matched up to a point inside the value's symbol token j
    reach[0] = True
    for tok in p:
        nreach = [False] * (n + 1)
        ninside = [False] * (n + 1)
        if tok == "*" or (isinstance(tok, Symbol) and not _opaque(tok)):
            seen = False
            for j in range(n + 1):
                seen = seen or reach[j] or (j > 0 and inside[j - 1])
                nreach[j] = seen
                if j < n and isinstance(v[j], Symbol) and (seen or inside[j]):
                    ninside[j] = True
        elif isinstance(tok, Symbol):
            for j in range(n):
                if not (reach[j] or inside[j]):
                    continue
                t = v[j]
                if isinstance(t, Symbol):
                    if inside[j] or not _opaque(t):  # within a value part that may be any text
                        ninside[j] = nreach[j + 1] = True
                    elif same(tok, t, pins) is not False:
                        nreach[j + 1] = True
                    continue
                run = ""
                for k in range(j, n):  # a run of characters (and what follows it) that the part stands for
                    c = v[k]
                    if isinstance(c, Symbol):
                        ninside[k] = nreach[k + 1] = True
                        break
                    if c in ":/":
                        break
                    run += c
                    if not (_is_alias_id(tok) and run == TEST_ALIAS_ID and (k + 1 == n or v[k + 1] in ":/")):
                        nreach[k + 1] = True
        else:
            for j in range(n):
                t = v[j]
                if isinstance(t, Symbol):
                    if (reach[j] or inside[j]) and (not _opaque(t) or tok not in ":/"):
                        ninside[j] = nreach[j + 1] = True
                elif reach[j] and tok in ("?", t):
                    nreach[j + 1] = True
        reach, inside = nreach, ninside
    return reach[n]


TEST_ALIAS_ID = "TSTALIASID"
_ARN_ATTRS = frozenset({"arn", "qualified_arn", "invoke_arn", "qualified_invoke_arn", "policyarn", "policy_arn"})


def _opaque(sym: Symbol) -> bool:
    """A deploy-time part that stands for text without ':' or '/': an account, region or partition, or a
    resource's ID or name (not its ARN)."""
    if sym.kind in SELF_KINDS:
        return True
    return sym.kind == RESOURCE and sym.attr.lower() not in _ARN_ATTRS


def _is_alias_id(sym: Symbol) -> bool:
    return sym.kind == RESOURCE and sym.entity == model.LEX_BOT_ALIAS and sym.attr.lower() in ("id", "botaliasid",
                                                                                                  "bot_alias_id")


def _test_alias_mismatch(pattern: Value, value: Value) -> bool:
    """An alias ARN against a pattern for the test alias (or the reverse): the last segments are a deployed
    alias's ID and the literal TSTALIASID, which never match."""
    a, b = pattern.split("/"), value.split("/")
    if len(a) != len(b) or not a:
        return False
    x, y = a[-1], b[-1]
    for lit, sym in ((x, y), (y, x)):
        if segment_text(lit) == TEST_ALIAS_ID and len(sym) == 1 and isinstance(sym[0], Symbol) and _is_alias_id(sym[0]):
            return True
    return False


def _tokens(value: Value, pins: dict[str, str] | None) -> list[str | Symbol]:
    """A value as characters and deploy-time parts (the pinned account and region as their text)."""
    out: list[str | Symbol] = []
    for part in value.parts:
        if isinstance(part, str):
            out.extend(part)
        elif pins and part.kind in SELF_KINDS and part.kind in pins:
            out.extend(pins[part.kind])
        else:
            out.append(part)
    return out


def unknown_value(reason: str) -> Value:
    return Value((unknown(reason),))


Kind = Literal["bot->role", "alias->bot", "alias->function", "permission->function", "permission->alias",
               "policy->role", "alias->log-group", "alias->bucket", "alias->key", "intent->kendra-index"]
