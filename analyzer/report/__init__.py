"""Reporters: turn a scan result into text for people or machines. No Lex knowledge lives here."""

from __future__ import annotations

from collections.abc import Callable

from lexiam.model import ScanResult

Reporter = Callable[[ScanResult, dict[str, object]], str]

def reporter(fmt: str) -> Reporter:
    if fmt == "json":
        from lexiam.report.json_report import render
    elif fmt == "text":
        from lexiam.report.text import render
    elif fmt == "concise":
        from lexiam.report.text import render_concise as render
    elif fmt == "sarif":
        from lexiam.report.sarif import render
    elif fmt == "github":
        from lexiam.report.github import render
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return render
