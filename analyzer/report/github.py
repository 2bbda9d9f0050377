"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

When ``GITHUB_STEP_SUMMARY`` names a file, a Markdown summary (counts and a findings table) is appended
to it. Suppressed findings get no annotation; they are counted, and listed in the step summary.
"""

from __future__ import annotations

import os
from pathlib import Path

from lexiam.model import Finding, ScanResult
from lexiam.sanitize import visible

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
MAX_SUMMARY_ROWS = 500


def escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's data, then every other control character made visible
    (an ESC sequence in a Sid must not repaint the log)."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = [("file", f.file), ("line", str(f.line))]
    if f.end_line in (0, f.line):
        props += [("col", str(f.column)), ("endLine", str(f.line))]
        if f.end_column > f.column:  # GitHub's endColumn is inclusive; ours is exclusive
            props.append(("endColumn", str(f.end_column - 1)))
    else:  # columns cannot be given for an annotation that spans lines
        props.append(("endLine", str(f.end_line)))
    props.append(("title", f"{f.rule_id} {f.slug}"))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS.get(f.severity, 'warning')} {head}::{escape_data(f.message)}"


def _cell(text: str) -> str:
    return visible(text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def step_summary(result: ScanResult) -> str:
    s = result.summary()
    out = [
        "## lexiam",
        "",
        "| files scanned | skipped | unreadable | errors | warnings | notices | suppressed | baselined |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['scanned']} | {s['skipped']} | {s['input_errors']} | {s['errors']} | {s['warnings']} | {s['infos']} "
        f"| {s['suppressed']} | {s['baselined']} |",
        "",
    ]
    if not result.findings:
        out.append("No findings.")
        return "\n".join(out) + "\n"
    out += ["| severity | rule | location | resource | message |", "|---|---|---|---|---|"]
    for f in result.findings[:MAX_SUMMARY_ROWS]:
        severity = f.severity if f.suppressed is None else f"{f.severity} (suppressed: {f.suppressed})"
        out.append(f"| {_cell(severity)} | {f.rule_id} {f.slug} | `{_cell(f.file)}:{f.line}` | {_cell(f.resource)} "
                   f"| {_cell(f.message)} |")
    if len(result.findings) > MAX_SUMMARY_ROWS:
        out.append(f"\n... and {len(result.findings) - MAX_SUMMARY_ROWS} more (see the SARIF or JSON report).")
    return "\n".join(out) + "\n"


def summary_line(result: ScanResult) -> str:
    s = result.summary()
    baselined = f", {s['baselined']} baselined" if s["baselined"] else ""
    return (f"lexiam: {s['scanned']} files scanned, {s['findings']} findings ({s['errors']} errors, "
            f"{s['warnings']} warnings, {s['infos']} notices), {s['suppressed']} suppressed{baselined}")


def render(result: ScanResult, context: dict[str, object]) -> str:
    lines = [annotation(f) for f in result.findings if f.suppressed is None]
    lines.append(summary_line(result))
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            with Path(target).open("a", encoding="utf-8") as fh:
                fh.write(step_summary(result))
        except OSError as exc:
            lines.append(f"::warning::lexiam could not write the step summary: {escape_data(str(exc))}")
    return "\n".join(lines) + "\n"
