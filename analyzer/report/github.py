"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

When ``GITHUB_STEP_SUMMARY`` names a file, a Markdown summary (counts and a findings table) is appended
to it. Suppressed findings get no annotation; they are counted, and listed in the step summary.
"""

from __future__ import annotations

import os
from pathlib import Path

from lexiam.model import Finding, ScanResult
from lexiam.report.summary import EXCLUDED, summary_text
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


def step_summary(result: ScanResult, fix_plan: object = None) -> str:
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
    if fix_plan is not None:
        out += [fix_line(fix_plan), ""]
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


def fix_line(plan: object) -> str:
    """How many findings ``lexiam fix`` would fix (and how many more have an unsafe fix)."""
    fixed = getattr(plan, "fixed", [])
    unsafe = getattr(plan, "unsafe", [])
    by_rule = getattr(plan, "by_rule", dict)()
    n = len(fixed)
    line = f"`lexiam fix` would fix {n} finding{'s' if n != 1 else ''}"
    if by_rule:
        line += " (" + ", ".join(f"{rule} {count}" for rule, count in by_rule.items()) + ")"
    if unsafe:
        line += f"; {len(unsafe)} more with `--unsafe-fixes`"
    return line + "."


def summary_line(result: ScanResult) -> str:
    return "lexiam: " + summary_text(result)


# GitHub shows at most 10 error, 10 warning and 10 notice annotations of one step (and 50 of a job); the
# rest are dropped, first come first served (actions/toolkit, docs/problem-matchers.md, "Limitations").
PER_STEP = {"error": 10, "warning": 10, "notice": 10}
_ORDER = {"error": 0, "warning": 1, "info": 2}


def annotations(result: ScanResult, sarif_file: str | None = None) -> list[str]:
    """The annotations GitHub will show: errors first, then warnings, then notices, each by file and line,
    capped at the per-step limits; when findings were left out, a closing notice says how many and where
    the full report is (it takes one of the notices' places)."""
    active = sorted((f for f in result.findings if f.suppressed is None),
                    key=lambda f: (_ORDER.get(f.severity, 3), f.file, f.line, f.column, f.rule_id))
    kind = [COMMANDS.get(f.severity, "warning") for f in active]
    over = any(kind.count(k) > n for k, n in PER_STEP.items())
    caps = dict(PER_STEP, notice=PER_STEP["notice"] - 1) if over else dict(PER_STEP)
    config = _config_effect(result)
    if config:  # what the repository's configuration took out of the gate is shown where reviewers look
        caps["warning"] -= 1
    shown: list[Finding] = []
    for f, k in zip(active, kind):
        if caps[k] > 0:
            caps[k] -= 1
            shown.append(f)
    lines = [annotation(f) for f in shown]
    if config:
        lines.append("::warning title=lexiam configuration::" + escape_data(config))
    left = len(active) - len(shown)
    if left:
        where = ["the step summary"] if os.environ.get("GITHUB_STEP_SUMMARY") else []
        if sarif_file:
            where.append(f"the SARIF report {sarif_file}")
        where_text = " and ".join(where) if where else "the text or JSON report (lexiam scan --format json)"
        lines.append("::notice title=lexiam::" + escape_data(
            f"{left} more finding{'s were' if left != 1 else ' was'} not annotated: GitHub shows at most "
            f"{PER_STEP['error']} errors, {PER_STEP['warning']} warnings and {PER_STEP['notice']} notices per step; "
            f"{where_text} {'have' if len(where) > 1 else 'has'} all {len(active)}"))
    return lines


def _config_effect(result: ScanResult) -> str:
    """What the configuration took out of the gate: findings its ignore / select marked suppressed
    (``--config-mode restricted``), paths its exclude left out; "" when nothing."""
    suppressed = sum(1 for f in result.findings if f.suppressed_by == "config")
    excluded = sum(1 for f in result.files if f.status == "skipped" and f.reason.startswith(EXCLUDED))
    parts = []
    if suppressed:
        parts.append(f"suppressed {suppressed} finding{'s' if suppressed != 1 else ''}")
    if excluded:
        parts.append(f"excluded {excluded} path{'s' if excluded != 1 else ''} from the scan")
    if not parts:
        return ""
    return f"the repository's configuration {' and '.join(parts)} (the SARIF report lists them)"


def render(result: ScanResult, context: dict[str, object]) -> str:
    sarif_file = context.get("sarif_file")
    lines = annotations(result, str(sarif_file) if sarif_file else None)
    lines.append(summary_line(result))
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            with Path(target).open("a", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(step_summary(result, context.get("fix_plan")))
        except OSError as exc:
            lines.append(f"::warning::lexiam could not write the step summary: {escape_data(str(exc))}")
    return "\n".join(lines) + "\n"
