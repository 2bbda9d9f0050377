"""The text reports for people: ``text`` (each finding with its source line in a numbered gutter and a
caret under the value) and ``concise`` (one line per finding), then the rule statistics and the summary.

Everything printed that came from the scanned tree (names, values, source lines) goes through
:func:`lexiam.sanitize.visible`.  Source lines are read again for the excerpts, within bounds: only files
of at most ``--max-file-size`` (a file refused for its size is never read), one file at a time, and a long
line (a minified JSON template) is cut to a window around the caret with ``...`` where it was cut.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from lexiam.model import Finding, ScanResult
from lexiam.report.summary import summary_text
from lexiam.sanitize import visible

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
WINDOW = 120  # characters of a source line shown at most
BEFORE = 40  # of which, at most, before the caret
CUT = "..."
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class Sources:
    """The lines of the files findings point into, read once each and only when small enough."""

    def __init__(self, root: Path, max_bytes: int, given: dict[str, bytes] | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.given = given or {}
        self.file: str | None = None
        self.lines: list[str] | None = None
        self.reads = 0  # files opened, for tests

    def line(self, file: str, number: int) -> str | None:
        if file != self.file:  # the findings come sorted by file: one file's lines in memory at a time
            self.file, self.lines = file, self._read(file)
        lines = self.lines
        if not lines or not 0 < number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, file: str) -> list[str] | None:
        from lexiam.contract import decode, read_bytes, split_lines

        data = self.given.get(file)
        if data is None:
            path = Path(file)
            if not path.is_absolute():
                path = self.root / path
            try:
                if os.stat(path).st_size > self.max_bytes:  # refused for its size: never read again
                    return None
                self.reads += 1
                data = read_bytes(path, self.max_bytes)
            except OSError:
                return None
            if len(data) > self.max_bytes:
                return None
        text, _reason, _at = decode(data)
        if text is None:
            text = data.decode("utf-8", "replace")
        # Lines as findings count them: at LF only (a U+2028 or a lone CR is no line break to GitHub either)
        return split_lines(text)


def excerpt(src: str, f: Finding) -> tuple[str, int, int, bool, bool]:
    """The part of a source line to show, the caret's offset and width in it, and whether it was cut at
    the start and at the end.  Only a window of the line is looked at (a minified template is one line of
    megabytes, and may have thousands of findings on it)."""
    col = max(1, min(f.column, len(src) + 1))
    end = f.end_column if f.end_line == f.line and f.end_column > col else len(src) + 1 if f.end_line > f.line else col + 1
    lo = max(0, col - 1 - BEFORE)
    hi = min(len(src), lo + WINDOW)
    lo = max(0, min(lo, hi - WINDOW))
    piece = src[lo:hi].expandtabs(1)  # a tab is one column, as findings count it
    shown = visible(piece)
    start = len(visible(piece[:col - 1 - lo]))
    width = max(1, min(len(visible(piece[col - 1 - lo:end - 1 - lo])), len(shown) - start))
    return shown, start, width, lo > 0, hi < len(src)


def render(result: ScanResult, context: dict[str, object]) -> str:
    colour = bool(context.get("colour"))
    root = Path(str(context.get("root", ".")))
    max_bytes = context.get("max_file_bytes")
    given = context.get("sources")
    sources = Sources(root, max_bytes if isinstance(max_bytes, int) else DEFAULT_MAX_BYTES,
                      given if isinstance(given, dict) else None)
    context["_sources"] = sources  # for tests: what was read

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour and code else text

    shown = [f for f in result.findings if f.suppressed is None or context.get("show_suppressed")]
    numbers = [f.line for f in shown if f.line > 0]
    gutter = len(str(max(numbers))) if numbers else 1
    out: list[str] = []
    for f in shown:
        sev = paint(f.severity, _COLOURS.get(f.severity, ""))
        where = f" ({visible(f.resource)})" if f.resource else ""
        note = f" (suppressed: {visible(f.suppressed)})" if f.suppressed is not None else ""
        out.append(f"{sev} {paint(f.rule_id, _BOLD)} {f.slug}: {visible(f.message)}{note}")
        out.append(f"{' ' * gutter}{paint('-->', _DIM)} {paint(visible(f.file), _BOLD)}:{f.line}:{f.column}{where}")
        src = sources.line(f.file, f.line)
        if src is not None:
            text, start, width, cut_left, cut_right = excerpt(src, f)
            lead = CUT if cut_left else ""
            bar = paint("|", _DIM)
            out.append(f"{' ' * gutter} {bar}")
            out.append(f"{paint(str(f.line).rjust(gutter), _DIM)} {bar} {lead}{text}{CUT if cut_right else ''}".rstrip())
            out.append(f"{' ' * gutter} {bar} {' ' * (len(lead) + start)}"
                       f"{paint('^' * width, _COLOURS.get(f.severity, ''))}")
        out.append("")
    return _ending(out, result, context)


def render_concise(result: ScanResult, context: dict[str, object]) -> str:
    """One line per finding: ``file:line:column: severity ID slug: message [resource]``."""
    colour = bool(context.get("colour"))
    out: list[str] = []
    for f in result.findings:
        if f.suppressed is not None and not context.get("show_suppressed"):
            continue
        sev = f"{_COLOURS[f.severity]}{f.severity}{_RESET}" if colour and f.severity in _COLOURS else f.severity
        where = f" [{visible(f.resource)}]" if f.resource else ""
        note = f" (suppressed: {visible(f.suppressed)})" if f.suppressed is not None else ""
        out.append(f"{visible(f.file)}:{f.line}:{f.column}: {sev} {f.rule_id} {f.slug}: {visible(f.message)}{where}{note}")
    if out:
        out.append("")
    return _ending(out, result, context)


def statistics(result: ScanResult) -> list[str]:
    """The findings of each rule (unsuppressed), most first: count, ID, slug, severity."""
    counts = Counter((f.rule_id, f.slug, f.severity) for f in result.findings if f.suppressed is None)
    if not counts:
        return []
    width = len(str(max(counts.values())))
    slug_width = max(len(slug) for _id, slug, _sev in counts)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return [f"{n:>{width}}  {rid}  {slug:<{slug_width}}  {sev}" for (rid, slug, sev), n in rows]


def _ending(out: list[str], result: ScanResult, context: dict[str, object]) -> str:
    if context.get("statistics"):
        out.extend(statistics(result))
        out.append("")
    if not context.get("quiet"):
        out.append(summary_text(result))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""
