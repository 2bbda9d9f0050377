"""The scan pipeline: discover -> load -> extract -> graph -> rules -> suppress -> findings.

The engine names no format.  Which front end reads a file, how it is read (one file, or the files of a
folder together) and what it costs are rows of :data:`lexiam.contract.FRONT_ENDS`; the engine loads the
front end's module by the name the table gives.  Everything after loading is format-neutral.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lexiam import contract, suppress
from lexiam.baseline import Baseline
from lexiam.contract import FileResult, FrontEnd, LoadOutput, Options, read_bytes, read_text, relative
from lexiam.model import MAX_PER_RULE, Finding, ScanResult, Suppression, Unit, cap_notice, input_error
from lexiam.prefilter import bytes_may_mention
from lexiam.values import Location

__all__ = ["Options", "ScanResult", "analyse", "discover", "relative", "scan"]


# --- discovery ---------------------------------------------------------------------------------

@dataclass
class Discovered:
    files: list[tuple[Path, str]] = field(default_factory=list)  # (file, name of the file front end family)
    # (folder front end, folder) -> the names of its files: names, not paths, since a large repository
    # has tens of thousands of them (as Path objects, some 600 bytes each, they were a third of a big
    # scan's memory)
    folders: dict[tuple[str, Path], list[str]] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # folders named through some of their files on the command line: the whole folder is loaded as one
    # unit, only findings in these files are reported (pre-commit passes the staged files one by one)
    named: dict[tuple[str, Path], set[str]] = field(default_factory=dict)

    @property
    def cfn(self) -> list[Path]:  # the file tasks, for callers that only want the paths
        return [p for p, _ in self.files]

    @property
    def tf_modules(self) -> dict[Path, list[str]]:
        return {folder: names for (_fe, folder), names in self.folders.items()}


def _classify(name: str, named: bool) -> FrontEnd | None:
    """The front end that a file of this name goes to (a folder front end for the files that join one)."""
    claim = contract.claimants(name, named=named)
    if not claim:
        return None
    fe = claim[0]
    return contract.by_name(fe.joins) if fe.joins else fe


def _candidate(name: str) -> bool:
    return bool(contract.claimants(name))


EXCLUDED = "excluded by the configuration"


class _Walker:
    """Walks the given files and folders, each real file once, depth first in name order, without
    recursion (a folder tree thousands deep is no RecursionError).  A symbolic link is followed only
    while its target stays inside the folder given; a FIFO, socket or device is listed as skipped,
    never opened."""

    def __init__(self, max_files: int, exclude: Callable[[Path], bool] | None) -> None:
        self.out = Discovered()
        self.max_files = max_files
        self.exclude = exclude
        self.taken = 0
        self.full = False  # the --max-files limit was reached: stop
        self.seen: dict[str, set[str]] = {}  # real folder -> the names of the files taken from it
        self.seen_dirs: set[tuple[int, int]] = set()
        self.real_dirs: dict[Path, str] = {}
        self.walked: set[tuple[str, Path]] = set()  # folder units found by the walk (not only named)

    def skip(self, path: Path, reason: str) -> None:
        self.out.skipped.append((path, reason))

    def real_place(self, folder: Path, name: str, link: bool) -> tuple[str, str]:
        if link:
            real = os.path.realpath(folder / name)
            return os.path.dirname(real), os.path.basename(real)
        real_dir = self.real_dirs.get(folder)
        if real_dir is None:
            real_dir = self.real_dirs[folder] = str(folder.resolve())
        return real_dir, name

    def add(self, folder: Path, name: str, explicit: bool, link: bool) -> None:
        fe = _classify(name, named=explicit)
        if fe is None and not explicit:
            return
        try:
            real_dir, real_name = self.real_place(folder, name, link)
        except (OSError, RuntimeError):
            self.skip(folder / name, "unresolvable path")
            return
        names = self.seen.setdefault(real_dir, set())
        if real_name in names:
            return
        if self.taken >= self.max_files:
            self.skip(folder / name, f"over the {self.max_files}-file limit (--max-files): this file and the rest "
                                     "were not scanned")
            self.full = True
            return
        names.add(real_name)
        self.taken += 1
        if self.exclude is not None and self.exclude(folder / name):  # listed: an exclude never hides a file
            self.skip(folder / name, EXCLUDED)
            return
        if fe is None:
            self.skip(folder / name, "not a CloudFormation or Terraform file")
        elif fe.unit == "file":
            self.out.files.append((folder / name, fe.name))
        elif not explicit or not any(name.lower().endswith(e) for e in fe.named):
            self.out.folders.setdefault((fe.name, folder), []).append(name)
            if explicit:
                self.out.named.setdefault((fe.name, folder), set()).add(name)
            else:
                self.walked.add((fe.name, folder))
        else:  # a variable file named on its own: its values can change any finding of the folder's unit
            self.out.folders.setdefault((fe.name, folder), [])
            self.walked.add((fe.name, folder))

    def listing(self, d: Path) -> Iterator[os.DirEntry[str]] | None:
        try:
            st = d.stat()
        except OSError:
            self.skip(d, "unreadable folder")
            return None
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:
            return None
        self.seen_dirs.add(key)
        try:
            with os.scandir(d) as it:
                return iter(sorted(it, key=lambda e: e.name))
        except OSError as exc:
            self.skip(d, f"unreadable folder: {exc.strerror or exc}")
            return None

    def walk(self, top: Path) -> Iterator[tuple[Path, str, bool]]:
        """(folder, name, is a link) of the candidate regular files below ``top``."""
        try:
            inside = top.resolve()
        except (OSError, RuntimeError):
            inside = top
        first = self.listing(top)
        stack = [(top, first)] if first is not None else []
        while stack:
            folder, entries = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            if entry.name in contract.SKIP_DIRS:
                continue
            candidate = _candidate(entry.name)
            try:
                link = entry.is_symlink()
                if link:
                    if not os.path.exists(entry.path):
                        if candidate:
                            self.skip(folder / entry.name, "broken or looping symbolic link")
                        continue
                    real = Path(entry.path).resolve()
                    if real != inside and not real.is_relative_to(inside):
                        if candidate or entry.is_dir():
                            self.skip(folder / entry.name, "symbolic link to outside the scanned folder: not followed")
                        continue
                if entry.is_dir():
                    sub_folder = folder / entry.name
                    if self.exclude is not None and self.exclude(sub_folder):
                        self.skip(sub_folder, EXCLUDED + " (the whole folder)")
                    else:
                        sub = self.listing(sub_folder)
                        if sub is not None:
                            stack.append((sub_folder, sub))
                elif not candidate:
                    continue
                elif entry.is_file():
                    yield folder, entry.name, link
                else:
                    self.skip(folder / entry.name, "not a regular file (a FIFO, socket or device)")
            except (OSError, RuntimeError):
                continue

    def given(self, path: Path) -> None:
        try:
            mode = path.stat().st_mode
        except OSError:
            self.skip(path, "no such file or folder")
            return
        if stat.S_ISDIR(mode):
            for folder, name, link in self.walk(path):
                self.add(folder, name, False, link)
                if self.full:
                    break
        elif stat.S_ISREG(mode):
            self.add(path.parent, path.name, True, True)
        else:
            self.skip(path, "not a regular file (a FIFO, socket or device)")

    def complete_folders(self) -> None:
        """A folder unit is all of its folder's files, also when only some were named or walked."""
        out = self.out
        for key in {*out.named, *self.walked}:
            fe_name, folder = key
            if key in self.walked and key in out.named:  # the folder itself was scanned: report all of it
                del out.named[key]
            unit = dict.fromkeys(out.folders[key])  # the names, in order, once each
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        fe = _classify(entry.name, named=False)
                        if entry.name in unit or fe is None or fe.name != fe_name or not entry.is_file():
                            continue
                        if entry.is_symlink() and not _links_within(entry.path, folder):
                            self.skip(folder / entry.name, "symbolic link to outside the scanned folder: not followed")
                        elif self.exclude is not None and self.exclude(folder / entry.name):
                            self.skip(folder / entry.name, EXCLUDED)
                        else:
                            unit[entry.name] = None
            except OSError:
                pass
            out.folders[key] = list(unit)
            if not unit:
                del out.folders[key]
        for names in out.folders.values():
            names.sort(key=os.path.normcase)  # the order of Path sorting, within one folder


