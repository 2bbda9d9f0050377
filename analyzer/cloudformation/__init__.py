"""The CloudFormation front end: YAML (short-form tags), JSON, SAM and CDK output.

A file front end of :mod:`lexiam.contract`: :func:`looks_like` and :func:`load_file`.
"""

from __future__ import annotations

import re
from pathlib import Path

from lexiam.cloudformation import foreach
from lexiam.contract import FileResult, LineCounter, LoadOutput, Options, split_lines
from lexiam.directives import parse_comment
from lexiam.model import Suppression, Unit, input_error
from lexiam.positioned import LoadError, PMap, load
from lexiam.prefilter import decoded, may_match
from lexiam.values import Location

# A file is a template candidate when it names one of the two top-level template keys.  Only blanks
# (not newlines) are skipped before the key: every line start is tried anyway, and ``\s*`` there made
# a file of blank lines quadratic (a few MB of newlines took hours).
_TEMPLATE_HINT = re.compile(r"""(?:^|[{,])[ \t]*["']?(?:AWSTemplateFormatVersion|Resources)["']?[ \t]*:""", re.M)
# ...and is worth parsing only when it can hold something the rules look at.
_RELEVANT = re.compile(r"lex|aws-service-role", re.I)


def looks_like_template(text: str) -> bool:
    """Whether the text names a top-level template key, as written or with its escapes decoded (a key
    written ``"\\u0052esources"`` is ``Resources`` to CloudFormation)."""
    return _TEMPLATE_HINT.search(text) is not None or (
        "\\" in text and _TEMPLATE_HINT.search(decoded(text)) is not None)


looks_like = looks_like_template


def looks_relevant(text: str) -> bool:
    return may_match(text, _RELEVANT, ("lex", "aws-service-role"))


def is_template(tree: object) -> bool:
    if not isinstance(tree, PMap):
        return False
    if "AWSTemplateFormatVersion" in tree:
        return True
    resources = tree.get("Resources")
    return isinstance(resources, PMap) and any(
        isinstance(r, PMap) and "Type" in r for r in resources.values())


def _has_loops(tree: object) -> bool:
    """A template whose resources are all made by ``Fn::ForEach`` loops."""
    resources = tree.get("Resources") if isinstance(tree, PMap) else None
    return isinstance(resources, PMap) and any(k.startswith(foreach.PREFIX) for k in resources)


_COMMENT = re.compile(r"(?:^|[ \t])#(.*)$", re.M)


def comment_suppressions(text: str, rel: str) -> list[Suppression]:
    """``# lexiam:ignore`` comments in a YAML template: they suppress nothing here (CloudFormation
    suppressions are written in Metadata), and say so, each one an I9590 with what to write instead."""
    if "lexiam" not in text.lower():
        return []
    out: list[Suppression] = []
    lines = LineCounter(text)
    for m in _COMMENT.finditer(text):
        if "lexiam" not in m.group(1).lower() or parse_comment(m.group(1)) is None:
            continue
        line, column = lines.at(m.start(1))
        out.append(Suppression("", "", "comment", Location(rel, line, column - 1), problem=(
            "a lexiam:ignore comment suppresses nothing in a CloudFormation template; write it in the "
            "Metadata of the resource or the template: lexiam: {ignore: [{id: RULE, reason: ...}]}")))
    return out


def load_file(path: Path, rel: str, text: str, options: Options) -> LoadOutput:
    """Parse one candidate file; a non-template is skipped, an unparseable template is one E9500."""
    out = LoadOutput()
    if not looks_like_template(text):
        out.files.append(FileResult(rel, "skipped", "not a CloudFormation template"))
        return out
    if options.prefilter and not looks_relevant(text):
        out.files.append(FileResult(rel, "skipped", "no Lex or IAM content"))
        return out
    try:
        tree, duplicates = load(text, rel, max_nodes=options.max_nodes, max_depth=options.max_depth)
    except LoadError as exc:
        out.errors.append(input_error(f"cannot parse the template: {exc.reason}", Location(rel, exc.line, exc.column)))
        out.files.append(FileResult(rel, "error", exc.reason))
        return out
    if not is_template(tree) and not _has_loops(tree):
        out.files.append(FileResult(rel, "skipped", "not a CloudFormation template"))
        return out
    assert isinstance(tree, PMap)
    try:
        unexpanded = foreach.expand(tree, options.max_nodes)
    except LoadError as exc:
        out.errors.append(input_error(f"cannot expand the template: {exc.reason}", Location(rel, exc.line, exc.column)))
        out.files.append(FileResult(rel, "error", exc.reason))
        return out
    for why, loc in unexpanded:
        out.notices.append(f"{rel}:{loc.line}: {why}: the resources it makes were not checked")
    if duplicates:
        key, loc = duplicates[0]
        more = f" and {len(duplicates) - 1} more" if len(duplicates) > 1 else ""
        out.errors.append(input_error(
            f"duplicate key '{key}'{more}: CloudFormation rejects the template (the last value is analysed)", loc))
    unit = unit_from_tree(tree, rel, split_lines(text))
    unit.suppressions.extend(comment_suppressions(text, rel))
    out.units.append(unit)
    out.files.append(FileResult(rel, "scanned"))
    return out


def unit_from_tree(tree: PMap, rel: str, lines: list[str]) -> Unit:
    """The unit of a parsed template (``lines``: its source, for positions inside JSON policy text)."""
    from lexiam.cloudformation.extract import Extractor

    return Extractor(tree, rel, lines).run()
