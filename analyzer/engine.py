"""The scan pipeline: discover -> load -> extract -> graph -> rules -> findings.

Front ends are called through three functions with one contract (:class:`LoadOutput`):

* ``analyzer.cloudformation.load_file(path, rel, text, options)`` for one template file,
* ``analyzer.terraform.load_module(folder, files, rel_of, options)`` for the ``.tf`` files of a folder,
* ``analyzer.terraform.load_plan(path, rel, text, options)`` for ``terraform show -json`` output.

Everything after loading is format-neutral.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.model import Finding, Unit

SKIP_DIRS = frozenset({".git", "node_modules", ".terraform", ".hg", ".svn", "__pycache__", ".tox", ".venv", "cdk.out.tmp"})
CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cfn")
TF_SUFFIXES = (".tf",)
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


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


@dataclass
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
    tf_modules: dict[Path, list[Path]] = field(default_factory=dict)  # folder -> .tf files
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # folder -> the .tf files named on the command line: the whole folder is loaded as the module,
    # only findings in these files are reported (pre-commit passes the staged files one by one)
    tf_named: dict[Path, set[Path]] = field(default_factory=dict)


def discover(paths: Iterable[Path], max_files: int = 100_000,
             exclude: Callable[[Path], bool] | None = None) -> Discovered:
    """Walk the given files and folders (recursively), each file once, skipping VCS/vendor folders
    and what ``exclude`` names."""
    out = Discovered()
    walked_tf: set[Path] = set()
    seen: set[Path] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def add_file(p: Path, explicit: bool) -> None:
        try:
            real = p.resolve()
        except (OSError, RuntimeError):
            out.skipped.append((p, "unresolvable path"))
            return
        if real in seen:
            return
        seen.add(real)
        if len(seen) > max_files:
            out.skipped.append((p, f"more than {max_files} files"))
            return
        name = p.name.lower()
        if exclude is not None and exclude(p):
            if explicit:
                out.skipped.append((p, "excluded by the configuration"))
            return
        if name.endswith(TF_SUFFIXES):
            out.tf_modules.setdefault(p.parent, []).append(p)
            if explicit:
                out.tf_named.setdefault(p.parent, set()).add(p)
            else:
                walked_tf.add(p.parent)
        elif name.endswith(CFN_SUFFIXES):
            out.cfn.append(p)
        elif explicit and name.endswith(TFVARS_SUFFIXES):
            # variable values can change any finding of the module beside them: scan all of it
            out.tf_modules.setdefault(p.parent, [])
            walked_tf.add(p.parent)
        elif explicit:
            out.skipped.append((p, "not a CloudFormation or Terraform file"))

    def walk(d: Path) -> Iterator[Path]:
        try:
            st = d.stat()
        except OSError:
            out.skipped.append((d, "unreadable folder"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append((d, f"unreadable folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            if entry.name in SKIP_DIRS:
                continue
            p = Path(entry.path)
            try:
                if entry.is_dir():
                    if exclude is None or not exclude(p):
                        yield from walk(p)
                elif entry.is_file():
                    yield p
                elif not entry.is_symlink() or not os.path.exists(entry.path):
                    continue
            except OSError:
                continue

    for given in paths:
        try:
            mode = given.stat().st_mode
        except OSError:
            out.skipped.append((given, "no such file or folder"))
            continue
        if stat.S_ISDIR(mode):
            for f in walk(given):
                add_file(f, False)
        elif stat.S_ISREG(mode):
            add_file(given, True)
        else:
            out.skipped.append((given, "not a regular file"))
    for folder in {*out.tf_named, *walked_tf}:
        if folder in walked_tf and folder in out.tf_named:  # the folder itself was scanned: report all of it
            del out.tf_named[folder]
        module = {*out.tf_modules[folder]}
        try:
            module.update(f for f in folder.iterdir() if f.name.lower().endswith(TF_SUFFIXES) and f.is_file()
                          and not (exclude is not None and exclude(f)))
        except OSError:
            pass
        out.tf_modules[folder] = list(module)
        if not module:
            del out.tf_modules[folder]
    for files in out.tf_modules.values():
        files.sort()
    return out


Loader = Callable[..., LoadOutput]


# --- the scan ----------------------------------------------------------------------------------

def read_text(path: Path, rel: str, options: Options) -> tuple[str | None, Finding | None, FileResult | None]:
    """A file's text; or an E9500 / skip record when it cannot be read as UTF-8 text."""
    from analyzer.values import Location
    from rules.registry import input_error

    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            reason = f"file is {size} bytes, over the {options.max_file_bytes}-byte limit"
            return None, input_error(reason, Location(rel, 1, 1)), FileResult(rel, "error", reason)
        data = path.read_bytes()
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or exc}"
        return None, input_error(reason, Location(rel, 1, 1)), FileResult(rel, "error", reason)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None, None
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        return None, None, FileResult(rel, "skipped", "binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        reason = f"not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        return None, input_error(reason, Location(rel, line, col)), FileResult(rel, "error", reason)
    return text, None, None


def _load_candidate(path: Path, options: Options) -> LoadOutput:
    from analyzer import cloudformation

    rel = relative(path, options.root)
    text, error, record = read_text(path, rel, options)
    out = LoadOutput()
    if text is None:
        if error:
            out.errors.append(error)
        if record:
            out.files.append(record)
        return out
    if path.name.lower().endswith(".json") and '"terraform_version"' in text[:4096]:
        try:
            from analyzer import terraform
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
        from analyzer import terraform
        load_module = terraform.load_module
    except (ImportError, AttributeError):
        out = LoadOutput()
        for f in files:
            out.files.append(FileResult(relative(f, options.root), "skipped", "Terraform support not available"))
        return out
    return load_module(folder, files, lambda p: relative(p, options.root), options)


def analyse(units: list[Unit], options: Options) -> list[Finding]:
    """Run every rule on every unit; apply --ignore; return the findings (unsorted)."""
    from analyzer.graph import Graph
    from rules.registry import Context, run_checks

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


def scan(paths: Iterable[Path], options: Options) -> ScanResult:
    paths = list(paths)
    if not options.scan_paths:
        options = dataclasses.replace(options, scan_paths=tuple(paths))
    found = discover(paths, options.max_files, options.exclude)
    out = LoadOutput()
    for path, reason in found.skipped:
        out.files.append(FileResult(relative(path, options.root), "skipped", reason))
    total, done = len(found.cfn) + len(found.tf_modules), 0
    for path in found.cfn:
        out.extend(_load_candidate(path, options))
        done += 1
        if options.progress:
            options.progress(done, total)
    for folder, files in sorted(found.tf_modules.items()):
        out.extend(_load_module(folder, files, options))
        done += 1
        if options.progress:
            options.progress(done, total)
    findings = analyse(out.units, options) + out.errors
    if options.inline_ignores:
        findings = _comment_suppressions(findings, out.units, options)
    findings = [f for f in findings if not _ignored(f.rule_id, options.ignore)]
    if options.severity:
        findings = [_override_severity(f, options.severity) for f in findings]
    if found.tf_named:  # .tf files named one by one: report only what is in them
        named = {relative(f, options.root) for files in found.tf_named.values() for f in files}
        module_files = {relative(f, options.root) for d in found.tf_named for f in found.tf_modules.get(d, ())}
        findings = [f for f in findings if f.file in named or f.file not in module_files]
        out.files = [r for r in out.files if r.file in named or r.file not in module_files]
    findings = sorted(set(findings), key=Finding.sort_key)
    files = sorted({(f.file, f.status): f for f in out.files}.values(), key=lambda f: (f.file, f.status))
    return ScanResult(findings, files)


def _comment_suppressions(findings: list[Finding], units: list[Unit], options: Options) -> list[Finding]:
    """Apply ``# lexiam:ignore RULE reason`` comments to the findings of Terraform (.tf) files."""
    from analyzer.suppress import comment_suppression

    blocks: dict[tuple[str, str], tuple[int, int]] = {}
    for unit in units:
        for entity in unit.entities():
            if entity.loc is not None and entity.loc.file.endswith(".tf"):
                blocks[(entity.loc.file, entity.address)] = (entity.loc.line, entity.loc.end_line or entity.loc.line)
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
