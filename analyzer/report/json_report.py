"""The JSON report: the contract of spec/DESIGN.md, byte-identical across runs."""

from __future__ import annotations

import json

from lexiam import __version__
from lexiam.model import ScanResult


def document(result: ScanResult) -> dict[str, object]:
    return {
        "tool": {"name": "lexiam", "version": __version__},
        "findings": [f.as_dict() for f in result.findings],
        "summary": result.summary(),
    }


def render(result: ScanResult, context: dict[str, object]) -> str:
    return json.dumps(document(result), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
