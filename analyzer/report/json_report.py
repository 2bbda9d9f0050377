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
    return dumps(document(result))


def dumps(doc: object) -> str:
    """JSON text that is always valid UTF-8: a file name that is not UTF-8 (its bytes decoded with
    surrogateescape) is written as the JSON escapes of those surrogates (``"bad\\udcff.yaml"``), which a
    reader decodes back to the same name; every other character is written as it is."""
    text = json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
