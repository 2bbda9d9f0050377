"""``load_module``: the ``.tf`` files of one folder -> one :class:`~lexiam.model.Unit`.

Doing only the work a folder needs:

* A folder whose files (with its auto-loaded ``.tfvars``, the files its ``file()`` calls name, and
  the local modules it calls) never mention Lex nor an ``aws-service-role`` path is skipped before
  any parsing: every rule of the pack needs one of the two (a ``lex:`` action, a Lex service
  principal or resource, a Lex service-linked role, or a role path under ``/aws-service-role/``).
* In a folder that is relevant, the files that are (plus the files that refer to what those
  declare) are parsed; the other files are parsed only when a reference needs a declaration they
  hold (a variable, a local, a resource...).  Files never parsed are reported as skipped.

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

import os
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lexiam import model
from lexiam.contract import SKIP_DIRS, FileResult, LoadOutput, Options, read_text
from lexiam.directives import parse_comment
from lexiam.model import input_error
from lexiam.prefilter import may_match
from lexiam.terraform.evaluate import MAX_MODULE_DEPTH, Context, ModuleSource, Scope, SourceFile, Thunk, parse_error
from lexiam.terraform.extract import HclView, extract_resource
from lexiam.terraform.hcl import HclError, ParsedFile, parse_expression, parse_file
from lexiam.terraform.nodes import Block
from lexiam.terraform.paths import block_path_finder
from lexiam.terraform.types import SELF_DATA
from lexiam.values import Location, Value

# Lex in any spelling a rule looks at (lex:, lexv2, aws_lex*, awscc_lex*, AWSServiceRoleForLex,
# camelCase "...Lex...") but not "complex", "flex", "alexa", "PutLexicon" is accepted (rare).
RELEVANT = re.compile(r"(?i:(?<![a-z])lex)|Lex|(?i:aws-service-role)")
_NEEDLES = ("lex", "aws-service-role")  # every match of RELEVANT holds one, lower-cased
SKIP_REASON = "no Lex or IAM content"

_TOP = re.compile(r"(?m)^(resource|data|module|variable|output|locals|provider|terraform|moved|import|check|removed)\b")
_SOURCE = re.compile(r"""(?m)^[ \t]*source\s*=\s*"([^"]*)\"""")
_FILE_REF = re.compile(r"""\b(?:file|templatefile)\(\s*"(?:\$\{path\.(?:module|root|cwd)\}/)?([^"$]+)\"""")
_DECL = re.compile(r'''^(resource|data)\s+"?([\w-]+)"?\s+"?([\w-]+)"?|^(variable|module)\s+"?([\w-]+)"?''')
_COMMENT_LINES = re.compile(r"(?m)^[ \t]*(?:#|//).*$")
_LOCAL_NAME = re.compile(r"(?m)^[ \t]{1,8}([A-Za-z_][\w-]*)\s*=(?!=)")

# The scan-wide call index gives up (and every folder is then analysed on its own, its local modules
# through it as well) past these: as many .tf files as --max-files lets a scan read by default, so that
# a monorepo of tens of thousands of .tf files still has its module calls resolved once.
MAX_INDEX_FILES = 100_000
MAX_INDEX_ENTRIES = 1_000_000
MAX_REF_FILE_BYTES = 1024 * 1024


def looks_relevant(text: str) -> bool:
    """Cheap pre-parse filter: can this text hold anything a Lex/IAM rule looks at?"""
    return may_match(text, RELEVANT, _NEEDLES)


# --- reading ---------------------------------------------------------------------------------------

def read_module_files(folder: Path, ctx: Context) -> list[SourceFile]:
    """The readable ``.tf`` files of a child module folder (read errors are reported by that folder's
    own scan, or not at all when it is outside it)."""
    out: list[SourceFile] = []
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".tf") and e.is_file()
                       and (not e.is_symlink() or ctx.inside(Path(os.path.realpath(e.path)))))
    except OSError:
        return out
    for name in names:
        path = folder / name
        rel = ctx.rel_of(path)
        text, _err, _rec = read_text(path, rel, ctx.options)
        if text is not None:
            out.append(SourceFile(path, rel, text))
    return out


def _chunks(text: str) -> list[tuple[str, str]]:
    """Top-level block texts: (kind, text from its header to the next top-level header)."""
    starts = [(m.start(), m.group(1)) for m in _TOP.finditer(text)]
    out: list[tuple[str, str]] = []
    for i, (pos, kind) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.append((kind, text[pos:end]))
    return out


def _local_sources(folder: Path, text: str) -> list[tuple[str, Path]]:
    """(module name, resolved folder) of the module blocks of a text whose source is a local path."""
    out: list[tuple[str, Path]] = []
    if "module" not in text or "source" not in text:
        return out
    for kind, chunk in _chunks(text):
        if kind != "module":
            continue
        m = _SOURCE.search(chunk)
        name_m = re.match(r'module\s+"?([\w-]+)"?', chunk)
        if not m or not name_m:
            continue
        src = m.group(1)
        if not (src.startswith("./") or src.startswith("../") or src in (".", "..")):
            continue
        try:
            target = (folder / src).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if target.is_dir():
            out.append((name_m.group(1), target))
    return out


def _referenced_files_relevant(folder: Path, text: str, allowed: list[Path]) -> bool:
    if "file(" not in text:
        return False
    for m in _FILE_REF.finditer(text):
        try:
            path = (folder / m.group(1)).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if not any(path == a or path.is_relative_to(a) for a in allowed):
            continue
        try:
            if path.is_file() and path.stat().st_size <= MAX_REF_FILE_BYTES:
                if looks_relevant(path.read_text(encoding="utf-8", errors="replace")):
                    return True
        except OSError:
            continue
    return False


def _tfvars_paths(folder: Path) -> list[Path]:
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.is_file())
    except OSError:
        return []
    first = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    auto = [n for n in names if n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json")]
    return [folder / n for n in first + auto]


# --- the scan-wide index of local module calls -----------------------------------------------------

@dataclass
class CallIndex:
    complete: bool = True
    own_relevant: dict[Path, bool] = field(default_factory=dict)
    calls: dict[Path, list[tuple[str, Path]]] = field(default_factory=dict)  # caller -> [(name, child)]
    callers: dict[Path, list[tuple[str, Path]]] = field(default_factory=dict)  # child -> [(name, caller)]
    reached: dict[Path, tuple[str, Path]] = field(default_factory=dict)  # child -> (name, an entry caller)
    relevance: dict[Path, bool] = field(default_factory=dict)


_INDEXES: dict[int, tuple[weakref.ref[Options], tuple[Path, ...], CallIndex]] = {}


def _scan_roots(options: Options) -> list[Path]:
    roots = getattr(options, "scan_paths", None) or (options.root,)
    out: list[Path] = []
    for r in roots:
        try:
            p = Path(r).resolve()
        except (OSError, RuntimeError):
            continue
        out.append(p if p.is_dir() else p.parent)
    return out


def call_index(options: Options) -> CallIndex:
    """Which folders of the scan call which local modules (one walk per scan, kept with its options)."""
    roots = tuple(_scan_roots(options))
    key = id(options)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0]() is options and hit[1] == roots:
        return hit[2]
    index = _build_index(roots, options)
    for k in [k for k, v in _INDEXES.items() if v[0]() is None]:
        del _INDEXES[k]
    _INDEXES[key] = (weakref.ref(options), roots, index)
    return index


def prepare(options: Options) -> None:
    """Build the scan's call index now, before ``--jobs`` forks its workers: they inherit it."""
    call_index(options)


