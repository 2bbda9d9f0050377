"""``load_module``: the ``.tf`` files of one folder -> one :class:`~lexiam.model.Unit`.

Doing only the work a folder needs (:mod:`lexiam.terraform.relevance`): a folder that cannot matter
to any rule is skipped before any parsing; in one that is relevant, the files that are (plus the
files that refer to what those declare) are parsed, the others only when a reference needs a
declaration they hold (:class:`lexiam.terraform.sources.ModuleSource`).  Files never parsed are
reported as skipped.

Local modules: a folder called through ``module { source = "./..." }`` by another folder of the
scan is analysed through its caller only (its entities get ``module.<name>.`` addresses in the
caller's unit, with the caller's inputs); its own ``load_module`` call then reports its files as
scanned (and their parse errors) without a unit of its own, so nothing is reported twice.  A folder
that no scanned folder calls (or that is only reached through a call cycle) is analysed on its own.
"Scanned" means under ``Options.scan_paths`` (the paths given to the scan; the scan root when
empty): a child scanned without its caller (pre-commit naming one staged file) is analysed on its
own, and so is a child whose caller's ``module`` block is in a file that does not parse.

Inline suppressions: ``# lexiam:ignore E9501[,W9509] reason`` comments (also ``//`` and ``/* */``) become
``Unit.suppressions`` (:func:`comment_suppressions`); the engine applies them with every other kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from lexiam import model
from lexiam.contract import FileResult, LoadOutput, Options
from lexiam.directives import parse_comment
from lexiam.model import input_error
from lexiam.terraform.context import Context
from lexiam.terraform.evaluate import Scope
from lexiam.terraform.extract import HclView, extract_resource
from lexiam.terraform.hcl import HclError, ParsedFile
from lexiam.terraform.nodes import Block
from lexiam.terraform.paths import block_path_finder
from lexiam.terraform.relevance import (
    SKIP_REASON,
    call_index,
    eager_files,
    folder_relevant,
    module_calls,
    own_relevant,
    scan_roots,
)
from lexiam.terraform.sources import (
    ModuleSource,
    SourceFile,
    is_native,
    parse_cached,
    parse_error,
    read_module_files,
    read_source,
)
from lexiam.terraform.variables import var_inputs
from lexiam.values import Location

__all__ = ["load_folder", "load_module", "comment_suppressions"]


# --- inline suppressions ---------------------------------------------------------------------------

def comment_suppressions(pf: ParsedFile, prefix: str) -> list[model.Suppression]:
    """The ``lexiam:ignore`` comments of a parsed file (see :mod:`lexiam.directives`) as suppressions.

    A comment covers the line it ends (a trailing comment) or the next line of code (a comment on lines
    of its own); when that line opens a resource block, or the comment ends the block's closing line, it
    covers the whole resource too.  ``lexiam:ignore-file`` covers every finding of the file.  ``prefix``
    is the module path of the scope (``module.orders.``) the file's resources are read in.
    """
    firsts = {b.loc.line: b for b in pf.body.blocks if b.type == "resource" and len(b.labels) >= 2}
    lasts = {b.loc.end_line: b for b in firsts.values() if b.loc.end_line}
    out: list[model.Suppression] = []
    for c in pf.comments:
        if "lexiam" not in c.text.lower():
            continue
        found = parse_comment(c.text)
        if found is None:
            continue
        loc = Location(pf.rel, c.line, c.column)
        if found.problem:
            out.append(model.Suppression("", "", "comment", loc, problem=found.problem))
            continue
        line = block = None
        if not found.file_wide:
            line = _next_code_line(pf.lines, c.end_line) if c.own_line else c.line
            block = firsts.get(line) or (lasts.get(c.line) if not c.own_line else None)
        resource = f"{prefix}{block.labels[0]}.{block.labels[1]}" if block is not None else None
        out.extend(model.Suppression(rule, found.reason, "comment", loc, resource, line) for rule in found.rules)
    return out


def _next_code_line(lines: list[str], after: int) -> int:
    for i in range(after, len(lines)):
        s = lines[i].strip()
        if s and not s.startswith(("#", "//", "/*", "*")):
            return i + 1
    return after + 1


# --- load_module -----------------------------------------------------------------------------------

def _skip_all(files: list[SourceFile], out: LoadOutput, reason: str) -> LoadOutput:
    for f in files:
        out.files.append(FileResult(f.rel, "skipped", reason))
    return out


def load_folder(folder: Path, names: list[str], rel_of: Callable[[Path], str], options: Options) -> LoadOutput:
    """All ``.tf`` files of one folder are one module: one Unit (or none when it is not relevant,
    or is analysed through the module that calls it)."""
    return load_module(folder, [folder / n for n in names], rel_of, options)


def load_module(folder: Path, files: list[Path], rel_of: Callable[[Path], str], options: Options) -> LoadOutput:
    """The module of these ``.tf`` files of ``folder``."""
    try:
        real_folder = folder.resolve()
    except (OSError, RuntimeError):
        real_folder = folder
    ctx = Context(options, rel_of, [*scan_roots(options), real_folder])
    try:
        return _load_module(ctx, folder, real_folder, files, rel_of, options)
    finally:
        ctx.release()


def _load_module(ctx: Context, folder: Path, real_folder: Path, files: list[Path], rel_of: Callable[[Path], str],
                 options: Options) -> LoadOutput:
    out = LoadOutput()
    sources: list[SourceFile] = []
    for path in files:
        rel = rel_of(path)
        text, err, record = read_source(path, rel, options)
        if text is None:
            if err is not None:
                out.errors.append(err)
            out.files.append(record or FileResult(rel, "error", "cannot read the file"))
            continue
        sources.append(SourceFile(path, rel, text))
    index = call_index(options)
    holder: list[Scope] = []
    inputs, vars_relevant = var_inputs(real_folder, ctx, holder)
    prefilter = getattr(options, "prefilter", True)  # --parse-all turns it off
    relevant = (not prefilter or vars_relevant or own_relevant(real_folder, sources, ctx.allowed)
                or any(folder_relevant(child, ctx, index) for _n, child in module_calls(real_folder, sources)
                       if ctx.inside(child) and child != real_folder)
                or any(own_relevant(folder, read_module_files(folder, ctx), ctx.allowed)
                       for folder in (m.folder for m in ctx.installed(real_folder).values())))
    if not relevant:
        return _skip_all(sources, out, SKIP_REASON)

    reached = index.reached.get(real_folder) if index.complete else None
    if reached is not None and not _call_parses(reached[1], reached[0], ctx):
        reached = None  # the caller's module block is in a file that does not parse: nobody expands us
    if reached is not None:
        name, caller = reached
        reason = f"analysed as module.{name} of {rel_of(caller)}"
        for f in sources:
            error = parse_error(f.path, f.rel, f.text)
            if error is not None:
                out.errors.append(_parse_error_finding(f.rel, error))
                out.files.append(FileResult(f.rel, "error", error.reason))
            else:
                out.files.append(FileResult(f.rel, "scanned", reason))
        return out

    seeds = eager_files(real_folder, sources, ctx, index, all_files=vars_relevant or not prefilter)
    mod = ModuleSource(ctx, real_folder, sources, lazy=True, eager=seeds)
    ctx.modules[real_folder] = mod
    scope = Scope(ctx, mod, "", inputs, (real_folder,), real_folder)
    holder.append(scope)
    unit = model.Unit(file=rel_of(folder), format="terraform")
    blocks: dict[str, Block] = {}
    extract_scope(scope, unit, set(), blocks)
    unit.path_at = block_path_finder(blocks)
    unit.origin_of = origin_finder(dict(ctx.origins))
    kept = dict(ctx.lines)  # the context lets go of its own when the unit is extracted
    unit.text_at = lambda loc: model.span_text(kept.get(loc.file), loc)
    out.units.append(unit)
    for f in sources:
        if f.rel in mod.failed:
            exc = mod.failed[f.rel]
            out.errors.append(_parse_error_finding(f.rel, exc))
            out.files.append(FileResult(f.rel, "error", exc.reason))
        elif f.rel in mod.pending:
            out.files.append(FileResult(f.rel, "skipped", SKIP_REASON))
        else:
            out.files.append(FileResult(f.rel, "scanned"))
    failed = set(mod.failed)
    out.errors.extend(e for rel, e in ctx.errors.items() if rel not in failed)
    out.errors.extend(budget_error(ctx))
    return out


def origin_finder(origins: dict[str, str]) -> Callable[[str], str | None]:
    """``origin_of(address)`` over the module instances of a unit that terraform init installed: the
    source of the innermost one the address is in, as modules.json names it."""

    def origin_of(address: str) -> str | None:
        if not origins:
            return None
        for head in model.enclosing(address):
            if head in origins:
                return f"{head} is {origins[head]}, as terraform init installed it"
        return None

    return origin_of


def budget_error(ctx: Context) -> list[model.Finding]:
    """One E9500 where an evaluation budget ran out: what was left unevaluated is unknown, and an unknown
    value never produces a finding, so the reader must know that findings may be missing."""
    if ctx.budget_hit is None:
        return []
    return [input_error("the evaluation budget of this module ran out here (it evaluates more expressions, or "
                        "builds longer strings and lists, than lexiam follows): the values past it are unknown and "
                        "findings about them may be missing", ctx.budget_hit)]


def _call_parses(caller: Path, name: str, ctx: Context) -> bool:
    """Whether the caller's ``module "<name>"`` block is in a file that parses (so the caller expands it)."""
    pattern = re.compile(rf'(?m)^module\s+"?{re.escape(name)}"?\s*\{{')
    for f in read_module_files(caller, ctx):  # never through a link out of the scanned tree
        if is_native(f.path.name):
            if pattern.search(f.text):
                return parse_error(f.path, f.rel, f.text) is None
        elif f'"{name}"' in f.text:
            result = parse_cached(f.path, f.rel, f.text)
            if isinstance(result, HclError):
                return False
            if any(b.type == "module" and b.labels[:1] == [name] for b in result.body.blocks):
                return True
    return False


