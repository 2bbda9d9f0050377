"""The scan pipeline: discover -> load -> extract -> graph -> rules -> findings.

Front ends are called through three functions with one contract (:class:`LoadOutput`):

* ``lexiam.cloudformation.load_file(path, rel, text, options)`` for one template file,
* ``lexiam.terraform.load_module(folder, files, rel_of, options)`` for the ``.tf`` files of a folder,
* ``lexiam.terraform.load_plan(path, rel, text, options)`` for ``terraform show -json`` output.

Everything after loading is format-neutral.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lexiam.model import Finding, Unit

SKIP_DIRS = frozenset({".git", "node_modules", ".terraform", ".hg", ".svn", "__pycache__", ".tox", ".venv", "cdk.out.tmp"})
CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cfn")
TF_SUFFIXES = (".tf",)
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
CANDIDATE_SUFFIXES = CFN_SUFFIXES + TF_SUFFIXES


@dataclass
class Options:
    account_id: str | None = None
    region: str | None = None
    ignore: frozenset[str] = frozenset()
    tf_vars: dict[str, str] = field(default_factory=dict)
    tf_var_files: tuple[Path, ...] = ()
    inline_ignores: bool = True
    prefilter: bool = True  # skip files with no Lex/IAM content before parsing them
    max_file_bytes: int = 5 * 1024 * 1024
    max_files: int = 100_000
    max_nodes: int = 2_000_000
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


@dataclass(slots=True)
class FileResult:
    file: str  # relative to the scan root
    status: str  # "scanned" | "skipped" | "error"
    reason: str = ""


@dataclass
class LoadOutput:
    units: list[Unit] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)  # E9500 findings
    files: list[FileResult] = field(default_factory=list)

    def extend(self, other: LoadOutput) -> None:
        self.units.extend(other.units)
        self.errors.extend(other.errors)
        self.files.extend(other.files)


@dataclass
class ScanResult:
    findings: list[Finding]
    files: list[FileResult]
    baselined: int = 0  # findings left out because a baseline records them

    def summary(self) -> dict[str, object]:
        by_status = {"scanned": 0, "skipped": 0, "error": 0}
        for f in self.files:
            by_status[f.status] = by_status.get(f.status, 0) + 1
        active = [f for f in self.findings if f.suppressed is None]
        by_sev = {"error": 0, "warning": 0, "info": 0}
        for f in active:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        return {
            "files": len(self.files),
            "scanned": by_status["scanned"],
            "skipped": by_status["skipped"],
            "input_errors": by_status["error"],
            "findings": len(active),
            "errors": by_sev["error"],
            "warnings": by_sev["warning"],
            "infos": by_sev["info"],
            "suppressed": len(self.findings) - len(active),
            "baselined": self.baselined,
        }


def relative(path: Path, root: Path) -> str:
    """A path for reports: relative to the scan root when below it, POSIX separators."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        rel = str(path)
    if rel.startswith(".."):
        rel = str(path.resolve())
    return rel.replace(os.sep, "/")


@dataclass
class Discovered:
    cfn: list[Path] = field(default_factory=list)  # candidate template / plan files
    # folder -> the names of its .tf files: names, not paths, since a large repository has tens of
    # thousands of them (as Path objects, some 600 bytes each, they were a third of a big scan's memory)
    tf_modules: dict[Path, list[str]] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # folder -> the .tf files named on the command line: the whole folder is loaded as the module,
    # only findings in these files are reported (pre-commit passes the staged files one by one)
    tf_named: dict[Path, set[str]] = field(default_factory=dict)


