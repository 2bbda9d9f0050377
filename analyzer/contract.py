"""The contract between the engine and the front ends: the scan options, what a load gives back, how a
file is read, and the table of front ends.

Both sides import this module and nothing of each other: a front end never imports the engine, the
engine never imports a front end.  The engine asks :data:`FRONT_ENDS` which front end claims a file and
loads that front end's module by name (:func:`module_of`), as the table says.

A front end is a package that provides, for ``unit = "file"``::

    looks_like(text) -> bool       # is this text one of ours? (decides whether undecodable bytes are an error)
    load_file(path, rel, text, options) -> LoadOutput | None   # None: not ours after all, ask the next one

and for ``unit = "folder"`` (every claimed file of a folder is one unit, as Terraform reads a module)::

    load_folder(folder, names, rel_of, options) -> LoadOutput

Optional: ``prepare(options)`` (scan-wide work, done once before ``--jobs`` forks its workers),
``folder_weight(folder, options)`` (a folder front end's estimate of a folder's work for ``--jobs``, from
what ``prepare`` read; None: the engine weighs the files) and ``warm_up()`` (import what the workers
should share).  A front end with ``joins`` set contributes its
files to the units of another folder front end and provides ``parse_file(text, rel)`` for it.
"""

from __future__ import annotations

import functools
import importlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from lexiam.model import FileResult, Finding, Suppression, Unit, input_error
from lexiam.values import Location

__all__ = ["FRONT_ENDS", "FileResult", "FrontEnd", "LineCounter", "LoadOutput", "Options", "SKIP_DIRS", "claimants", "decode",
           "module_of", "read_bytes", "read_text", "relative"]

# Folders a walk never enters: version control, vendored code, tool caches.
SKIP_DIRS = frozenset({".git", "node_modules", ".terraform", ".hg", ".svn", "__pycache__", ".tox", ".venv", "cdk.out.tmp"})


@dataclass(frozen=True, slots=True)
class FrontEnd:
    """One row of the table of front ends."""

    name: str
    module: str  # the package that implements it (imported when a file of it is loaded)
    suffixes: tuple[str, ...]  # lower-case name endings it claims in a folder walk (the longest match wins)
    unit: str  # "file": one unit per file; "folder": the claimed files of a folder are one unit
    cost: int  # estimated microseconds of one core per byte parsed (for --jobs)
    named: tuple[str, ...] = ()  # endings it reads only when named on the command line (variable files)
    joins: str | None = None  # the folder front end whose units its files join


FRONT_ENDS: tuple[FrontEnd, ...] = (
    # A plan is JSON too: asked before CloudFormation, it declines what is not a plan.
    FrontEnd("terraform-plan", "lexiam.terraform.plan", (".json",), "file", 1),
    FrontEnd("cloudformation", "lexiam.cloudformation", (".yaml", ".yml", ".json", ".template", ".cfn"), "file", 1),
    # python-hcl2's parser is about five times slower per byte than libyaml and the CloudFormation extraction
    FrontEnd("terraform", "lexiam.terraform", (".tf",), "folder", 5, named=(".tfvars", ".tfvars.json")),
    FrontEnd("terraform-json", "lexiam.terraform_json", (".tf.json",), "folder", 1, joins="terraform"),
)


def _ending(name: str, ends: tuple[str, ...]) -> int:
    """The length of the longest ending of ``ends`` that ``name`` has (0: none)."""
    return max((len(e) for e in ends if name.endswith(e)), default=0)


def claimants(name: str, named: bool = False) -> list[FrontEnd]:
    """The front ends that claim a file name, in the order they are asked: those with the longest
    matching ending, in table order (``x.tf.json`` is Terraform JSON's, not CloudFormation's)."""
    low = name.lower()
    # Every ending of the table is "." and at most two dotted parts (a test holds it to that), so only
    # the name's tail from its second-to-last dot (or its last, or none) can match one: that tail
    # decides, and a tree of a thousand main.tf files asks the table once.
    last = low.rfind(".")
    second = low.rfind(".", 0, last) if last > 0 else -1
    return list(_claimants(low[second if second >= 0 else last:] if last >= 0 else "", named))


