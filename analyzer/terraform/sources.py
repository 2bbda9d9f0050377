"""The files of one module folder: reading them, parsing each once per process, and finding a
declaration (a variable, a local, a resource...) without parsing every file up front.

A module is every file of its folder that the Terraform front end claims or that a front end joining
it claims (:func:`lexiam.contract.members`): ``.tf`` files are parsed here, the files of a joining
front end (Terraform JSON syntax) by that front end's ``parse_file``, asked of the contract by the
file's name.  Both give the same nodes.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lexiam import contract
from lexiam.contract import read_bytes, read_text
from lexiam.terraform.hcl import HclError, ParsedFile, parse_file

if TYPE_CHECKING:
    from lexiam.contract import FileResult, Options
    from lexiam.model import Finding
    from lexiam.terraform.nodes import Attribute, Block
    from lexiam.values import Location


class Reader(Protocol):
    """What reading a module's files needs of the scan unit (:class:`lexiam.terraform.context.Context`)."""

    options: Options
    rel_of: Callable[[Path], str]
    lines: dict[str, list[str]]  # report path -> the lines of every file parsed

    def inside(self, path: Path) -> bool: ...

    def input_error(self, message: str, loc: Location) -> None: ...


FRONT_END = "terraform"  # this front end's row in lexiam.contract.FRONT_ENDS


def _claimant(name: str) -> contract.FrontEnd | None:
    """The front end of the module whose file this is: Terraform's own, one that joins it, or None."""
    claim = contract.claimants(name)
    if claim and (claim[0].name == FRONT_END or claim[0].joins == FRONT_END):
        return claim[0]
    return None


def is_member(name: str) -> bool:
    """Whether a file of this name is part of the module of its folder (``.tf``, ``.tf.json``)."""
    return _claimant(name) is not None


def is_native(name: str) -> bool:
    """Whether a file is in Terraform's native syntax (HCL): the text searches of the front end
    (declarations, module sources) are written for it; the files of other syntaxes are parsed instead."""
    fe = _claimant(name)
    return fe is not None and fe.name == FRONT_END


def _parser(name: str) -> Callable[[str, str], ParsedFile]:
    fe = _claimant(name)
    if fe is None or fe.name == FRONT_END:
        return parse_file
    return contract.module_of(fe).parse_file  # type: ignore[no-any-return]


# report path -> (text, parse): a file reached under two spellings of its path (a child module read
# through its caller's resolved ``source``, and found by the walk) is still parsed once.  Bounded by
# the source text it holds (a parse takes some 20 times the memory of its text, so about 3 MB): enough
# for a caller and its children.
_PARSE_CACHE: dict[str, tuple[str, ParsedFile | HclError]] = {}
_PARSE_CACHE_MAX = 256
_PARSE_CACHE_TEXT = 128 * 1024
_cached_text = 0
# report path -> (digest of the text, its parse error or None), for every file parsed in this process:
# a child module's own task only asks whether its files parse, which its caller's task already knew.
_OUTCOMES: dict[str, tuple[bytes, HclError | None]] = {}


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def parse_cached(path: Path, rel: str, text: str) -> ParsedFile | HclError:
    """Parse a file once per process (a child module may be reached from several callers).  The parse
    depends on the text and the report path only; a text that changed is parsed again."""
    global _cached_text
    hit = _PARSE_CACHE.get(rel)
    if hit is not None and hit[0] == text:
        return hit[1]
    try:
        result: ParsedFile | HclError = _parser(path.name)(text, rel)
    except HclError as exc:
        # kept for the report: without this, its traceback and the parser's exception it replaced would
        # keep every frame of the parse (and its tree) alive
        result = exc.with_traceback(None)
        result.__context__ = result.__cause__ = None
    _OUTCOMES[rel] = (_digest(text), result if isinstance(result, HclError) else None)
    if hit is not None:
        _cached_text -= len(_PARSE_CACHE.pop(rel)[0])
    while _PARSE_CACHE and (len(_PARSE_CACHE) >= _PARSE_CACHE_MAX or _cached_text + len(text) > _PARSE_CACHE_TEXT):
        _cached_text -= len(_PARSE_CACHE.pop(next(iter(_PARSE_CACHE)))[0])
    _PARSE_CACHE[rel] = (text, result)
    _cached_text += len(text)
    return result