def discover(paths: Iterable[Path], max_files: int = 100_000,
             exclude: Callable[[Path], bool] | None = None) -> Discovered:
    """Walk the given files and folders (recursively), each file once, skipping VCS/vendor folders
    and what ``exclude`` names."""
    out = Discovered()
    walked_tf: set[Path] = set()
    seen: dict[str, set[str]] = {}  # real folder -> the names of the files taken from it
    taken = 0
    seen_dirs: set[tuple[int, int]] = set()
    full = False  # the --max-files limit was reached: stop
    real_dirs: dict[Path, str] = {}

    def real_place(folder: Path, name: str, link: bool) -> tuple[str, str]:
        """(real folder, name) of a file: its folder resolved once for all the files in it."""
        if link:
            real = os.path.realpath(folder / name)
            return os.path.dirname(real), os.path.basename(real)
        real_dir = real_dirs.get(folder)
        if real_dir is None:
            real_dir = real_dirs[folder] = str(folder.resolve())
        return real_dir, name

    def add_file(folder: Path, name: str, explicit: bool, link: bool) -> None:
        nonlocal full, taken
        lower = name.lower()
        if not explicit and not lower.endswith(CANDIDATE_SUFFIXES):
            return
        try:
            real_dir, real_name = real_place(folder, name, link)
        except (OSError, RuntimeError):
            out.skipped.append((folder / name, "unresolvable path"))
            return
        names = seen.setdefault(real_dir, set())
        if real_name in names:
            return
        if taken >= max_files:
            out.skipped.append((folder / name, f"over the {max_files}-file limit (--max-files): "
                                               "this file and the rest were not scanned"))
            full = True
            return
        names.add(real_name)
        taken += 1
        if exclude is not None and exclude(folder / name):
            if explicit:
                out.skipped.append((folder / name, "excluded by the configuration"))
            return
        if lower.endswith(TF_SUFFIXES):
            out.tf_modules.setdefault(folder, []).append(name)
            if explicit:
                out.tf_named.setdefault(folder, set()).add(name)
            else:
                walked_tf.add(folder)
        elif lower.endswith(CFN_SUFFIXES):
            out.cfn.append(folder / name)
        elif explicit and lower.endswith(TFVARS_SUFFIXES):
            # variable values can change any finding of the module beside them: scan all of it
            out.tf_modules.setdefault(folder, [])
            walked_tf.add(folder)
        elif explicit:
            out.skipped.append((folder / name, "not a CloudFormation or Terraform file"))

    def listing(d: Path) -> Iterator[os.DirEntry[str]] | None:
        try:
            st = d.stat()
        except OSError:
            out.skipped.append((d, "unreadable folder"))
            return None
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return None
        seen_dirs.add(key)
        try:
            with os.scandir(d) as it:
                return iter(sorted(it, key=lambda e: e.name))
        except OSError as exc:
            out.skipped.append((d, f"unreadable folder: {exc.strerror or exc}"))
            return None

    def walk(top: Path) -> Iterator[tuple[Path, str, bool]]:
        """(folder, name, is a link) of the regular files below ``top``, depth first in name order,
        without recursion (a folder tree thousands deep is no RecursionError).  A symbolic link is
        followed only while its target stays inside ``top``; a FIFO, socket or device is listed as
        skipped, never opened.  Only folders become Path objects."""
        try:
            inside = top.resolve()
        except (OSError, RuntimeError):
            inside = top
        first = listing(top)
        stack = [(top, first)] if first is not None else []
        while stack:
            folder, entries = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            if entry.name in SKIP_DIRS:
                continue
            candidate = entry.name.lower().endswith(CANDIDATE_SUFFIXES)
            try:
                link = entry.is_symlink()
                if link:
                    if not os.path.exists(entry.path):
                        if candidate:
                            out.skipped.append((folder / entry.name, "broken or looping symbolic link"))
                        continue
                    real = Path(entry.path).resolve()
                    if real != inside and not real.is_relative_to(inside):
                        if candidate or entry.is_dir():
                            out.skipped.append((folder / entry.name, "symbolic link to outside the scanned folder: not followed"))
                        continue
                if entry.is_dir():
                    sub_folder = folder / entry.name
                    if exclude is None or not exclude(sub_folder):
                        sub = listing(sub_folder)
                        if sub is not None:
                            stack.append((sub_folder, sub))
                elif not candidate:
                    continue
                elif entry.is_file():
                    yield folder, entry.name, link
                else:
                    out.skipped.append((folder / entry.name, "not a regular file (a FIFO, socket or device)"))
            except (OSError, RuntimeError):
                continue

    for given in paths:
        if full:
            break
        try:
            mode = given.stat().st_mode
        except OSError:
            out.skipped.append((given, "no such file or folder"))
            continue
        if stat.S_ISDIR(mode):
            for folder, name, link in walk(given):
                add_file(folder, name, False, link)
                if full:
                    break
        elif stat.S_ISREG(mode):
            add_file(given.parent, given.name, True, True)
        else:
            out.skipped.append((given, "not a regular file (a FIFO, socket or device)"))
    for folder in {*out.tf_named, *walked_tf}:
        if folder in walked_tf and folder in out.tf_named:  # the folder itself was scanned: report all of it
            del out.tf_named[folder]
        module = dict.fromkeys(out.tf_modules[folder])  # the names, in order, once each
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name not in module and entry.name.lower().endswith(TF_SUFFIXES) and entry.is_file():
                        if entry.is_symlink() and not _links_within(entry.path, folder):
                            out.skipped.append((folder / entry.name, "symbolic link to outside the scanned folder: not followed"))
                        elif exclude is None or not exclude(folder / entry.name):
                            module[entry.name] = None
        except OSError:
            pass
        out.tf_modules[folder] = list(module)
        if not module:
            del out.tf_modules[folder]
    for names in out.tf_modules.values():
        names.sort(key=os.path.normcase)  # the order of Path sorting, within one folder
    return out