def _parse_error_finding(rel: str, exc: HclError):  # noqa: ANN202 - Finding
    return input_error(f"cannot parse the {exc.syntax}: {exc.reason}", Location(rel, exc.line, exc.column))


def extract_scope(scope: Scope, unit: model.Unit, seen: set[int], blocks: dict[str, Block]) -> None:
    """Extract every resource of a scope (files parsed on the way included), then its local modules;
    ``blocks`` gets the block of each resource, by address."""
    if id(scope) in seen:
        return
    seen.add(id(scope))
    mod = scope.mod
    done = 0
    while done < len(mod.parsed):
        pf = mod.parsed[done]
        done += 1
        unit.suppressions.extend(comment_suppressions(pf, scope.prefix))
        for block in pf.body.blocks:
            if block.type == "resource" and len(block.labels) >= 2:
                address = f"{scope.prefix}{block.labels[0]}.{block.labels[1]}"
                scope.ctx.new_budget()
                repeat = scope.instances(block)
                if not repeat.items or repeat.conditional:
                    # count / for_each not known, or none here: one entity stands for every instance
                    extract_resource(HclView(scope, block, address, conditional=True), unit)
                    blocks.setdefault(address, block)
                    continue
                for inst in repeat.items:  # one entity per instance (or the block, written once)
                    scope.ctx.new_budget()
                    extract_resource(HclView(scope, block, address + inst.suffix, inst, scope.conditional), unit)
                    blocks.setdefault(address + inst.suffix, block)
            elif block.type == "module" and block.labels:
                call = scope.module_call(block.labels[0])
                for _inst, child in call.scopes if call is not None else ():
                    extract_scope(child, unit, seen, blocks)
