"""What a ``lexiam fix`` run must leave behind, checked without the fix package: the files parse with an
independent parser (PyYAML with every tag read as plain data, the json module, python-hcl2's own
``loads``), and the characters that changed lie inside the spans of the findings that were fixed."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

import hcl2
import yaml


class AnyTagLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with CloudFormation's short-form tags (``!Sub``, ``!GetAtt``...) read as the
    data they tag."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return {suffix: loader.construct_mapping(node, deep=True)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_scalar(node)}


AnyTagLoader.add_multi_constructor("!", _tagged)


def independent_parse(path: Path, text: str | None = None) -> object:
    """The file (or ``text`` as that file) read by a parser the fix package does not use; raises when it
    does not parse."""
    text = path.read_text(encoding="utf-8-sig") if text is None else text.removeprefix("\ufeff")
    if path.suffix == ".tf":
        return hcl2.loads(text)
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=AnyTagLoader)  # noqa: S506 - a safe loader with plain constructors


def parses(path: Path, text: str | None = None) -> bool:
    try:
        independent_parse(path, text)
    except Exception:  # noqa: BLE001 - any parser's error
        return False
    return True


@dataclass(frozen=True)
class Span:
    """Where a fixed finding's value stands in the old text, and what kind of fix it had."""

    line: int
    column: int
    end_line: int
    end_column: int
    removal: bool


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def changes_outside(old: str, new: str, spans: list[Span]) -> list[str]:
    """The changes of ``new`` against ``old`` that no fixed span allows: a replaced value may only change
    inside its own span; a removed item may take its lines, and the comma at the end of the line before."""
    starts = [0] + [i + 1 for i, c in enumerate(old) if c == "\n"]
    allowed: list[tuple[int, int]] = []
    for s in spans:
        a, b = _offset(starts, s.line, s.column), _offset(starts, s.end_line, s.end_column)
        if s.removal:
            before = old[:a].rstrip(" \t\r\n")
            prev = before.rfind("\n") + 1  # the line holding the last character before the item
            end_of_line = old.find("\n", b)
            b = len(old) if end_of_line < 0 else end_of_line + 1
            while b < len(old) and old[b] in " \t":  # a diff may shift a deleted line by the indentation they share
                b += 1
            a = prev
        allowed.append((a, b))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(allowed):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    allowed = merged
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if not any(a <= i1 and i2 <= b for a, b in allowed):
            line = old.count("\n", 0, i1) + 1
            out.append(f"line {line}: {old[i1:i2]!r} -> {new[j1:j2]!r}")
    return out
