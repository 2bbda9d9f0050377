"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every rule, every finding.

Suppressed findings stay in the log with a ``suppressions`` entry (code scanning shows them as
dismissed); ``partialFingerprints`` hold the line-independent fingerprint of :mod:`lexiam.baseline`.
A finding that ``lexiam fix`` fixes carries ``fixes``: the replacements it makes in the scanned file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from lexiam import __version__
from lexiam.baseline import fingerprints
from lexiam.model import Finding, ScanResult
from lexiam.report.json_report import dumps
from lexiam.report.summary import EXCLUDED
from lexiam.rules.registry import RuleMeta

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/lexiam/lexiam"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "lexiamFinding/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
DEFAULT_CATEGORY = "iac"


def rule_descriptor(meta: RuleMeta) -> dict[str, object]:
    properties: dict[str, object] = {"tags": list(meta.tags)}
    if meta.security_severity is not None:
        properties["security-severity"] = f"{meta.security_severity:.1f}"
    markdown = (f"**{meta.id} {meta.slug}**: {meta.title}\n\n{meta.rationale}\n\n"
                f"**Fix:** {meta.fix}\n\n[Rule documentation]({meta.docs_url})")
    return {
        "id": meta.id,
        "name": meta.slug,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.rationale},
        "help": {"text": f"{meta.rationale}\n\nFix: {meta.fix}", "markdown": markdown},
        "helpUri": meta.docs_url,
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": properties,
    }


def _artifact(file: str) -> dict[str, str]:
    # A name that is not UTF-8 holds its bytes as surrogates (surrogateescape): the URI percent-encodes
    # those bytes, which is the file's exact name.
    if Path(file).is_absolute():  # outside the scan root
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file.encode("utf-8", "surrogateescape"), safe="/"), "uriBaseId": SRCROOT}


def _region(f: Finding) -> dict[str, int]:
    region = {"startLine": max(1, f.line), "startColumn": max(1, f.column)}
    if f.end_line > f.line or (f.end_line == f.line and f.end_column > f.column):
        region["endLine"] = f.end_line
        region["endColumn"] = max(1, f.end_column)
    return region


Replacement = tuple[tuple[int, int, int, int], str]


def fix_object(f: Finding, title: str, replacements: list[Replacement]) -> dict[str, object]:
    """A SARIF fix: the edits ``lexiam fix`` makes for this finding, in the file as it was scanned."""
    return {
        "description": {"text": title},
        "artifactChanges": [{
            "artifactLocation": _artifact(f.file),
            "replacements": [{
                "deletedRegion": {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col},
                "insertedContent": {"text": text},
            } for (line, col, end_line, end_col), text in replacements],
        }],
    }


def result_object(f: Finding, fingerprint: str, rule_index: int | None) -> dict[str, object]:
    location: dict[str, object] = {
        "physicalLocation": {"artifactLocation": _artifact(f.file), "region": _region(f)}}
    if f.resource:
        location["logicalLocations"] = [{"name": f.resource, "kind": "resource"}]
    result: dict[str, object] = {"ruleId": f.rule_id}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result.update({
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    })
    if f.path:
        result["properties"] = {"path": list(f.path)}
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    return result


# GitHub code scanning rejects a run of more than 25,000 results and shows the top 5,000 by severity
# (https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit)
MAX_RESULTS = 25_000
MAX_LISTED = 1_000  # notifications of one kind (files that could not be read, excluded paths)
_PRIORITY = {"error": 0, "warning": 1, "info": 2}


def _kept(findings: list[Finding], cap: int) -> set[int]:
    """The indexes of the findings a capped log keeps: unsuppressed first, by severity, in report order."""
    order = sorted(range(len(findings)), key=lambda i: (findings[i].suppressed is not None,
                                                        _PRIORITY.get(findings[i].severity, 3), i))
    return set(order[:cap])


def notifications(result: ScanResult, left_out: int) -> list[dict[str, object]]:
    """toolExecutionNotifications: each file that could not be read or parsed (error), each path an exclude
    left out and each notice of the scan (note), results left out by the cap (warning)."""
    out: list[dict[str, object]] = []

    def note(level: str, text: str, file: str | None = None) -> None:
        item: dict[str, object] = {"level": level, "message": {"text": text}}
        if file is not None:
            item["locations"] = [{"physicalLocation": {"artifactLocation": _artifact(file)}}]
        out.append(item)

    failed = [f for f in result.files if f.status == "error"]
    for f in failed[:MAX_LISTED]:
        note("error", f"{f.file}: could not be read or parsed: {f.reason}", f.file)
    if len(failed) > MAX_LISTED:
        note("error", f"{len(failed) - MAX_LISTED} more files could not be read or parsed")
    excluded = [f for f in result.files if f.status == "skipped" and f.reason.startswith(EXCLUDED)]
    for f in excluded[:MAX_LISTED]:
        note("note", f"{f.file}: {f.reason}", f.file)
    if len(excluded) > MAX_LISTED:
        note("note", f"{len(excluded) - MAX_LISTED} more paths were excluded by the configuration")
    for notice in result.notices:
        note("note", notice)
    if left_out:
        note("warning", f"{left_out} of {len(result.findings)} results were left out of this log: GitHub code "
                        f"scanning accepts at most {MAX_RESULTS} per run (the JSON report has them all)")
    return out


def document(result: ScanResult, rules: Sequence[RuleMeta], root: str, category: str,
             fixes: dict[Finding, tuple[str, list[Replacement]]] | None = None) -> dict[str, object]:
    index = {m.id: i for i, m in enumerate(rules)}
    pairs = list(zip(result.findings, fingerprints(result.findings)))
    left_out = 0
    if len(pairs) > MAX_RESULTS:
        kept = _kept(result.findings, MAX_RESULTS)
        left_out = len(pairs) - len(kept)
        pairs = [p for i, p in enumerate(pairs) if i in kept]
    results = [result_object(f, fp, index.get(f.rule_id)) for f, fp in pairs]
    for (f, _fp), obj in zip(pairs, results):
        if fixes and f in fixes:
            obj["fixes"] = [fix_object(f, *fixes[f])]
    invocation: dict[str, object] = {
        # true only when every file was read and parsed: a run that could not look at a file did not succeed
        "executionSuccessful": not any(f.status == "error" for f in result.files)}
    notes = notifications(result, left_out)
    if notes:
        invocation["toolExecutionNotifications"] = notes
    root_uri = Path(root).resolve().as_uri().rstrip("/") + "/"
    run: dict[str, object] = {
        "tool": {"driver": {
            "name": "lexiam",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(m) for m in rules],
        }},
        "automationDetails": {"id": f"lexiam/{category.strip('/')}/"},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, context: dict[str, object]) -> str:
    rules = context.get("rules")
    if rules is None:
        from lexiam.rules.pack import all_rules

        rules = all_rules()
    assert isinstance(rules, list)
    plan = context.get("fix_plan")
    fixes = plan.replacements() if plan is not None else None  # type: ignore[attr-defined]
    doc = document(result, rules, str(context.get("root", ".")), str(context.get("sarif_category") or DEFAULT_CATEGORY),
                   fixes)
    return dumps(doc)