def discover(paths: Iterable[Path], max_files: int = 100_000,
             exclude: Callable[[Path], bool] | None = None) -> Discovered:
    """Walk the given files and folders (recursively), each file once, skipping VCS/vendor folders
    and what ``exclude`` names; each file goes to the front end that claims it."""
    walker = _Walker(max_files, exclude)
    for given in paths:
        if walker.full:
            break
        walker.given(given)
    walker.complete_folders()
    return walker.out


def _links_within(link: str, folder: Path) -> bool:
    """Whether a symbolic link's target is inside ``folder`` (the sibling files of a folder unit are read
    with it: a link out of it, to a secret or a device, must not be)."""
    try:
        real, top = os.path.realpath(link), os.path.realpath(folder)
    except (OSError, ValueError):
        return False
    return real.startswith(top.rstrip(os.sep) + os.sep)


# --- loading -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: a file of a file front end, or the files of a folder of a folder front end."""

    front_end: str
    path: Path
    names: tuple[str, ...] | None = None


def _load_file(task: Task, options: Options) -> LoadOutput:
    path = task.path
    rel = relative(path, options.root)
    # the file front ends that claim the name (a walked ``terraform.tfvars.json`` is read by Terraform's folder
    # front end as a variable file, and asked here of the JSON file front ends like any other ``.json``)
    asked = [fe for fe in contract.claimants(path.name) if fe.unit == "file"] or [contract.by_name(task.front_end)]
    modules = [contract.module_of(fe) for fe in asked]
    text, error, record = read_text(path, rel, options, lambda t: any(m.looks_like(t) for m in modules))
    out = LoadOutput()
    if text is None:
        if error:
            out.errors.append(error)
        if record:
            out.files.append(record)
        return out
    for m in modules:
        result = m.load_file(path, rel, text, options)
        if result is not None:
            return result
    out.files.append(FileResult(rel, "skipped", "not a CloudFormation template or Terraform plan"))
    return out