def _links_within(link: str, folder: Path) -> bool:
    """Whether a symbolic link's target is inside ``folder`` (the sibling .tf files of a module are read
    with it: a link out of it, to a secret or a device, must not be)."""
    try:
        real, top = os.path.realpath(link), os.path.realpath(folder)
    except (OSError, ValueError):
        return False
    return real.startswith(top.rstrip(os.sep) + os.sep)


Loader = Callable[..., LoadOutput]


# --- the scan ----------------------------------------------------------------------------------

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
    from lexiam.rules.registry import input_error
    from lexiam.values import Location

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


def _looks_like_cfn_or_plan(text: str) -> bool:
    from lexiam import cloudformation

    return cloudformation.looks_like_template(text) or '"terraform_version"' in text[:4096]


def _load_candidate(path: Path, options: Options) -> LoadOutput:
    from lexiam import cloudformation

    rel = relative(path, options.root)
    text, error, record = read_text(path, rel, options, _looks_like_cfn_or_plan)
    out = LoadOutput()
    if text is None:
        if error:
            out.errors.append(error)
        if record:
            out.files.append(record)
        return out
    if path.name.lower().endswith(".json") and '"terraform_version"' in text[:4096]:
        try:
            from lexiam import terraform
        except ImportError:  # pragma: no cover - Terraform front end not installed
            terraform = None  # type: ignore[assignment]
        plan = getattr(terraform, "load_plan", None)
        if plan is not None:
            result = plan(path, rel, text, options)
            if result is not None:
                return result
    return cloudformation.load_file(path, rel, text, options)


def _load_module(folder: Path, files: list[Path], options: Options) -> LoadOutput:
    try:
        from lexiam import terraform
        load_module = terraform.load_module
    except (ImportError, AttributeError):
        out = LoadOutput()
        for f in files:
            out.files.append(FileResult(relative(f, options.root), "skipped", "Terraform support not available"))
        return out
    return load_module(folder, files, lambda p: relative(p, options.root), options)


