"""The text report for people: findings grouped by file, the offending line with a caret, a summary."""

from __future__ import annotations

from pathlib import Path

from lexiam.model import Finding, ScanResult
from lexiam.sanitize import visible

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _source_line(root: Path, finding: Finding, cache: dict[str, list[str] | None]) -> str | None:
    if finding.file not in cache:
        path = Path(finding.file)
        if not path.is_absolute():
            path = root / path
        try:
            cache[finding.file] = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        except OSError:
            cache[finding.file] = None
    lines = cache[finding.file]
    if not lines or not 0 < finding.line <= len(lines):
        return None
    return lines[finding.line - 1]


def render(result: ScanResult, context: dict[str, object]) -> str:
    colour = bool(context.get("colour"))
    root = Path(str(context.get("root", ".")))

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    out: list[str] = []
    cache: dict[str, list[str] | None] = {}
    current = None
    for f in result.findings:
        if f.suppressed is not None and not context.get("show_suppressed"):
            continue
        if f.file != current:
            if current is not None:
                out.append("")
            out.append(paint(visible(f.file), _BOLD))
            current = f.file
        sev = paint(f.severity, _COLOURS.get(f.severity, ""))
        where = f" [{visible(f.resource)}]" if f.resource else ""
        note = f" (suppressed: {visible(f.suppressed)})" if f.suppressed is not None else ""
        out.append(f"  {f.line}:{f.column} {sev} {f.rule_id} {f.slug}{where}: {visible(f.message)}{note}")
        src = _source_line(root, f, cache)
        if src is not None:
            shown = visible(src.expandtabs(1))
            indent = len(visible(src.expandtabs(1)[:f.column - 1]))
            out.append(paint(f"    | {shown.rstrip()}", _DIM))
            width = max(1, (f.end_column - f.column) if f.end_line == f.line and f.end_column > f.column else 1)
            width = min(width, max(1, len(shown) - indent))
            out.append("    | " + " " * indent + paint("^" * width, _COLOURS.get(f.severity, "")))
    s = result.summary()
    if out:
        out.append("")
    out.append(
        f"{s['files']} files: {s['scanned']} scanned, {s['skipped']} skipped, {s['input_errors']} unreadable; "
        f"{s['findings']} findings ({s['errors']} errors, {s['warnings']} warnings, {s['infos']} info), "
        f"{s['suppressed']} suppressed" + (f", {s['baselined']} baselined" if s["baselined"] else ""))
    return "\n".join(out) + "\n"