def _load_folder(task: Task, options: Options) -> LoadOutput:
    fe = contract.by_name(task.front_end)
    return contract.module_of(fe).load_folder(task.path, list(task.names or ()), lambda p: relative(p, options.root),
                                              options)


def analyse(units: list[Unit], options: Options) -> list[Finding]:
    """Run the rules that ``options.ignore`` leaves on every unit; return the findings (unsorted)."""
    findings, _notices = analyse_units(units, options)
    return findings



def analyse_units(units: list[Unit], options: Options) -> tuple[list[Finding], list[str]]:
    """The findings of the rules on every unit, at most MAX_PER_RULE of one rule in one unit, and a notice
    for each rule whose findings were cut."""
    from lexiam.graph import Graph
    from lexiam.rules import pack
    from lexiam.rules.registry import Context

    findings: list[Finding] = []
    notices: list[str] = []
    selected = pack.checks(lambda rule_id: not suppress.disabled(rule_id, options.ignore, options.select))
    for unit in units:
        ctx = Context(unit, Graph(unit), options.pins)
        counts: dict[str, int] = {}
        for f in pack.run(ctx, selected):
            n = counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
            if n <= MAX_PER_RULE:
                findings.append(f)
        for rule_id, n in sorted(counts.items()):
            if n > MAX_PER_RULE:
                notices.append(cap_notice(unit.file, rule_id, n - MAX_PER_RULE, "one template or module"))
    return findings, notices


@dataclass
class TaskResult:
    """What one task gives the scan: the findings of the rules, its E9500 errors, its file records and
    the suppressions written in its files."""

    findings: list[Finding]
    errors: list[Finding]
    files: list[FileResult]
    suppressions: list[Suppression]
    notices: list[str] = field(default_factory=list)


def run_task(task: Task, options: Options) -> TaskResult:
    """Load one file or folder and run the rules on what it holds."""
    out = _load_file(task, options) if task.names is None else _load_folder(task, options)
    written = [s for unit in out.units for s in unit.suppressions] + out.suppressions
    findings, notices = analyse_units(out.units, options)
    return TaskResult(findings, out.errors, out.files, written, out.notices + notices)


def crashed_task(task: Task, why: str, options: Options) -> TaskResult:
    """What a task whose ``--jobs`` worker died gives: one E9500 at its (first) file, every file of it an
    error; the scan goes on with the other tasks."""
    paths = [task.path] if task.names is None else [task.path / n for n in task.names]
    rels = [relative(p, options.root) for p in paths]
    reason = f"cannot be analysed: {why}"
    return TaskResult([], [input_error(reason, Location(rels[0], 1, 1))] if rels else [],
                      [FileResult(r, "error", reason) for r in rels], [])


def _task_files(task: Task) -> int:
    return 1 if task.names is None else len(task.names)


_WEIGHT_NEEDLES = (b"lex", b"aws-service-role")