def analyse(units: list[Unit], options: Options) -> list[Finding]:
    """Run every rule on every unit; apply --ignore; return the findings (unsorted)."""
    from lexiam.graph import Graph
    from lexiam.rules.registry import Context, run_checks

    findings: list[Finding] = []
    for unit in units:
        ctx = Context(unit, Graph(unit), options.pins)
        for finding in run_checks(ctx):
            reason = suppression(unit, finding) if options.inline_ignores else None
            findings.append(dataclasses.replace(finding, suppressed=reason) if reason is not None else finding)
    return findings


def suppression(unit: Unit, finding: Finding) -> str | None:
    """The reason of the first suppression written in the unit that covers the finding, else None.

    A rule ID matches itself and any prefix (``E95`` covers every error of the pack), as in cfn-lint.
    """
    for rule_id, reason in (*unit.ignores.get(finding.resource, ()), *unit.unit_ignores):
        if finding.rule_id.startswith(rule_id):
            return reason or "suppressed in the template"
    return None


Task = tuple[Path, list[str] | None]  # a template file (and None), or a Terraform folder and its .tf files' names


@dataclass
class TaskResult:
    """What one task gives the scan: its findings (rules run, suppressions written in the template
    applied), its E9500 errors, its file records, and the Terraform blocks ``lexiam:ignore`` comments
    refer to (file, address) -> (first line, last line)."""

    findings: list[Finding]
    errors: list[Finding]
    files: list[FileResult]
    blocks: dict[tuple[str, str], tuple[int, int]]


def run_task(task: Task, options: Options) -> TaskResult:
    """Load one template or Terraform folder and run the rules on what it holds."""
    path, names = task
    out = _load_candidate(path, options) if names is None else _load_module(path, [path / n for n in names], options)
    return TaskResult(analyse(out.units, options), out.errors, out.files, _tf_blocks(out.units))


# Estimated microseconds of one core per byte parsed: python-hcl2's parser is about five times slower
# than libyaml plus the CloudFormation extraction.
_TF_COST, _CFN_COST = 5, 1
_WEIGHT_NEEDLES = (b"lex", b"aws-service-role")


def task_weight(task: Task, options: Options) -> int:
    """An estimate of the work of a task, for ``--jobs``: the bytes of its files that name Lex or an
    ``aws-service-role``, 0 when none does (nothing to parse, unless a Terraform folder calls a module
    that does: that is only a wrong guess, never a wrong result)."""
    from lexiam.prefilter import bytes_may_mention

    path, names = task
    cost = _CFN_COST if names is None else _TF_COST
    weight = 0
    for p in (path,) if names is None else (path / n for n in names):
        try:
            data = read_bytes(p, options.max_file_bytes)
        except OSError:
            continue
        if not options.prefilter or bytes_may_mention(data, _WEIGHT_NEEDLES):
            weight += len(data) * cost
    return weight


def scan(paths: Iterable[Path], options: Options) -> ScanResult:
    from lexiam import jobs

    paths = list(paths)
    if not options.scan_paths:
        options = dataclasses.replace(options, scan_paths=tuple(paths))
    found = discover(paths, options.max_files, options.exclude)
    out = LoadOutput()
    for path, reason in found.skipped:
        out.files.append(FileResult(relative(path, options.root), "skipped", reason))
    tasks: list[Task] = [(path, None) for path in found.cfn]
    tasks += sorted(found.tf_modules.items())
    if found.tf_modules:
        _prepare_terraform(options)
    results = jobs.run(tasks, lambda t: run_task(t, options), lambda t: task_weight(t, options),
                       options.jobs, options.progress, _before_fork)
    findings = [f for r in results for f in r.findings] + [e for r in results for e in r.errors]
    for r in results:
        out.files.extend(r.files)
    if options.inline_ignores:
        blocks = {key: lines for r in results for key, lines in r.blocks.items()}
        findings = _apply_comment_suppressions(findings, blocks, options)
    findings = [f for f in findings if not _ignored(f.rule_id, options.ignore)]
    if options.severity:
        findings = [_override_severity(f, options.severity) for f in findings]
    if found.tf_named:  # .tf files named one by one: report only what is in them
        named = {relative(d / n, options.root) for d, names in found.tf_named.items() for n in names}
        module_files = {relative(d / n, options.root) for d in found.tf_named for n in found.tf_modules.get(d, ())}
        findings = [f for f in findings if f.file in named or f.file not in module_files]
        out.files = [r for r in out.files if r.file in named or r.file not in module_files]
    findings = sorted(set(findings), key=_total_order)
    files = sorted({(f.file, f.status): f for f in out.files}.values(), key=lambda f: (f.file, f.status))
    return ScanResult(findings, files)