@functools.lru_cache(maxsize=1024)
def _claimants(tail: str, named: bool) -> tuple[FrontEnd, ...]:
    scored = [(_ending(tail, fe.suffixes + (fe.named if named else ())), fe) for fe in FRONT_ENDS]
    best = max((s for s, _ in scored), default=0)
    return tuple(fe for s, fe in scored if s and s == best)


def by_name(name: str) -> FrontEnd:
    return next(fe for fe in FRONT_ENDS if fe.name == name)


def module_of(fe: FrontEnd) -> ModuleType:
    return importlib.import_module(fe.module)


def members(folder_front_end: str) -> list[FrontEnd]:
    """The front ends whose files join the units of a folder front end (itself first)."""
    return [fe for fe in FRONT_ENDS if fe.name == folder_front_end or fe.joins == folder_front_end]


@dataclass
class Options:
    account_id: str | None = None
    region: str | None = None
    ignore: frozenset[str] = frozenset()  # rule IDs or prefixes not to report (--ignore, the configuration)
    select: frozenset[str] | None = None  # --select: only these rule IDs or prefixes (None: every rule)
    # a configuration read in restricted mode: findings its ignore / select cover are kept, marked suppressed
    visible_ignore: frozenset[str] = frozenset()
    visible_select: frozenset[str] | None = None
    tf_vars: dict[str, str] = field(default_factory=dict)
    tf_var_files: tuple[Path, ...] = ()
    inline_ignores: bool = True
    prefilter: bool = True  # skip files with no Lex/IAM content before parsing them
    max_file_bytes: int = 5 * 1024 * 1024
    max_files: int = 100_000
    # CloudFormation takes templates of 1 MB at most (from S3; "Understand CloudFormation quotas",
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): even as dense
    # JSON that is fewer than 500,000 nodes.  A million nodes peak at some 250 MB (5 MiB of "0,0,...").
    max_nodes: int = 1_000_000
    max_depth: int = 256
    jobs: int = 1
    root: Path = field(default_factory=Path.cwd)
    exclude: Callable[[Path], bool] | None = None  # a path excluded by the configuration
    severity: dict[str, str] = field(default_factory=dict)  # rule ID or prefix -> severity override
    progress: Callable[[int, int], None] | None = None  # (done, total) while loading files
    # the paths given to scan(): front ends use them to tell what is part of this scan (Terraform:
    # a local module called by a scanned folder is analysed through that caller only)
    scan_paths: tuple[Path, ...] = ()

    @property
    def pins(self) -> dict[str, str]:
        pins: dict[str, str] = {}
        if self.account_id:
            pins["account"] = self.account_id
        if self.region:
            pins["region"] = self.region
        return pins


@dataclass
class LoadOutput:
    units: list[Unit] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)  # E9500 findings
    files: list[FileResult] = field(default_factory=list)
    # suppressions written in files that gave no unit (a template that failed to parse keeps none)
    suppressions: list[Suppression] = field(default_factory=list)
    # what the user must know of how a file was read: a construct not analysed, never dropped silently
    # ("file:line: why"); they reach stderr and SARIF's toolExecutionNotifications
    notices: list[str] = field(default_factory=list)

    def extend(self, other: LoadOutput) -> None:
        self.units.extend(other.units)
        self.errors.extend(other.errors)
        self.files.extend(other.files)
        self.suppressions.extend(other.suppressions)
        self.notices.extend(other.notices)


def relative(path: Path, root: Path) -> str:
    """A path for reports: relative to the scan root when below it, POSIX separators."""
    text, top = os.fspath(path), os.fspath(root)
    if not os.path.isabs(text) and os.path.isabs(top):
        text = os.path.join(os.getcwd(), text)  # as relpath reads it
    # the common case without os.path.relpath's two abspath calls: a path spelled from the root itself,
    # with nothing a normalisation would change below it (no "." or ".." step, no doubled separator)
    below = text[len(top) + 1:]
    if (text.startswith(top) and text[len(top):len(top) + 1] == os.sep and top != os.sep and ".." not in top
            and below and os.sep + "." not in os.sep + below and os.sep * 2 not in below
            and not below.endswith(os.sep)):
        return below.replace(os.sep, "/")
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        rel = str(path)
    if rel.startswith(".."):
        rel = str(path.resolve())
    return rel.replace(os.sep, "/")


# --- reading files -----------------------------------------------------------------------------

