"""Which Terraform folders need parsing at all, and which folders of the scan call which local modules.

* A folder whose files (with its auto-loaded ``.tfvars``, the files its ``file()`` calls name, and
  the local modules it calls) never mention Lex nor an ``aws-service-role`` path is skipped before
  any parsing: every rule of the pack needs one of the two (a ``lex:`` action, a Lex service
  principal or resource, a Lex service-linked role, or a role path under ``/aws-service-role/``).
* In a folder that is relevant, the files that are (plus the files that refer to what those
  declare) are parsed up front (:func:`seeds`).
* The call index (:func:`call_index`, built once per scan by :func:`prepare`) records the local
  module calls of every folder of the scan, so that a child module is analysed through its caller.

All of this reads text, never a parse.
"""

from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lexiam.contract import SKIP_DIRS, Options, relative
from lexiam.prefilter import may_match
from lexiam.terraform.hcl import ParsedFile
from lexiam.terraform.nodes import Chunk, Template
from lexiam.terraform.sources import SourceFile, is_member, is_native, parse_cached, read_module_files
from lexiam.terraform.tfvalues import MAX_MODULE_DEPTH
from lexiam.terraform.types import SELF_DATA

if TYPE_CHECKING:
    from lexiam.terraform.context import Context

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


def _chunks(text: str) -> list[tuple[str, str]]:
    """Top-level block texts: (kind, text from its header to the next top-level header)."""
    starts = [(m.start(), m.group(1)) for m in _TOP.finditer(text)]
    out: list[tuple[str, str]] = []
    for i, (pos, kind) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.append((kind, text[pos:end]))
    return out


def _local_target(folder: Path, src: str) -> Path | None:
    """The folder a module ``source`` names when it is a local path (else None)."""
    if not (src.startswith("./") or src.startswith("../") or src in (".", "..")):
        return None
    try:
        target = (folder / src).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return target if target.is_dir() else None


def local_sources(folder: Path, text: str) -> list[tuple[str, Path]]:
    """(module name, resolved folder) of the module blocks of an HCL text whose source is a local path."""
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
        target = _local_target(folder, m.group(1))
        if target is not None:
            out.append((name_m.group(1), target))
    return out


def _parsed(f: SourceFile) -> ParsedFile | None:
    result = parse_cached(f.path, f.rel, f.text)
    return result if isinstance(result, ParsedFile) else None


def module_calls(folder: Path, files: list[SourceFile]) -> list[tuple[str, Path]]:
    """(module name, resolved folder) of the local module calls of a module's files: HCL files are
    searched as text, files in another syntax (Terraform JSON) are parsed."""
    out = local_sources(folder, "\n".join(f.text for f in files if is_native(f.path.name)))
    for f in files:
        if is_native(f.path.name) or "module" not in f.text:
            continue
        pf = _parsed(f)
        for block in pf.body.blocks if pf is not None else ():
            attr = block.body.attrs.get("source") if block.type == "module" and block.labels else None
            if attr is None or not isinstance(attr.expr, Template) or len(attr.expr.parts) != 1:
                continue
            part = attr.expr.parts[0]
            target = _local_target(folder, part.text) if isinstance(part, Chunk) else None
            if target is not None:
                out.append((block.labels[0], target))
    return out


def own_relevant(folder: Path, files: list[SourceFile], allowed: list[Path] | None) -> bool:
    """Whether a module's own files can matter to a rule (``allowed``: the files that ``file()`` names
    are looked at too when they are inside these folders; None: not looked at)."""
    native = "\n".join(f.text for f in files if is_native(f.path.name))
    if looks_relevant(native) or (allowed is not None and referenced_files_relevant(folder, native, allowed)):
        return True
    return any(_other_syntax_relevant(f.text) for f in files if not is_native(f.path.name))


def _other_syntax_relevant(text: str) -> bool:
    """The test for a file in another syntax (Terraform JSON): a ``\\u`` escape may spell "lex" and the
    ``file()`` names are escaped differently, so a text holding either is parsed."""
    return looks_relevant(text) or "\\u" in text or "file(" in text


def referenced_files_relevant(folder: Path, text: str, allowed: list[Path]) -> bool:
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


# --- the scan-wide index of local module calls -----------------------------------------------------

@dataclass
class CallIndex:
    complete: bool = True
    own_relevant: dict[Path, bool] = field(default_factory=dict)
    calls: dict[Path, list[tuple[str, Path]]] = field(default_factory=dict)  # caller -> [(name, child)]
    callers: dict[Path, list[tuple[str, Path]]] = field(default_factory=dict)  # child -> [(name, caller)]
    reached: dict[Path, tuple[str, Path]] = field(default_factory=dict)  # child -> (name, an entry caller)
    relevance: dict[Path, bool] = field(default_factory=dict)
    size: dict[Path, int] = field(default_factory=dict)  # folder -> characters of its module's files