def _build_index(roots: tuple[Path, ...], options: Options) -> CallIndex:
    index = CallIndex()
    exclude = getattr(options, "exclude", None)  # what the configuration leaves out of the scan
    files = 0
    entries = 0
    seen: set[Path] = set()
    stack = [r for r in roots]
    while stack:
        d = stack.pop()
        if d in seen:
            continue
        seen.add(d)
        try:
            listing = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        texts: list[str] = []
        for entry in listing:
            entries += 1
            if entries > MAX_INDEX_ENTRIES:
                return CallIndex(complete=False)
            if entry.name in SKIP_DIRS or (exclude is not None and exclude(Path(entry.path))):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.name.endswith(".tf") and entry.is_file():
                    if entry.is_symlink() and not _inside(Path(os.path.realpath(entry.path)), roots):
                        continue  # a link out of the scanned tree is never read
                    files += 1
                    if files > MAX_INDEX_FILES:
                        return CallIndex(complete=False)
                    if entry.stat().st_size <= options.max_file_bytes:
                        with open(entry.path, encoding="utf-8", errors="replace") as fh:
                            texts.append(fh.read())
            except OSError:
                continue
        if not texts:
            continue
        folder = d.resolve()
        whole = "\n".join(texts)
        index.own_relevant[folder] = looks_relevant(whole)
        for name, child in _local_sources(folder, whole):
            index.calls.setdefault(folder, []).append((name, child))
            index.callers.setdefault(child, []).append((name, folder))
    # folders reached from an entry (a folder nobody calls), within the module depth we expand
    entries_ = sorted(f for f in index.own_relevant if f not in index.callers)
    for entry in entries_:
        frontier = [(entry, 0)]
        while frontier:
            folder, depth = frontier.pop()
            if depth >= MAX_MODULE_DEPTH:
                continue
            for name, child in index.calls.get(folder, []):
                if child == entry or child in index.reached or not _inside(child, roots):
                    continue
                index.reached[child] = (name, folder)
                frontier.append((child, depth + 1))
    return index