def parse_error(path: Path, rel: str, text: str) -> HclError | None:
    """Why a file does not parse (None: it parses), without keeping or rebuilding its tree when this
    process has parsed the same text before."""
    known = _OUTCOMES.get(rel)
    if known is not None and known[0] == _digest(text):
        return known[1]
    result = parse_cached(path, rel, text)
    return result if isinstance(result, HclError) else None


def read_source(path: Path, rel: str, options: Options) -> tuple[str | None, Finding | None, FileResult | None]:
    """A Terraform file's text, as :func:`lexiam.contract.read_text` reads it, except that NUL bytes are
    text: Terraform reads them (in a comment, in a string), so a NUL byte must not make a ``.tf`` file
    vanish as "binary" with its findings.  What is not UTF-8 stays an E9500 at the first bad byte."""
    text, error, record = read_text(path, rel, options, _always)
    if text is None and error is not None and "NUL byte" in error.message:
        try:
            data = read_bytes(path, options.max_file_bytes)
            if len(data) <= options.max_file_bytes:
                return data.decode("utf-8").removeprefix("\ufeff"), None, None
        except (OSError, UnicodeDecodeError):
            pass
    return text, error, record


def _always(_text: str) -> bool:
    return True  # a file of a Terraform module is one by its name


class SourceFile:
    __slots__ = ("path", "rel", "text")

    def __init__(self, path: Path, rel: str, text: str) -> None:
        self.path = path
        self.rel = rel
        self.text = text


def read_module_files(folder: Path, reader: Reader) -> list[SourceFile]:
    """The readable files of a child module folder (read errors are reported by that folder's
    own scan, or not at all when it is outside it)."""
    out: list[SourceFile] = []
    try:
        names = sorted(e.name for e in os.scandir(folder) if is_member(e.name) and e.is_file()
                       and (not e.is_symlink() or reader.inside(Path(os.path.realpath(e.path)))))
    except OSError:
        return out
    for name in names:
        path = folder / name
        rel = reader.rel_of(path)
        text, _err, _rec = read_source(path, rel, reader.options)
        if text is not None:
            out.append(SourceFile(path, rel, text))
    return out


def _decl_pattern(kind: str, *labels: str) -> re.Pattern[str]:
    parts = r"\s+".join(rf'"?{re.escape(label)}"?' for label in labels)
    return re.compile(rf"(?m)^[ \t]*{kind}\s+{parts}\s*\{{")


