"""The values of the root module's variables: auto-loaded ``terraform.tfvars`` / ``*.auto.tfvars``
(HCL or JSON), ``--var-file`` and ``--var``, later ones winning, as Terraform reads them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lexiam import positioned
from lexiam.policy import literal_tree
from lexiam.terraform.hcl import HclError, parse_expression, parse_file, source_lines
from lexiam.terraform.jsontext import load_json
from lexiam.terraform.relevance import looks_relevant
from lexiam.terraform.sources import read_source
from lexiam.terraform.tfvalues import Thunk
from lexiam.values import Location, Value

if TYPE_CHECKING:
    from lexiam.terraform.context import Context
    from lexiam.terraform.evaluate import Scope


def _tfvars_paths(folder: Path) -> list[Path]:
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.is_file())
    except OSError:
        return []
    first = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    auto = [n for n in names if n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json")]
    return [folder / n for n in first + auto]


def var_inputs(folder: Path, ctx: Context, holder: list[Scope]) -> tuple[dict[str, Thunk], bool]:
    """The root module's variable values: auto-loaded tfvars, --var-file, --var (later wins).
    Returns them as thunks evaluated in the root scope, and whether any of them mention Lex."""
    inputs: dict[str, Thunk] = {}
    relevant = False
    options = ctx.options

    def from_file(path: Path) -> None:
        nonlocal relevant
        rel = ctx.rel_of(path)
        text, err, _rec = read_source(path, rel, options)
        if text is None:
            if err is not None:
                ctx.errors.setdefault(rel, err)
            return
        relevant = relevant or looks_relevant(text)
        if path.name.endswith(".json"):
            _json_vars(text, rel, ctx, inputs)
            return
        try:
            parsed = parse_file(text, rel)
        except HclError as exc:
            ctx.input_error(f"cannot parse the variable file: {exc.reason}", Location(rel, exc.line, exc.column))
            return
        ctx.lines[rel] = parsed.lines
        for name, attr in parsed.body.attrs.items():
            inputs[name] = (lambda a=attr: holder[0].ev(a.expr))

    for path in _tfvars_paths(folder):
        if not path.is_symlink() or ctx.inside(path.resolve()):  # no link out of the scanned tree
            from_file(path)
    for path in options.tf_var_files:
        from_file(Path(path))
    for name, raw in options.tf_vars.items():
        relevant = relevant or looks_relevant(raw)
        stripped = raw.strip()
        if stripped[:1] in ("[", "{", '"'):
            expr = parse_expression(stripped, "<--var>", 1, 1)
            inputs[name] = (lambda e=expr: _strip_loc(holder[0].ev(e)))
        else:
            inputs[name] = (lambda r=raw: Value.of(r))
    return inputs, relevant


def _strip_loc(node: object) -> object:
    """A --var value has no file position: the reference that uses it will lend its own."""
    if isinstance(node, Value) and node.loc is not None and node.loc.file == "<--var>":
        return Value(node.parts, None)
    return node


def _json_vars(text: str, rel: str, ctx: Context, inputs: dict[str, Thunk]) -> None:
    try:
        tree, _dups = load_json(text, rel, max_nodes=ctx.options.max_nodes, max_depth=ctx.options.max_depth)
    except positioned.LoadError as exc:
        ctx.input_error(f"cannot parse the variable file: {exc.reason}", Location(rel, exc.line, exc.column))
        return
    if not isinstance(tree, positioned.PMap):
        return
    ctx.lines[rel] = source_lines(text)
    for name, node in tree.items():
        converted = literal_tree(node, [])
        inputs[name] = (lambda c=converted: c)
