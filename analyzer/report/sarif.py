"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every rule, every finding.

Suppressed findings stay in the log with a ``suppressions`` entry (code scanning shows them as
dismissed); ``partialFingerprints`` hold the line-independent fingerprint of :mod:`lexiam.baseline`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from lexiam import __version__
from lexiam.baseline import fingerprints
from lexiam.model import Finding, ScanResult
from lexiam.report.json_report import dumps
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


def document(result: ScanResult, rules: Sequence[RuleMeta], root: str, category: str) -> dict[str, object]:
    index = {m.id: i for i, m in enumerate(rules)}
    results = [result_object(f, fp, index.get(f.rule_id)) for f, fp in zip(result.findings, fingerprints(result.findings))]
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
        "invocations": [{"executionSuccessful": True}],
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, context: dict[str, object]) -> str:
    rules = context.get("rules")
    if rules is None:
        from lexiam.rules.pack import all_rules

        rules = all_rules()
    assert isinstance(rules, list)
    doc = document(result, rules, str(context.get("root", ".")), str(context.get("sarif_category") or DEFAULT_CATEGORY))
    return dumps(doc)
