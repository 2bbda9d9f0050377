"""lexiam as a cfn-lint rule pack.

    cfn-lint --append-rules lexiam.cfn_lint template.yaml

or, in ``.cfnlintrc``::

    append_rules:
      - lexiam.cfn_lint

cfn-lint imports this module and instantiates every ``CloudFormationLintRule`` subclass found in it:
one class per lexiam rule, generated from the registry (ID, title, rationale, docs URL, tags).  E9500
is not among them: cfn-lint reports the templates it cannot parse itself (E0000).

All classes share one run per template: the template cfn-lint already decoded (its ``dict_node`` /
``list_node`` / ``str_node`` tree with marks) is converted into lexiam's positioned tree, then the
same :class:`~lexiam.cloudformation.extract.Extractor` and the same checks as ``lexiam scan`` run
once; each class's :meth:`match` hands out its own rule's findings from that run.  Nothing is read
or parsed a second time.  Findings carry cfn-lint paths ``["Resources", <logical ID>, ...]`` (so
cfn-lint's resource-level ``ignore_checks`` applies) and the exact position lexiam reports.

Suppressions written for cfn-lint (``--ignore-checks``, ``Metadata: cfn-lint: config:
ignore_checks`` on the template or a resource, ``--mandatory-checks``) are left to cfn-lint;
lexiam's own ``Metadata: lexiam: ignore`` entries are honoured here.

SAM and other transforms: cfn-lint lints the transformed template (older versions expand SAM, losing
most positions; newer ones merge SAM globals in place).  The pack checks the template as written, as
``lexiam scan`` does (it knows the ``AWS::Serverless`` types): importing this module wraps cfn-lint's
``Template.transform`` so that a template declaring a transform is converted just before.

The pack may be named twice (``.cfnlintrc`` and ``--append-rules`` with ``--merge-configs``): a second
copy of a rule takes no ID, which cfn-lint skips, instead of failing on the duplicate.

Only this module imports cfn-lint; the ``lexiam`` command never imports it.
"""

from __future__ import annotations

import datetime
import functools
import json
import sys
import weakref
from collections.abc import Callable
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch, Rules
from cfnlint.template import Template

from lexiam import contract
from lexiam.contract import Options
from lexiam.engine import analyse
from lexiam.model import Finding, Unit
from lexiam.positioned import PList, PMap, PNode, PScalar
from lexiam.rules.pack import all_rules
from lexiam.rules.registry import RENAMED, RuleMeta
from lexiam.suppress import Stage, apply
from lexiam.values import Location


def _front_end() -> Any:
    """The CloudFormation front end, as the table of front ends names it (an adapter imports none)."""
    return contract.module_of(contract.by_name("cloudformation"))

# --- the decoded tree -> lexiam's positioned tree ---------------------------------------------------