class LineCounter:
    """The 1-based line and column of offsets into one text, asked in increasing order: lines end at line
    feeds (as :func:`split_lines` has them) and each character is read once, where counting from the start
    for every offset is quadratic in a file of many comments.  ``start`` is the offset at which the line
    of the last offset asked begins."""

    __slots__ = ("line", "offset", "start", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0  # the last offset asked
        self.line = 1
        self.start = 0

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.offset:  # asked out of order: count again from the start
            self.offset, self.line, self.start = 0, 1, 0
        newlines = self.text.count("\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.start = self.text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return self.line, offset - self.start + 1


def split_lines(text: str) -> list[str]:
    """A file's lines as positions count them: at line feeds only (a trailing CR dropped).  ``str.splitlines``
    also breaks at U+2028, U+0085, U+2029 and lone CRs, which GitHub, editors and our positions do not."""
    return [ln.removesuffix("\r") for ln in text.split("\n")]


# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def read_bytes(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file, never blocking.

    The file is checked before it is opened (a FIFO or a device is never opened for reading: a FIFO
    would block, ``/dev/zero`` would never end) and again after (it may have been swapped meanwhile;
    opening with O_NONBLOCK keeps a FIFO from blocking then).  Raises OSError, with a reason for
    what is not a regular file.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file (a FIFO, socket or device)")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file (a FIFO, socket or device)")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(data: bytes) -> tuple[str | None, str, int]:
    """The text of a file's bytes: UTF-8 unless a byte order mark says UTF-16 or UTF-32.

    Returns (text, "", 0), or (None, reason, offset of the first bad byte); the reason is "binary" for
    a NUL byte in the first 8 KiB of UTF-8 text.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), "", 0
            except UnicodeDecodeError as exc:
                name = codec.upper().removesuffix("-LE").removesuffix("-BE")
                return None, f"not valid {name} (at byte {exc.start + len(bom)})", exc.start + len(bom)
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        return None, "binary", nul
    try:
        return data.decode("utf-8"), "", 0
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", exc.start


def read_text(path: Path, rel: str, options: Options, looks_like: Callable[[str], bool] | None = None,
              ) -> tuple[str | None, Finding | None, FileResult | None]:
    """A file's text; or an E9500 / skip record when it cannot be read as text.

    Too large and unreadable files are one E9500 each; what is not a regular file (FIFO, socket,
    device) is skipped without being opened.  Bytes that are not text (NUL bytes, invalid UTF-8/16/32)
    are an E9500 at the first bad byte when ``looks_like`` says the file is one the scan is for
    (decoded leniently), else skipped: a binary or Latin-1 file that is no template is no error.
    Without ``looks_like``, NUL bytes are skipped as binary and bad encodings are E9500s.
    """
    def error(reason: str, line: int = 1, col: int = 1) -> tuple[None, Finding, FileResult]:
        return None, input_error(reason, Location(rel, line, col)), FileResult(rel, "error", reason)

    limit = options.max_file_bytes
    too_big = f"over the {limit}-byte file size limit (--max-file-size)"
    try:
        size = path.stat().st_size
        if size > limit:
            return error(f"file is {size} bytes, {too_big}")
        data = read_bytes(path, limit)
    except OSError as exc:
        if exc.errno == 0:
            return None, None, FileResult(rel, "skipped", exc.strerror)
        return error(f"cannot read the file: {exc.strerror or exc}")
    if len(data) > limit:  # it grew after the size check
        return error(f"file is more than {limit} bytes, {too_big}")
    text, problem, bad = decode(data)
    if text is not None:
        return text, None, None
    if looks_like is not None:
        bom, codec = next(((b, c) for b, c in _BOMS if data.startswith(b)), (b"", "utf-8"))
        if not looks_like(data[len(bom):].decode(codec, "replace").replace("\x00", " ")):
            return None, None, FileResult(rel, "skipped", "binary file" if problem == "binary" else f"{problem}; not a template")
    elif problem == "binary":
        return None, None, FileResult(rel, "skipped", "binary file")
    if problem == "binary":
        problem = "a NUL byte: not a text file"
    elif not problem.startswith("not valid UTF-8"):  # UTF-16/32: the offset is no column
        return error(problem)
    line = data[:bad].count(b"\n") + 1
    return error(problem, line, bad - (data.rfind(b"\n", 0, bad) + 1) + 1)
