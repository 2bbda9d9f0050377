"""Validate a SARIF log: the official SARIF 2.1.0 JSON schema, then GitHub code scanning's constraints.

Every SARIF document the test suite produces goes through :func:`check_sarif`.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SCHEMA_FILE = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# GitHub code scanning's documented upload limits (per run / result / rule)
MAX_RESULTS, MAX_RULES, MAX_LOCATIONS, MAX_TAGS = 25_000, 25_000, 1_000, 20


@functools.cache
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def schema_errors(doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(doc)]


def github_errors(doc: dict[str, Any]) -> list[str]:
    """What GitHub code scanning would reject or misplace in an upload."""
    errors: list[str] = []
    categories: set[str] = set()
    for r, run in enumerate(doc.get("runs", [])):
        driver = run["tool"]["driver"]
        if not driver.get("name"):
            errors.append(f"run {r}: tool.driver.name is missing")
        rules = driver.get("rules", [])
        ids = [rule["id"] for rule in rules]
        if len(ids) != len(set(ids)):
            errors.append(f"run {r}: duplicate rule IDs")
        if len(rules) > MAX_RULES:
            errors.append(f"run {r}: more than {MAX_RULES} rules")
        for rule in rules:
            props = rule.get("properties", {})
            if len(props.get("tags", [])) > MAX_TAGS:
                errors.append(f"rule {rule['id']}: more than {MAX_TAGS} tags")
            sev = props.get("security-severity")
            if sev is not None and not (isinstance(sev, str) and 0.0 <= float(sev) <= 10.0):
                errors.append(f"rule {rule['id']}: security-severity must be a string from 0.0 to 10.0")
            if not rule.get("shortDescription", {}).get("text"):
                errors.append(f"rule {rule['id']}: no shortDescription")
        category = run.get("automationDetails", {}).get("id", "")
        category = category.rsplit("/", 1)[0] if "/" in category else category
        if category in categories:
            errors.append(f"run {r}: category {category!r} used by two runs")
        categories.add(category)
        results = run.get("results", [])
        if len(results) > MAX_RESULTS:
            errors.append(f"run {r}: more than {MAX_RESULTS} results")
        for i, res in enumerate(results):
            where = f"run {r} result {i}"
            if res.get("ruleId") not in ids:
                errors.append(f"{where}: ruleId {res.get('ruleId')!r} is not in tool.driver.rules")
            elif "ruleIndex" in res and ids[res["ruleIndex"]] != res["ruleId"]:
                errors.append(f"{where}: ruleIndex does not point at ruleId")
            if not res.get("message", {}).get("text"):
                errors.append(f"{where}: no message text")
            locations = res.get("locations", [])
            if not locations or len(locations) > MAX_LOCATIONS:
                errors.append(f"{where}: needs 1 to {MAX_LOCATIONS} locations")
            for loc in locations:
                phys = loc.get("physicalLocation", {})
                art = phys.get("artifactLocation", {})
                uri = art.get("uri", "")
                if "uriBaseId" in art:
                    if URI_SCHEME.match(uri) or uri.startswith("/"):
                        errors.append(f"{where}: {uri!r} with a uriBaseId must be relative")
                    if art["uriBaseId"] not in run.get("originalUriBaseIds", {}):
                        errors.append(f"{where}: uriBaseId {art['uriBaseId']} not in originalUriBaseIds")
                region = phys.get("region", {})
                if region.get("startLine", 0) < 1 or region.get("startColumn", 1) < 1:
                    errors.append(f"{where}: lines and columns are 1-based")
                end_line = region.get("endLine", region.get("startLine"))
                if end_line < region["startLine"]:
                    errors.append(f"{where}: endLine before startLine")
                if end_line == region["startLine"] and "endColumn" in region and \
                        region["endColumn"] <= region.get("startColumn", 1):
                    errors.append(f"{where}: endColumn must be after startColumn")
            if not res.get("partialFingerprints"):
                errors.append(f"{where}: no partialFingerprints")
    return errors


def check_sarif(doc: dict[str, Any]) -> dict[str, Any]:
    """Assert the document is valid SARIF 2.1.0 that GitHub code scanning accepts; return it."""
    errors = schema_errors(doc)
    assert not errors, "SARIF schema errors:\n" + "\n".join(errors[:20])
    errors = github_errors(doc)
    assert not errors, "GitHub code scanning constraints:\n" + "\n".join(errors[:20])
    return doc


def check_sarif_text(text: str) -> dict[str, Any]:
    return check_sarif(json.loads(text))