_INDEXES: dict[int, tuple[weakref.ref[Options], tuple[Path, ...], CallIndex]] = {}


def scan_roots(options: Options) -> list[Path]:
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
    roots = tuple(scan_roots(options))
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
        texts: list[SourceFile] = []
        for entry in listing:
            entries += 1
            if entries > MAX_INDEX_ENTRIES:
                return CallIndex(complete=False)
            if entry.name in SKIP_DIRS or (exclude is not None and exclude(Path(entry.path))):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif is_member(entry.name) and entry.is_file():
                    if entry.is_symlink() and not _inside(Path(os.path.realpath(entry.path)), roots):
                        continue  # a link out of the scanned tree is never read
                    files += 1
                    if files > MAX_INDEX_FILES:
                        return CallIndex(complete=False)
                    if entry.stat().st_size <= options.max_file_bytes:
                        with open(entry.path, encoding="utf-8", errors="replace") as fh:
                            path = d / entry.name
                            texts.append(SourceFile(path, relative(path, options.root), fh.read()))
            except OSError:
                continue
        if not texts:
            continue
        folder = d.resolve()
        index.own_relevant[folder] = own_relevant(folder, texts, None)
        index.size[folder] = sum(len(f.text) for f in texts)
        for name, child in module_calls(folder, texts):
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


def folder_weight(folder: Path, options: Options) -> int | None:
    """An estimate of the work of a folder's module for ``--jobs``, from the call index: the characters of
    its files when its own text can matter or it calls or is called as a local module, else 0 (None: not
    in the index, weigh it otherwise).  Only a guess: a folder weighed 0 is still analysed, here."""
    index = call_index(options)
    if not index.complete:
        return None
    try:
        key = folder.resolve()
    except (OSError, RuntimeError):
        return None
    size = index.size.get(key)
    if size is None:
        return None
    return size if index.own_relevant.get(key) or key in index.calls or key in index.callers else 0


def _inside(path: Path, roots: tuple[Path, ...] | list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def folder_relevant(folder: Path, ctx: Context, index: CallIndex, stack: tuple[Path, ...] = ()) -> bool:
    """A folder is relevant when its own text is, or a local module it calls is (recursively)."""
    if folder in index.relevance:
        return index.relevance[folder]
    own = index.own_relevant.get(folder)
    children: list[tuple[str, Path]]
    if own is None or not index.complete:
        files = read_module_files(folder, ctx)
        own = own_relevant(folder, files, ctx.allowed)
        children = module_calls(folder, files)
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


def eager_files(folder: Path, sources: list[SourceFile], ctx: Context, index: CallIndex, all_files: bool) -> set[str]:
    """The files parsed up front: those that mention Lex (or name a relevant file or module), and,
    transitively, those that refer to what a relevant block of theirs declares.  A file in another
    syntax than HCL (Terraform JSON) is always parsed: the text searches are written for HCL."""
    if all_files:
        return {f.rel for f in sources}
    seeds: set[str] = set()
    for f in sources:
        if (not is_native(f.path.name) or looks_relevant(f.text)
                or referenced_files_relevant(folder, f.text, ctx.allowed)):
            seeds.add(f.rel)
            continue
        for _name, child in module_calls(folder, [f]):
            if child != folder and ctx.inside(child) and folder_relevant(child, ctx, index):
                seeds.add(f.rel)
                break
    frontier = set(seeds)
    for _round in range(4):
        names: set[str] = set()
        for f in sources:
            if f.rel in frontier:
                names |= _declared_names(f.text) if is_native(f.path.name) else _parsed_names(f)
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


def _parsed_names(f: SourceFile) -> set[str]:
    """What a file in another syntax declares (every top-level declaration), as references are written."""
    pf = _parsed(f)
    names: set[str] = set()
    for block in pf.body.blocks if pf is not None else ():
        labels = block.labels
        if block.type == "resource" and len(labels) >= 2:
            names.add(f"{labels[0]}.{labels[1]}")
        elif block.type == "data" and len(labels) >= 2 and labels[0] not in SELF_DATA:
            names.add(f"data.{labels[0]}.{labels[1]}")
        elif block.type in ("variable", "module") and labels:
            names.add(f"{'var' if block.type == 'variable' else 'module'}.{labels[0]}")
        elif block.type == "locals":
            names.update(f"local.{n}" for n in block.body.attrs)
    return names
