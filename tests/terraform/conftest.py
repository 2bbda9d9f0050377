"""Helpers for the Terraform front-end tests: load a fixture folder, find where a token is written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lexiam.contract import LoadOutput, Options, relative
from lexiam.model import PolicyDocument, Unit
from lexiam.values import Value

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def load(folder: Path, root: Path | None = None, **options: object) -> LoadOutput:
    """load_module on every .tf file of a folder, report paths relative to ``root`` (default: the folder)."""
    from lexiam.terraform.module import load_module

    root = (root or folder).resolve()
    opts = Options(root=root, **options)  # type: ignore[arg-type]
    files = sorted(p for p in folder.iterdir() if p.suffix == ".tf")
    return load_module(folder.resolve(), [p.resolve() for p in files], lambda p: relative(p, root), opts)


def only_unit(out: LoadOutput) -> Unit:
    assert len(out.units) == 1, out
    return out.units[0]


def where(path: Path, token: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of token in a file."""
    seen = 0
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        start = 0
        while (col := line.find(token, start)) >= 0:
            if seen == nth:
                return lineno, col + 1
            seen += 1
            start = col + 1
    raise AssertionError(f"{token!r} not found in {path}")


def at(value: Value | None) -> tuple[str, int, int]:
    assert value is not None and value.loc is not None, value
    return value.loc.file, value.loc.line, value.loc.column


def actions(doc: PolicyDocument | None) -> list[Value]:
    assert doc is not None
    return [a for st in doc.statements for a in st.actions]


def texts(values: list[Value] | tuple[Value, ...]) -> list[str | None]:
    return [v.text for v in values]


def entity(unit: Unit, address: str):  # noqa: ANN201
    found = [e for e in unit.entities() if e.address == address]
    assert found, f"{address} not in {[e.address for e in unit.entities()]}"
    return found[0]


def fields(e: object) -> dict[str, object]:
    return {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}  # type: ignore[arg-type]


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED / "corpus"