def task_weight(task: Task, options: Options) -> int:
    """An estimate of the work of a task, for ``--jobs``: the bytes of its files that name Lex or an
    ``aws-service-role``, times its front end's cost per byte; 0 when none does (nothing to parse, unless
    a folder calls a module that does: that is only a wrong guess, never a wrong result)."""
    fe = contract.by_name(task.front_end)
    cost = fe.cost
    if task.names is not None:  # a folder: its front end may know already (what it read before the pool)
        known = getattr(contract.module_of(fe), "folder_weight", None)
        size = known(task.path, options) if known is not None else None
        if size is not None:
            return size * cost
    weight = 0
    for p in (task.path,) if task.names is None else (task.path / n for n in task.names):
        try:
            data = read_bytes(p, options.max_file_bytes)
        except OSError:
            continue
        if not options.prefilter or bytes_may_mention(data, _WEIGHT_NEEDLES):
            weight += len(data) * cost
    return weight


# --- the scan ----------------------------------------------------------------------------------

def scan(paths: Iterable[Path], options: Options, baseline: Baseline | None = None) -> ScanResult:
    """Scan files and folders; leave out what ``options`` turns off and what ``baseline`` records."""
    from lexiam import jobs
    from lexiam.rules import pack

    paths = list(paths)
    if not options.scan_paths:
        options = dataclasses.replace(options, scan_paths=tuple(paths))
    found = discover(paths, options.max_files, options.exclude)
    files: list[FileResult] = [FileResult(relative(path, options.root), "skipped", reason) for path, reason in found.skipped]
    tasks = [Task(fe, path) for path, fe in found.files]
    tasks += [Task(fe, folder, tuple(names)) for (fe, folder), names in sorted(found.folders.items(), key=_folder_order)]
    for fe in {t.front_end for t in tasks}:
        prepare = getattr(contract.module_of(contract.by_name(fe)), "prepare", None)
        if prepare is not None:
            prepare(options)  # scan-wide work, once: forked workers inherit it
    results = jobs.run(tasks, lambda t: run_task(t, options), lambda t: task_weight(t, options),
                       options.jobs, _progress_in_files(options.progress, len(files)), _before_fork,
                       on_crash=lambda t, why: crashed_task(t, why, options), size=_task_files)
    for r in results:
        files.extend(r.files)
    reported = None
    if found.named:  # files named one by one: report only what is in them
        named = {relative(folder / n, options.root) for (_fe, folder), names in found.named.items() for n in names}
        unit_files = {relative(key[1] / n, options.root) for key in found.named for n in found.folders.get(key, ())}
        files = [r for r in files if r.file in named or r.file not in unit_files]

        def reported(file: str) -> bool:
            return file in named or file not in unit_files

    stage = suppress.Stage(known=[m.id for m in pack.all_rules()], ignore=options.ignore, select=options.select,
                           visible_ignore=options.visible_ignore, visible_select=options.visible_select,
                           renamed=pack.RENAMED,
                           inline=options.inline_ignores, severity=options.severity, reported=reported,
                           baseline=baseline.matcher(pack.RENAMED) if baseline is not None else None)
    outcome = suppress.apply_groups([(r.findings + r.errors, r.suppressions) for r in results], stage)
    ordered = sorted(set(outcome.findings), key=_total_order)
    records = sorted({(f.file, f.status): f for f in files}.values(), key=lambda f: (f.file, f.status))
    notices = [n for r in results for n in r.notices] + outcome.notices
    return ScanResult(ordered, records, outcome.baselined, notices=notices)


def _progress_in_files(progress: Callable[[int, int], None] | None, skipped: int
                       ) -> Callable[[int, int], None] | None:
    """Progress counted in files, the files the walk skipped included: the count the summary gives."""
    if progress is None:
        return None
    return lambda done, total: progress(done + skipped, total + skipped)


def _folder_order(item: tuple[tuple[str, Path], list[str]]) -> tuple[Path, str]:
    (fe, folder), _names = item
    return folder, fe


def _total_order(f: Finding) -> tuple[object, ...]:
    """The report order (file, line, column, rule, message), then every other field: two findings never
    tie, so the order does not depend on how the set of findings was built."""
    return (*f.sort_key(), f.end_line, f.end_column, f.severity, f.slug, f.resource, repr(f.path), f.suppressed or "",
            f.suppressed_by, f.subject)


def _before_fork(heavy: list[Task]) -> None:
    """Let the front ends of the tasks going to the pool load what the workers should share (python-hcl2's
    parser: some 0.2 s and 15 MB each, built once here instead of once per worker)."""
    for fe in sorted({t.front_end for t in heavy}):
        warm_up = getattr(contract.module_of(contract.by_name(fe)), "warm_up", None)
        if warm_up is not None:
            warm_up()