def _inside(path: Path, roots: tuple[Path, ...] | list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def folder_relevant(folder: Path, ctx: Context, index: CallIndex, stack: tuple[Path, ...] = ()) -> bool:
    """A folder is relevant when its own text is, or a local module it calls is (recursively)."""
    if folder in index.relevance:
        return index.relevance[folder]
    own = index.own_relevant.get(folder)
    children: list[tuple[str, Path]]
    if own is None or not index.complete:
        texts = []
        for f in read_module_files(folder, ctx):
            texts.append(f.text)
        whole = "\n".join(texts)
        own = looks_relevant(whole) or _referenced_files_relevant(folder, whole, ctx.allowed)
        children = _local_sources(folder, whole)
    else:
        children = index.calls.get(folder, [])
    result = own
    if not result and len(stack) < MAX_MODULE_DEPTH:
        for _name, child in children:
            if child in stack or child == folder or not ctx.inside(child):
                continue
            if folder_relevant(child, ctx, index, (*stack, folder)):
                result = True
                break
    index.relevance[folder] = result
    return result


# --- variables -------------------------------------------------------------------------------------

def _var_inputs(folder: Path, ctx: Context, holder: list[Scope]) -> tuple[dict[str, Thunk], bool]:
    """The root module's variable values: auto-loaded tfvars, --var-file, --var (later wins).
    Returns them as thunks evaluated in the root scope, and whether any of them mention Lex."""
    inputs: dict[str, Thunk] = {}
    relevant = False
    options = ctx.options

    def from_file(path: Path) -> None:
        nonlocal relevant
        rel = ctx.rel_of(path)
        text, err, _rec = read_text(path, rel, options)
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
    from lexiam import positioned
    from lexiam.policy import literal_tree

    try:
        tree, _dups = positioned.load(text, rel, max_nodes=ctx.options.max_nodes, max_depth=ctx.options.max_depth)
    except positioned.LoadError as exc:
        ctx.input_error(f"cannot parse the variable file: {exc.reason}", Location(rel, exc.line, exc.column))
        return
    if not isinstance(tree, positioned.PMap):
        return
    ctx.lines[rel] = text.splitlines()
    for name, node in tree.items():
        converted = literal_tree(node, [])
        inputs[name] = (lambda c=converted: c)


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
    ctx = Context(options, rel_of, [*_scan_roots(options), real_folder])
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
        text, err, record = read_text(path, rel, options)
        if text is None:
            if err is not None:
                out.errors.append(err)
            out.files.append(record or FileResult(rel, "error", "cannot read the file"))
            continue
        sources.append(SourceFile(path, rel, text))
    index = call_index(options)
    holder: list[Scope] = []
    inputs, vars_relevant = _var_inputs(real_folder, ctx, holder)
    whole = "\n".join(f.text for f in sources)
    prefilter = getattr(options, "prefilter", True)  # --parse-all turns it off
    relevant = (not prefilter or looks_relevant(whole) or vars_relevant
                or _referenced_files_relevant(real_folder, whole, ctx.allowed)
                or any(folder_relevant(child, ctx, index) for _n, child in _local_sources(real_folder, whole)
                       if ctx.inside(child) and child != real_folder))
    if not relevant:
        return _skip_all(sources, out, SKIP_REASON)

    reached = index.reached.get(real_folder) if index.complete else None
    if reached is not None and not _call_parses(reached[1], reached[0], rel_of):
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

    seeds = _seeds(real_folder, sources, ctx, index, all_files=vars_relevant or not prefilter)
    mod = ModuleSource(ctx, real_folder, sources, lazy=True, eager=seeds)
    ctx.modules[real_folder] = mod
    scope = Scope(ctx, mod, "", inputs, (real_folder,), real_folder)
    holder.append(scope)
    unit = model.Unit(file=rel_of(folder), format="terraform")
    blocks: dict[str, Block] = {}
    extract_scope(scope, unit, set(), blocks)
    unit.path_at = block_path_finder(blocks)
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
    return out


def _call_parses(caller: Path, name: str, rel_of: Callable[[Path], str]) -> bool:
    """Whether the caller's ``module "<name>"`` block is in a file that parses (so the caller expands it)."""
    pattern = re.compile(rf'(?m)^module\s+"?{re.escape(name)}"?\s*\{{')
    try:
        paths = sorted(p for p in caller.iterdir() if p.name.endswith(".tf") and p.is_file())
    except OSError:
        return False
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if pattern.search(text):
            return parse_error(path, rel_of(path), text) is None
    return False


def _parse_error_finding(rel: str, exc: HclError):  # noqa: ANN202 - Finding
    return input_error(f"cannot parse the HCL: {exc.reason}", Location(rel, exc.line, exc.column))


def _seeds(folder: Path, sources: list[SourceFile], ctx: Context, index: CallIndex, all_files: bool) -> set[str]:
    """The files parsed up front: those that mention Lex (or name a relevant file or module), and,
    transitively, those that refer to what a relevant block of theirs declares."""
    if all_files:
        return {f.rel for f in sources}
    seeds: set[str] = set()
    for f in sources:
        if looks_relevant(f.text) or _referenced_files_relevant(folder, f.text, ctx.allowed):
            seeds.add(f.rel)
            continue
        for _name, child in _local_sources(folder, f.text):
            if child != folder and ctx.inside(child) and folder_relevant(child, ctx, index):
                seeds.add(f.rel)
                break
    frontier = set(seeds)
    for _round in range(4):
        names: set[str] = set()
        for f in sources:
            if f.rel in frontier:
                names |= _declared_names(f.text)
        if not names:
            break
        pattern = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")(?![\w-])")
        frontier = {f.rel for f in sources if f.rel not in seeds and pattern.search(f.text)}
        if not frontier:
            break
        seeds |= frontier
    return seeds


def _declared_names(text: str) -> set[str]:
    """What the relevant top-level blocks of a file declare, as references are written."""
    names: set[str] = set()
    for kind, chunk in _chunks(text):
        if not looks_relevant(_COMMENT_LINES.sub("", chunk)):
            continue
        if kind == "locals":
            names.update(f"local.{n}" for n in _LOCAL_NAME.findall(chunk))
            continue
        m = _DECL.match(chunk)
        if not m:
            continue
        if m.group(1) == "resource":
            names.add(f"{m.group(2)}.{m.group(3)}")
        elif m.group(1) == "data" and m.group(2) not in SELF_DATA:
            names.add(f"data.{m.group(2)}.{m.group(3)}")
        elif m.group(4) == "variable":
            names.add(f"var.{m.group(5)}")
        elif m.group(4) == "module":
            names.add(f"module.{m.group(5)}")
    return names


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
                extract_resource(HclView(scope, block, address), unit)
                blocks.setdefault(address, block)
            elif block.type == "module" and block.labels:
                child = scope.child(block.labels[0])
                if child is not None:
                    extract_scope(child, unit, seen, blocks)