class ModuleSource:
    """The declarations of one folder's ``.tf`` files.  With ``lazy``, only the files asked for are
    parsed up front; a declaration looked up and not found is searched for in the others (a cheap
    text search, then a parse of the file that has it).  ``reader.lines`` gets the lines of every file
    parsed."""

    def __init__(self, reader: Reader, folder: Path, files: list[SourceFile], lazy: bool,
                 eager: set[str] | None = None) -> None:
        self.reader = reader
        self.folder = folder
        self.parsed: list[ParsedFile] = []
        self.failed: dict[str, HclError] = {}
        self.pending: dict[str, SourceFile] = {}
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.modules: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self._misses: set[tuple[str, ...]] = set()
        for f in files:
            # the declarations of a file in another syntax (Terraform JSON) cannot be searched as text
            if not lazy or (eager is not None and f.rel in eager) or not is_native(f.path.name):
                self._parse(f)
            else:
                self.pending[f.rel] = f

    def _parse(self, f: SourceFile) -> None:
        self.pending.pop(f.rel, None)
        result = parse_cached(f.path, f.rel, f.text)
        if isinstance(result, HclError):
            self.failed[f.rel] = result
            return
        self.reader.lines[f.rel] = result.lines
        for message, loc in result.problems:
            self.reader.input_error(message, loc)
        self.parsed.append(result)
        for block in result.body.blocks:
            labels = block.labels
            if block.type == "variable" and labels:
                self.variables.setdefault(labels[0], block)
            elif block.type == "locals":
                for name, attr in block.body.attrs.items():
                    self.locals.setdefault(name, attr)
            elif block.type == "resource" and len(labels) >= 2:
                self.resources.setdefault((labels[0], labels[1]), block)
            elif block.type == "data" and len(labels) >= 2:
                self.data.setdefault((labels[0], labels[1]), block)
            elif block.type == "module" and labels:
                self.modules.setdefault(labels[0], block)
            elif block.type == "output" and labels:
                self.outputs.setdefault(labels[0], block)

    def release(self) -> None:
        for table in (self.failed, self.pending, self.variables, self.locals, self.resources, self.data,
                      self.modules, self.outputs):
            table.clear()
        self.parsed.clear()

    def _search(self, key: tuple[str, ...], patterns: list[re.Pattern[str]]) -> None:
        if not self.pending or key in self._misses:
            return
        for f in list(self.pending.values()):
            if all(p.search(f.text) for p in patterns):
                self._parse(f)
                return
        self._misses.add(key)

    def variable(self, name: str) -> Block | None:
        if name not in self.variables:
            self._search(("variable", name), [_decl_pattern("variable", name)])
        return self.variables.get(name)

    def local(self, name: str) -> Attribute | None:
        if name not in self.locals:
            self._search(("local", name), [re.compile(r"(?m)^[ \t]*locals\s*\{"),
                                           re.compile(rf"(?m)^[ \t]*{re.escape(name)}\s*=")])
        return self.locals.get(name)

    def resource(self, type_: str, name: str) -> Block | None:
        key = (type_, name)
        if key not in self.resources:
            self._search(("resource", type_, name), [_decl_pattern("resource", type_, name)])
        return self.resources.get(key)

    def data_source(self, type_: str, name: str) -> Block | None:
        key = (type_, name)
        if key not in self.data:
            self._search(("data", type_, name), [_decl_pattern("data", type_, name)])
        return self.data.get(key)

    def module_call(self, name: str) -> Block | None:
        if name not in self.modules:
            self._search(("module", name), [_decl_pattern("module", name)])
        return self.modules.get(name)

    def output(self, name: str) -> Block | None:
        if name not in self.outputs:
            self._search(("output", name), [_decl_pattern("output", name)])
        return self.outputs.get(name)


# --- modules installed by terraform init -----------------------------------------------------------

class Installed:
    """A module call's folder as ``terraform init`` installed it, and the source it came from as
    ``modules.json`` names it (``registry.terraform.io/example/lexbot/aws 1.0.0``)."""

    __slots__ = ("folder", "source")

    def __init__(self, folder: Path, source: str) -> None:
        self.folder = folder
        self.source = source


MAX_SOURCE_TEXT = 200  # characters of a module's source shown in a finding's message


def installed_modules(root: Path, reader: Reader) -> dict[str, Installed]:
    """The module folders ``terraform init`` installed for a root module, by module key (``bot``,
    ``bot.child``), from ``.terraform/modules/modules.json``: only folders inside the root module's own
    folder (``.terraform`` is there), never through a link out of it; {} without the file."""
    import json

    try:
        top = root.resolve()
        path = root / ".terraform" / "modules" / "modules.json"
        if not path.is_file() or not path.resolve().is_relative_to(top):
            return {}
    except (OSError, RuntimeError):
        return {}
    text, _err, _rec = read_text(path, reader.rel_of(path), reader.options)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    out: dict[str, Installed] = {}
    for entry in data.get("Modules", []) if isinstance(data, dict) else []:
        if not isinstance(entry, dict):
            continue
        key, folder = entry.get("Key"), entry.get("Dir")
        if not isinstance(key, str) or not key or not isinstance(folder, str):
            continue
        try:
            real = (root / folder).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if real.is_dir() and real.is_relative_to(top) and real != top:
            source = entry.get("Source")
            version = entry.get("Version")
            text = " ".join(x for x in (source, version) if isinstance(x, str) and x) or "a module"
            if len(text) > MAX_SOURCE_TEXT:
                text = text[:MAX_SOURCE_TEXT - 3] + "..."
            out[key] = Installed(real, text)
    return out
