"""The settings of Lex V2 bots and aliases that IAM depends on, read from resolved nodes of any front end.

CloudFormation (``BotAliasLocaleSettings``) and Terraform's awscc provider (``bot_alias_locale_settings``)
describe a bot and its aliases with the same structure under other key names; a front end resolves the
resource's properties into :class:`~lexiam.values.RMap` / :class:`~lexiam.values.RList` nodes and reads them
here with its naming (:data:`CFN` or :data:`SNAKE`). Every alternative of a ``Fn::If`` or conditional is
read. A setting whose ``Enabled`` is not known to be true is left out: an unknown never makes a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lexiam import model
from lexiam.values import Location, RList, RMap, Value, candidates, loc_of, scalars

Naming = Callable[[str], str]


def CFN(key: str) -> str:  # noqa: N802 - a naming, used like a constant
    return key


_SNAKE_EXCEPTIONS = {"CloudWatch": "cloudwatch", "CloudWatchLogGroupArn": "cloudwatch_log_group_arn"}


def SNAKE(key: str) -> str:  # noqa: N802
    """Terraform's awscc names: BotAliasLocaleSettings -> bot_alias_locale_settings, S3BucketArn -> s3_bucket_arn."""
    if key in _SNAKE_EXCEPTIONS:
        return _SNAKE_EXCEPTIONS[key]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()


def nodes(node: object, *path: str, naming: Naming = CFN) -> Iterator[object]:
    """Every node reached by following ``path`` through maps (and the items of lists) of a resolved node."""
    current: list[object] = [node]
    for key in path:
        name = naming(key)
        nxt: list[object] = []
        for n in current:
            for opt in candidates(n):
                if isinstance(opt, RList):
                    for item in opt:
                        nxt.extend(c[name] for c in candidates(item) if isinstance(c, RMap) and name in c)
                elif isinstance(opt, RMap) and name in opt:
                    nxt.append(opt[name])
        current = nxt
    yield from current


def items(node: object) -> Iterator[RMap]:
    """The maps of a node that is a list of maps (or one map)."""
    for opt in candidates(node):
        if isinstance(opt, RList):
            for item in opt:
                yield from (c for c in candidates(item) if isinstance(c, RMap))
        elif isinstance(opt, RMap):
            yield opt


def values(node: object, *path: str, naming: Naming = CFN) -> list[Value]:
    return [v for n in nodes(node, *path, naming=naming) for v in scalars(n) if v.parts]


def first(node: object, *path: str, naming: Naming = CFN) -> Value | None:
    found = values(node, *path, naming=naming)
    return found[0] if found else None


def enabled(node: object, naming: Naming = CFN) -> bool:
    """Whether a setting's ``Enabled`` is certainly true."""
    flags = values(node, "Enabled", naming=naming)
    return bool(flags) and all((v.text or "").strip().lower() == "true" for v in flags)


def code_hooks(settings: object, naming: Naming = CFN) -> tuple[list[Value], list[model.CodeHook]]:
    """(every code hook ARN, the enabled hooks with their locale) of an alias's locale settings."""
    every: list[Value] = []
    hooks: list[model.CodeHook] = []
    for entry in items(settings):
        locale = first(entry, "LocaleId", naming=naming)
        for setting in nodes(entry, "BotAliasLocaleSetting", naming=naming):
            arns = values(setting, "CodeHookSpecification", "LambdaCodeHook", "LambdaArn", naming=naming)
            every.extend(arns)
            if enabled(setting, naming):
                hooks.extend(model.CodeHook(locale, arn) for arn in arns)
    return every, hooks


def conversation_logs(settings: object, naming: Naming = CFN) -> model.ConversationLogs | None:
    groups: list[Value] = []
    buckets: list[Value] = []
    keys: list[Value] = []
    for text in nodes(settings, "TextLogSettings", naming=naming):
        for entry in items(text):
            if enabled(entry, naming):
                groups += values(entry, "Destination", "CloudWatch", "CloudWatchLogGroupArn", naming=naming)
    for audio in nodes(settings, "AudioLogSettings", naming=naming):
        for entry in items(audio):
            if enabled(entry, naming):
                buckets += values(entry, "Destination", "S3Bucket", "S3BucketArn", naming=naming)
                keys += values(entry, "Destination", "S3Bucket", "KmsKeyArn", naming=naming)
    if not (groups or buckets or keys):
        return None
    return model.ConversationLogs(tuple(groups), tuple(buckets), tuple(keys))


def detect_sentiment(settings: object, naming: Naming = CFN) -> Value | None:
    for v in values(settings, "DetectSentiment", naming=naming):
        if (v.text or "").strip().lower() == "true":
            return v
    return None


def alias_settings(props: object, naming: Naming = CFN) -> dict[str, object]:
    """The keyword arguments of :class:`~lexiam.model.LexBotAlias` that a bot alias's (or test alias's)
    settings give: its code hooks, conversation logs and sentiment analysis."""
    every, hooks = code_hooks(next(iter(nodes(props, "BotAliasLocaleSettings", naming=naming)), None), naming)
    logs = None
    for settings in nodes(props, "ConversationLogSettings", naming=naming):
        logs = conversation_logs(settings, naming) or logs
    sentiment = None
    for settings in nodes(props, "SentimentAnalysisSettings", naming=naming):
        sentiment = detect_sentiment(settings, naming) or sentiment
    return {"lambda_arns": tuple(every), "hooks": tuple(hooks), "logs": logs, "detect_sentiment": sentiment}


def voice(locale: object, naming: Naming = CFN) -> Value | None:
    """The value that says a locale speaks (its VoiceSettings' VoiceId, else the VoiceSettings node)."""
    for settings in nodes(locale, "VoiceSettings", naming=naming):
        found = first(settings, "VoiceId", naming=naming)
        if found is not None:
            return found
        for entry in items(settings):
            return Value.of("VoiceSettings", entry.loc or loc_of(settings))
    return None


def kendra(intent: object, naming: Naming = CFN) -> tuple[Value | None, Location | None] | None:
    """(the Kendra index, where the KendraConfiguration is written) of an intent that has one, else None."""
    for config in nodes(intent, "KendraConfiguration", naming=naming):
        for entry in items(config):
            return first(entry, "KendraIndex", naming=naming), entry.loc or loc_of(config)
    return None


def bot_parts(address: str, type_: str, loc: Location | None, bot_id: Value, locales: object,
              naming: Naming = CFN) -> tuple[list[model.LexBotLocale], list[model.LexIntent]]:
    """The locales and the Kendra intents written inside a bot (``BotLocales`` / ``bot_locales``)."""
    out_locales: list[model.LexBotLocale] = []
    out_intents: list[model.LexIntent] = []
    for locale in items(locales):
        locale_id = first(locale, "LocaleId", naming=naming)
        out_locales.append(model.LexBotLocale(address, type_, locale.loc or loc, bot_id=bot_id, locale_id=locale_id,
                                              voice=voice(locale, naming)))
        for intent in nodes(locale, "Intents", naming=naming):
            for entry in items(intent):
                found = kendra(entry, naming)
                if found is not None:
                    index, where = found
                    out_intents.append(model.LexIntent(
                        address, type_, entry.loc or loc, bot_id=bot_id, locale_id=locale_id,
                        name=first(entry, "Name", naming=naming), kendra_index=index, kendra_loc=where))
    return out_locales, out_intents