def _total_order(f: Finding) -> tuple[object, ...]:
    """The report order (file, line, column, rule, message), then every other field: two findings never
    tie, so the order does not depend on how the set of findings was built."""
    return (*f.sort_key(), f.end_line, f.end_column, f.severity, f.slug, f.resource, repr(f.path), f.suppressed or "")


def _before_fork(heavy: list[Task]) -> None:
    """Load python-hcl2's parser here, once, when Terraform folders go to the pool: the workers share
    it instead of each building its own (some 0.2 s and 15 MB each)."""
    if any(files is not None for _path, files in heavy):
        try:
            from lexiam.terraform.hcl import warm_up
        except ImportError:  # pragma: no cover - Terraform front end not installed
            return
        warm_up()


def _prepare_terraform(options: Options) -> None:
    """Build the Terraform front end's scan-wide index here, once: forked workers inherit it."""
    try:
        from lexiam.terraform import prepare
    except ImportError:  # pragma: no cover - Terraform front end not installed
        return
    prepare(options)


def _tf_blocks(units: list[Unit]) -> dict[tuple[str, str], tuple[int, int]]:
    """(file, address) -> the lines of the Terraform block that declares the entity."""
    blocks: dict[tuple[str, str], tuple[int, int]] = {}
    for unit in units:
        for entity in unit.entities():
            if entity.loc is not None and entity.loc.file.endswith(".tf"):
                blocks[(entity.loc.file, entity.address)] = (entity.loc.line, entity.loc.end_line or entity.loc.line)
    return blocks


def _comment_suppressions(findings: list[Finding], units: list[Unit], options: Options) -> list[Finding]:
    """Apply ``# lexiam:ignore RULE reason`` comments to the findings of Terraform (.tf) files."""
    return _apply_comment_suppressions(findings, _tf_blocks(units), options)


def _apply_comment_suppressions(findings: list[Finding], blocks: dict[tuple[str, str], tuple[int, int]],
                                options: Options) -> list[Finding]:
    from lexiam.suppress import comment_suppression

    lines: dict[str, list[str]] = {}
    result: list[Finding] = []
    for f in findings:
        if f.suppressed is None and f.file.lower().endswith(".tf"):
            if f.file not in lines:
                path = Path(f.file) if os.path.isabs(f.file) else options.root / f.file
                try:
                    lines[f.file] = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
                except OSError:
                    lines[f.file] = []
            reason = comment_suppression(lines[f.file], f.rule_id, f.line, blocks.get((f.file, f.resource)))
            if reason is not None:
                f = dataclasses.replace(f, suppressed=reason)
        result.append(f)
    return result


def _override_severity(finding: Finding, overrides: dict[str, str]) -> Finding:
    """The finding with the severity the configuration gives its rule (the longest matching prefix wins)."""
    best = max((k for k in overrides if finding.rule_id.startswith(k)), key=len, default=None)
    if best is None or overrides[best] == finding.severity:
        return finding
    return dataclasses.replace(finding, severity=overrides[best])


def _ignored(rule_id: str, ignore: frozenset[str]) -> bool:
    return any(rule_id.startswith(prefix) for prefix in ignore)