def _location(node: object, file: str) -> Location | None:
    start = getattr(node, "start_mark", None)
    end = getattr(node, "end_mark", None)
    if start is None or end is None:
        return None
    return Location(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Converter:
    """Turns cfn-lint's decoded template into PMap/PList/PScalar with the positions lexiam's loader gives.

    cfn-lint keeps marks on mappings, sequences and strings.  A value without marks takes the position
    lexiam's loader gives it where that can be known: the operand of a short-form tag and the pieces of
    ``!GetAtt A.B`` that of the tag; a number, boolean or null in a mapping the position after ``key: ``.

    ``lexiam scan`` reads the source lines to map a position inside JSON policy text back to the file
    (is the string quoted, how is it escaped, is it a block scalar and how indented?).  cfn-lint keeps no
    source, so :meth:`lines` gives a sketch of just those characters, rebuilt from the marks of the
    strings that can hold JSON text: the quoted text re-escaped, a block scalar's indicator and (a guess)
    its content indented two columns past its key.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.sketch: dict[int, dict[int, str]] = {}  # 0-based row -> {0-based column: text}

    def convert(self, node: object, loc: Location, owner: int, tag: str = "") -> PNode:
        """``loc``: the position when ``node`` has no marks; ``owner``: the 0-based column of the key or
        ``-`` holding it; ``tag``: the short-form tag (``!Sub``) whose operand ``node`` is."""
        own = _location(node, self.file)
        if own is not None:
            loc = own
        if isinstance(node, dict):
            out = PMap(loc)
            short = own is not None and len(node) == 1 and _short_form(next(iter(node)))
            for key, value in node.items():
                key_loc = _location(key, self.file)
                if key_loc is None:
                    key_loc, value_loc, column = loc, loc, owner
                else:
                    # a value without marks stands after "key: "
                    value_loc = Location(self.file, key_loc.end_line, key_loc.end_column + 2)
                    column = key_loc.column - 1
                name = str(key)
                out[name] = self.convert(value, value_loc, column, _short_form(name) if short else "")
                out.key_locs[name] = key_loc
            return out
        if isinstance(node, list):
            seq = PList(loc)
            for item in node:
                seq.append(self.convert(item, loc, loc.column - 1))
            return seq
        if isinstance(node, str):
            if (own is not None or tag) and node.lstrip().startswith(("{", "[")):
                self._sketch(node, loc, owner, "" if own is not None else tag + " ")
            return PScalar(str(node), loc, None, True)
        if node is None:
            return PScalar(None, loc, None, False)
        if isinstance(node, bool):
            text = "true" if node else "false"
        elif isinstance(node, (datetime.date, datetime.datetime)):
            text = node.isoformat()
        else:
            text = str(node)
        if not loc.end_line:
            loc = Location(loc.file, loc.line, loc.column, loc.line, loc.column + len(text))
        return PScalar(text, loc, None, False)

    def _sketch(self, text: str, loc: Location, owner: int, prefix: str) -> None:
        row, col = loc.line - 1, loc.column - 1
        if loc.end_line > loc.line and loc.end_column == 1:  # a block scalar: its marks end at a line's start
            self.sketch.setdefault(row, {})[col] = prefix + "|"
            self.sketch.setdefault(row + 1, {})[max(owner, 0) + 2] = "x"
            return
        # quoted (JSON text cannot be a plain scalar: "{" or "[" would open a flow collection)
        width = loc.end_column - loc.column - len(prefix) if loc.end_line == loc.line else -1
        double = json.dumps(text, ensure_ascii=False)
        single = "'" + text.replace("'", "''") + "'"
        self.sketch.setdefault(row, {})[col] = prefix + (single if len(single) == width != len(double) else double)

    def lines(self) -> list[str]:
        if not self.sketch:
            return []
        out = [""] * (max(self.sketch) + 1)
        for row, cells in self.sketch.items():
            line = ""
            for col in sorted(cells):
                line = line.ljust(col)[:col] + cells[col]
            out[row] = line
        return out


def _short_form(key: object) -> str:
    """The short-form tag of an intrinsic function key (``Fn::Sub`` -> ``!Sub``), else ""."""
    if not isinstance(key, str) or hasattr(key, "start_mark"):
        return ""
    if key in ("Ref", "Condition"):
        return "!" + key
    return "!" + key[4:] if key.startswith("Fn::") else ""


def _relevant(node: object) -> bool:
    """Whether ``lexiam scan`` would look at the template: ``looks_relevant`` asks it of the file's text
    (does it name Lex, or a service-linked role?), here it is asked of the decoded keys and strings."""
    relevant = _front_end().looks_relevant
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str) and relevant(key):
                    return True
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and relevant(item):
            return True
    return False


# --- one run per template -------------------------------------------------------------------------

Prepared = tuple[PMap, list[str]]  # the positioned template and the sketch of its source lines


def _prepare(template: object, file: str) -> Prepared | None:
    """The decoded template as lexiam's positioned tree; None when ``lexiam scan`` would skip it."""
    if not isinstance(template, dict) or not _relevant(template):
        return None
    conv = _Converter(file)
    tree = conv.convert(template, Location(file, 1, 1), -2)
    if not isinstance(tree, PMap) or not _front_end().is_template(tree):
        return None
    return tree, conv.lines()


# Templates that declare a transform, prepared before cfn-lint transforms them: the transform replaces
# the template (older cfn-lint expands SAM, losing most positions) or changes it in place (SAM globals
# merged into the resources, intrinsic keys re-marked), and the pack checks the template as written.
_BEFORE_TRANSFORM: weakref.WeakKeyDictionary[Template, Prepared | None | Exception] = weakref.WeakKeyDictionary()


def _prepare_before(transform: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(transform)
    def wrapper(self: Template, *args: Any, **kwargs: Any) -> Any:
        if isinstance(self.template, dict) and "Transform" in self.template and self not in _BEFORE_TRANSFORM:
            try:
                _BEFORE_TRANSFORM[self] = _prepare(self.template, self.filename or "")
            except Exception as exc:  # reported by the first rule asking (cfn-lint's E0002), not here
                _BEFORE_TRANSFORM[self] = exc
        return transform(self, *args, **kwargs)

    wrapper.lexiam_prepares = True  # type: ignore[attr-defined]
    return wrapper


if not getattr(Template.transform, "lexiam_prepares", False):
    Template.transform = _prepare_before(Template.transform)  # type: ignore[method-assign]


class _Run:
    """One template's findings by rule ID, with its logical IDs; an error is raised once, by the first rule asking."""

    def __init__(self, by_rule: dict[str, list[Finding]], resources: frozenset[str], error: Exception | None = None) -> None:
        self.by_rule = by_rule
        self.resources = resources
        self.error = error


_RUNS: weakref.WeakKeyDictionary[Template, _Run] = weakref.WeakKeyDictionary()


def _run(cfn: Template) -> _Run:
    run = _RUNS.get(cfn)
    if run is not None:
        return run
    by_rule: dict[str, list[Finding]] = {}
    resources: frozenset[str] = frozenset()
    error: Exception | None = None
    try:
        prepared = _BEFORE_TRANSFORM.pop(cfn) if cfn in _BEFORE_TRANSFORM else _prepare(cfn.template, cfn.filename or "")
        if isinstance(prepared, Exception):
            raise prepared
        if prepared is not None:
            tree, lines = prepared
            unit = _front_end().unit_from_tree(tree, cfn.filename or "", lines)
            resources = frozenset(unit.resource_types)
            for finding in _suppressed(analyse([unit], Options()), unit):
                if finding.suppressed is None:
                    by_rule.setdefault(finding.rule_id, []).append(finding)
    except Exception as exc:  # reported by cfn-lint as E0002, once
        error = exc
    run = _RUNS[cfn] = _Run(by_rule, resources, error)
    return run


def _suppressed(findings: list[Finding], unit: Unit) -> list[Finding]:
    """The findings with lexiam's own ``Metadata: lexiam: ignore`` applied, by the suppression stage of
    ``lexiam scan``; cfn-lint applies its ``ignore_checks`` (and ``--mandatory-checks`` over them) itself."""
    own = [s for s in unit.suppressions if s.origin != "cfn-lint"]
    stage = Stage(known=[m.id for m in all_rules()], renamed=RENAMED)
    return apply(findings, own, stage).findings


def _rule_match(finding: Finding, resources: frozenset[str]) -> RuleMatch:
    """``finding`` for cfn-lint: the path ``["Resources", <logical ID>, *path in the resource]`` and the
    0-based (line, column, end line, end column) that cfn-lint takes instead of one derived from the path."""
    address = finding.resource
    if address and address not in resources:
        address = address.split(".", 1)[0]  # OrderBot.TestBotAlias -> OrderBot
    path: list[str | int] = ["Resources", address, *finding.path] if address else []
    return RuleMatch(path, finding.message,
                     location=(finding.line - 1, finding.column - 1, finding.end_line - 1, finding.end_column - 1))


def _match(self: CloudFormationLintRule, cfn: Template) -> list[RuleMatch]:
    run = _run(cfn)
    if run.error is not None:
        error, run.error = run.error, None
        raise error
    return [_rule_match(f, run.resources) for f in run.by_rule.get(self.id, ())]


# --- the rule classes -----------------------------------------------------------------------------

def _collected(rule_id: str) -> bool:
    """Whether the rule collection cfn-lint is filling already holds ``rule_id`` (the pack named twice).

    cfn-lint refuses a second rule with the same ID, and a pack named both in ``.cfnlintrc`` and on the
    command line (``--merge-configs``), or twice, is loaded twice.  The collection is the caller's:
    ``self.rules`` of the runner loading the rules, or the ``RulesCollection`` itself (older cfn-lint).
    """
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        owner = frame.f_locals.get("self")
        for collection in (owner, getattr(owner, "rules", None), frame.f_locals.get("rules")):
            held = collection.data if isinstance(collection, Rules) else getattr(collection, "all_rules", None)
            if isinstance(held, dict) and rule_id in held:
                return True
        frame = frame.f_back
    return False


def _init(self: CloudFormationLintRule) -> None:
    CloudFormationLintRule.__init__(self)
    if _collected(self.id):
        self.id = ""  # cfn-lint skips a rule without an ID: this copy is not added a second time


def _rule_class(meta: RuleMeta) -> type[CloudFormationLintRule]:
    name = "Lexiam" + "".join(part.capitalize() for part in meta.slug.split("-"))
    return type(name, (CloudFormationLintRule,), {
        "__module__": __name__,
        "__doc__": f"{meta.id} {meta.slug}: {meta.title}",
        "__init__": _init,
        "id": meta.id,
        "shortdesc": meta.title,
        "description": meta.rationale,
        "source_url": meta.docs_url,
        "tags": ["lexiam", *meta.tags],
        "match": _match,
    })


# E9500 (a file that cannot be read or parsed) is cfn-lint's own E0000 here.
PACK: tuple[type[CloudFormationLintRule], ...] = tuple(_rule_class(m) for m in all_rules() if m.id != "E9500")
globals().update({cls.__name__: cls for cls in PACK})
