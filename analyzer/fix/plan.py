"""``lexiam fix``: apply the fixes of a scan, in rounds, each round checked by scanning again.

The work is done on a shadow copy of the scanned tree (a temporary folder; files hard-linked where
possible, every edited file written anew there), so the real tree is touched only at the end, and only
by :func:`write_fixes`, and not at all with ``--diff``.  A round:

1. takes every finding of the last scan whose fix is allowed (safe, or unsafe with ``--unsafe-fixes``),
   and asks :class:`~lexiam.fix.edits.FileFixer` for the edits, file by file; two fixes whose edits
   touch the same text are not made in the same round: one waits for the next, which sees the file
   as the first left it;
2. parses each edited file again and checks that each edited value reads as intended;
3. scans the shadow tree again: every fixed finding must be gone and no finding may have appeared
   (counted by rule, file, resource and path, so that a finding whose text moved is the same finding).
   A file that fails is put back as it was before the round, and the fixes to blame are reported and
   not tried again; the others are tried again in the next round.

Rounds end when nothing is left to fix, or after ``max_rounds``.  Every round fixes or rejects at least
one finding, and no round adds one, so the rounds end.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lexiam.contract import SKIP_DIRS, Options
from lexiam.fix.edits import Change, FileFixer
from lexiam.fix.text import Edit, FixError, apply_edits, unified_diff
from lexiam.model import Finding, ScanResult

MAX_ROUNDS = 8
FIX_UNSAFE = "unsafe"


def identity(f: Finding) -> tuple[object, ...]:
    """A finding across rounds: its rule, file, resource and path (its position and text move)."""
    return (f.rule_id, f.file, f.resource, f.path)


def fix_key(f: Finding) -> tuple[object, ...]:
    return (*identity(f), f.fix)


@dataclass
class FileChange:
    file: str  # as the report names it
    path: Path  # where it is
    before: str
    after: str
    bom: bool = False

    def diff(self) -> str:
        return unified_diff(self.before, self.after, self.file)


@dataclass
class FixPlan:
    """What ``lexiam fix`` does (or, with ``--diff``, would do)."""

    result: ScanResult  # the scan after the fixes (the scan before them when nothing was fixed)
    fixed: list[Finding] = field(default_factory=list)  # the findings of the first scan that the fixes remove
    refused: list[tuple[Finding, str]] = field(default_factory=list)  # findings with a fix not made, and why
    unsafe: list[Finding] = field(default_factory=list)  # findings with an unsafe fix (not asked for)
    changes: dict[str, FileChange] = field(default_factory=dict)
    rounds: int = 0
    notices: list[str] = field(default_factory=list)

    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(f.rule_id for f in self.fixed).items()))

    def diff(self) -> str:
        return "".join(self.changes[k].diff() for k in sorted(self.changes))

    def replacements(self) -> dict[Finding, tuple[str, list[tuple[tuple[int, int, int, int], str]]]]:
        """For each fixed finding, its fix on its own, against the file as the first scan read it: a title and
        the replacements ((line, column, end line, end column) to delete, the text to insert), as SARIF wants
        them.  A finding whose fix needs the others' edits (a later round) is left out."""
        out: dict[Finding, tuple[str, list[tuple[tuple[int, int, int, int], str]]]] = {}
        fixers: dict[str, FileFixer | None] = {}
        for f in self.fixed:
            change = self.changes.get(f.file)
            if change is None or f.fix is None:
                continue
            if f.file not in fixers:
                try:
                    fixers[f.file] = FileFixer(f.file, change.before)
                except FixError:
                    fixers[f.file] = None
            fixer = fixers[f.file]
            if fixer is None:
                continue
            planned, refused = fixer.plan([(f, f.fix)])
            if refused or not planned:
                continue
            src = fixer.src
            out[f] = (f.fix.title, [((*src.position(e.start), *src.position(e.end)), e.text)
                                    for e in sorted(planned[0].edits, key=lambda e: e.start)])
        return out


def wanted(f: Finding, unsafe: bool) -> bool:
    return f.fix is not None and f.suppressed is None and (unsafe or f.fix.safety != FIX_UNSAFE)


def plan_fixes(result: ScanResult, paths: Iterable[Path], options: Options, baseline: object = None,
               unsafe: bool = False, max_rounds: int = MAX_ROUNDS) -> FixPlan:
    """The fixes of a scan's findings, made and checked on a shadow copy of the scanned tree."""
    paths = list(paths)
    plan = FixPlan(result)
    plan.unsafe = [f for f in result.findings if f.fix is not None and f.suppressed is None
                   and f.fix.safety == FIX_UNSAFE and not unsafe]
    if not any(wanted(f, unsafe) for f in result.findings):
        return plan
    shadow = Shadow(paths, options)
    try:
        _rounds(plan, shadow, paths, options, baseline, unsafe, max_rounds)
    finally:
        shadow.close()
    return plan


def _rounds(plan: FixPlan, shadow: Shadow, paths: list[Path], options: Options, baseline: object,
            unsafe: bool, max_rounds: int) -> None:
    first = plan.result
    texts: dict[str, FileChange] = {}
    rejected: set[tuple[object, ...]] = set()
    before = first
    stale = False

    def fixable(f: Finding) -> bool:
        return wanted(f, unsafe) and fix_key(f) not in rejected

    for _round in range(max_rounds):
        if stale:
            before = shadow.scan(options, baseline)
            stale = False
        todo: dict[str, list[Finding]] = {}
        for f in before.findings:
            if fixable(f):
                todo.setdefault(f.file, []).append(f)
        if not todo:
            break
        plan.rounds += 1
        made: dict[str, tuple[str, str, list[Change]]] = {}
        for file, found in sorted(todo.items()):
            change = texts.get(file) or _read(shadow, file, options)
            if isinstance(change, str):
                _refuse(plan, rejected, found, change)
                continue
            texts.setdefault(file, change)
            text = change.after
            try:
                fixer = FileFixer(file, text, _module(shadow, file, options, texts))
            except FixError as exc:
                _refuse(plan, rejected, found, str(exc))
                continue
            changes, refused = fixer.plan([(f, f.fix) for f in found if f.fix is not None])
            for f, why in refused:
                _refuse(plan, rejected, [f], why)
            chosen = _independent(changes)
            new = text
            while chosen:
                new = apply_edits(text, [e for c in chosen for e in c.edits])
                try:
                    wrong = fixer.verify(chosen, new)
                except FixError as exc:
                    _refuse(plan, rejected, [f for c in chosen for f in c.findings], f"the fixed file would not parse: {exc}")
                    chosen = []
                    break
                if not wrong:
                    break
                _refuse(plan, rejected, [f for c in wrong for f in c.findings],
                        "after the edit the value does not read as intended")
                chosen = [c for c in chosen if c not in wrong]
            if chosen:
                made[file] = (text, new, chosen)
        if not made:
            continue
        for file, (_old, new, _c) in made.items():
            shadow.write(texts[file].path, new, texts[file].bom)
        after = shadow.scan(options, baseline)
        blamed = _blame(before, after, made, fixable)
        for file, (old, new, _chosen) in made.items():
            guilty = blamed.get(file)
            if guilty is None:
                texts[file].after = new
                continue
            shadow.write(texts[file].path, old, texts[file].bom)
            stale = True
            for f, why in guilty:
                _refuse(plan, rejected, [f], why)
        if not stale:
            before = after
    else:
        if any(fixable(f) for f in before.findings):
            plan.notices.append(f"stopped after {max_rounds} rounds of fixes; scan again to fix the rest")
    final = shadow.scan(options, baseline) if stale else before
    final = _settle(plan, shadow, options, baseline, first, final, texts)
    plan.result = shadow.real(final)
    plan.changes = {k: c for k, c in texts.items() if c.after != c.before}
    plan.fixed = _fixed(first, final, unsafe)
    originals = {fix_key(f): f for f in first.findings}
    plan.refused = [(originals[fix_key(f)], why) for f, why in plan.refused if fix_key(f) in originals]


def _settle(plan: FixPlan, shadow: Shadow, options: Options, baseline: object, first: ScanResult,
            final: ScanResult, texts: dict[str, FileChange]) -> ScanResult:
    """The last check, against the first scan: a round may leave a new finding that has a fix of its own
    (fixing one action can make its statement a Lex V2 one, where another action is then a Lex V1 one);
    once the rounds are over, no finding may be new.  A file that has one is put back as it was, with
    every fix made in it reported, until none is left."""
    for _attempt in range(len(texts) + 1):
        was = Counter(identity(f) for f in first.findings)
        now = Counter(identity(f) for f in final.findings)
        edited = {k for k, c in texts.items() if c.after != c.before}
        back: dict[str, str] = {}
        for f in final.findings:
            key = identity(f)
            if now[key] <= was[key]:
                continue
            files = [f.file] if f.file in edited else [k for k in edited if os.path.dirname(k) == os.path.dirname(f.file)]
            for k in files or sorted(edited):
                back.setdefault(k, f"after the fixes lexiam would report {f.rule_id} at {f.file}:{f.line}: {f.message}")
            now[key] -= 1
        if not back:
            return final
        for k, why in back.items():
            change = texts[k]
            shadow.write(change.path, change.before, change.bom)
            change.after = change.before
            plan.refused.extend((f, f"rolled back: {why}") for f in first.findings
                                if f.file == k and f.fix is not None and f.suppressed is None)
        final = shadow.scan(options, baseline)
    return final


def _fixed(first: ScanResult, final: ScanResult, unsafe: bool) -> list[Finding]:
    """The findings of the first scan that the fixes removed: for each rule, file, resource and path, as many
    of its findings with a fix as are no longer reported."""
    was = Counter(identity(f) for f in first.findings)
    now = Counter(identity(f) for f in final.findings)
    gone: Counter[tuple[object, ...]] = Counter()
    out = []
    for f in first.findings:
        key = identity(f)
        if wanted(f, unsafe) and gone[key] < was[key] - now[key]:
            gone[key] += 1
            out.append(f)
    return out


def _module(shadow: Shadow, file: str, options: Options, texts: dict[str, FileChange]) -> dict[str, str] | None:
    """The texts of the Terraform files beside a ``.tf`` file, by report name (as the shadow tree has them now)."""
    if not file.endswith(".tf"):
        return None
    path = Path(file) if os.path.isabs(file) else options.root / file
    folder = shadow.mirror(path).parent
    out: dict[str, str] = {}
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".tf"))
    except OSError:
        return None
    head = file.rsplit("/", 1)[0] + "/" if "/" in file else ""
    for name in names:
        rel = head + name
        if rel in texts:
            out[rel] = texts[rel].after
            continue
        try:
            out[rel] = (folder / name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def _refuse(plan: FixPlan, rejected: set[tuple[object, ...]], findings: list[Finding], why: str) -> None:
    for f in findings:
        if fix_key(f) not in rejected:
            rejected.add(fix_key(f))
            plan.refused.append((f, why))


def _independent(changes: list[Change]) -> list[Change]:
    """The changes of one round: each in turn, unless its edits touch an edit already taken."""
    chosen: list[Change] = []
    taken: list[Edit] = []
    for c in sorted(changes, key=lambda c: min(e.start for e in c.edits)):
        same = next((o for o in chosen if o.edits == c.edits), None)
        if same is not None:  # the same edit for another finding (one value, several module instances)
            same.findings.extend(c.findings)
            continue
        if any(e.overlaps(t) for e in c.edits for t in taken):
            continue  # the next round, on the text this round leaves
        chosen.append(c)
        taken.extend(c.edits)
    return chosen


def _blame(before: ScanResult, after: ScanResult, made: dict[str, tuple[str, str, list[Change]]],
           fixable: Callable[[Finding], bool]) -> dict[str, list[tuple[Finding, str]]]:
    """The files whose edits this round must be undone, each with the fixes to blame and why: a finding
    fixed that is still reported, or one that was not reported before the round and has no fix to make
    (a new finding with a fix of its own waits for the next round; the last check is :func:`_settle`)."""
    fixed = Counter(identity(f) for _o, _n, chosen in made.values() for c in chosen for f in c.findings)
    was = Counter(identity(f) for f in before.findings)
    now = Counter(identity(f) for f in after.findings)
    out: dict[str, list[tuple[Finding, str]]] = {}
    mine = {file: [f for c in chosen for f in c.findings] for file, (_o, _n, chosen) in made.items()}
    for f in after.findings:
        key = identity(f)
        if now[key] <= was[key] - fixed[key]:
            continue
        now[key] -= 1  # one report per extra finding
        if fixed[key]:
            culprits = [(file, g) for file, gs in mine.items() for g in gs if identity(g) == key]
            why = f"the fix did not remove the finding ({f.rule_id} is still reported)"
        elif fixable(f):
            continue
        else:
            files = [f.file] if f.file in mine else [m for m in mine if os.path.dirname(m) == os.path.dirname(f.file)]
            files = files or list(mine)
            culprits = [(file, g) for file in files for g in mine[file] if g.resource == f.resource] or \
                       [(file, g) for file in files for g in mine[file]]
            why = f"after the fix lexiam would report {f.rule_id} at {f.file}:{f.line}: {f.message}"
        for file, g in culprits:
            if all(g is not h for h, _w in out.get(file, [])):
                out.setdefault(file, []).append((g, why))
    return out


def _read(shadow: Shadow, file: str, options: Options) -> FileChange | str:
    """A file of the scan as text (its report name, where it is), or why it cannot be edited."""
    path = Path(file) if os.path.isabs(file) else options.root / file
    try:
        data = shadow.mirror(path).read_bytes()
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError:
        return "the file is not UTF-8 text"
    return FileChange(file, path, text, text, bom)


# --- the shadow tree --------------------------------------------------------------------------------------

class Shadow:
    """A copy of the scanned files and folders below a temporary folder, at the same absolute paths (so
    that every path relative to the scan root is the same in the copy); files are hard-linked where the
    file system allows, and an edited file is a new file, never written through the link."""

    def __init__(self, paths: list[Path], options: Options) -> None:
        self.tmp = tempfile.mkdtemp(prefix="lexiam-fix-")
        self.base = os.path.realpath(self.tmp)
        self.roots = [os.path.abspath(p) for p in paths]
        self.limit = options.max_file_bytes
        for root in self.roots:
            self._copy(root)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mirror(self, path: Path | str) -> Path:
        absolute = os.path.abspath(path)
        drive, rest = os.path.splitdrive(absolute)
        return Path(self.base + os.sep + drive.replace(":", "") + rest)

    def inside(self, path: str) -> bool:
        return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)

    def _copy(self, root: str) -> None:
        if not os.path.isdir(root):  # a file named on the command line: its content, even through a link
            self._file(root)
            if root.endswith((".tf", ".tfvars", ".tfvars.json")):  # its folder is the unit the scan reads
                self._copy(os.path.dirname(root))
            return
        os.makedirs(self.mirror(root), exist_ok=True)
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not self._link(os.path.join(folder, d))]
            os.makedirs(self.mirror(folder), exist_ok=True)
            for name in files:
                path = os.path.join(folder, name)
                if not self._link(path):
                    self._file(path)

    def _link(self, path: str) -> bool:
        """Copy a symbolic link as a link (to the copy of its target, when that is in the scan); True if it is one."""
        if not os.path.islink(path):
            return False
        target = os.readlink(path)
        real = os.path.abspath(os.path.join(os.path.dirname(path), target))
        if os.path.isabs(target):
            if not self.inside(real):
                return True  # the scan does not follow it either
            target = str(self.mirror(real))
        dest = self.mirror(path)
        os.makedirs(dest.parent, exist_ok=True)
        try:
            os.symlink(target, dest)
        except FileExistsError:
            pass
        return True

    def _file(self, path: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        if not stat.S_ISREG(st.st_mode):
            return
        dest = self.mirror(path)
        if dest.exists() or dest.is_symlink():
            return
        os.makedirs(dest.parent, exist_ok=True)
        try:
            os.link(os.path.realpath(path), dest)
        except OSError:
            if st.st_size <= self.limit:
                try:
                    shutil.copyfile(path, dest)
                except OSError:
                    pass

    def write(self, path: Path, text: str, bom: bool) -> None:
        dest = self.mirror(path)
        tmp = dest.with_name(dest.name + ".lexiam-new")
        tmp.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        os.replace(tmp, dest)  # never through the hard link to the real file

    def scan(self, options: Options, baseline: object) -> ScanResult:
        from lexiam.engine import scan

        exclude = options.exclude
        shadow = dataclasses.replace(
            options, root=self.mirror(options.root), scan_paths=(), progress=None,
            tf_var_files=tuple(self.mirror(p) if self.inside(os.path.abspath(p)) else p for p in options.tf_var_files),
            exclude=(lambda p: exclude(Path(self.unmirror(str(p))))) if exclude is not None else None)
        return scan([self.mirror(r) for r in self.roots], shadow, baseline)  # type: ignore[arg-type]

    def unmirror(self, path: str) -> str:
        return path[len(self.base):] if path.startswith(self.base + os.sep) else path

    def real(self, result: ScanResult) -> ScanResult:
        """A scan of the shadow tree as a scan of the real one (paths outside the scan root are absolute)."""
        findings = [f if not os.path.isabs(f.file) else dataclasses.replace(f, file=self.unmirror(f.file))
                    for f in result.findings]
        files = [r if not os.path.isabs(r.file) else dataclasses.replace(r, file=self.unmirror(r.file))
                 for r in result.files]
        notices = [n.replace(self.base, "") for n in result.notices]
        return ScanResult(findings, files, result.baselined, notices)


# --- writing -----------------------------------------------------------------------------------------------

def write_fixes(plan: FixPlan, paths: Iterable[Path]) -> list[str]:
    """Write the fixed files into the real tree (atomically, never through a link, never outside the
    scanned paths, never into .git); returns why a file was not written, one line each."""
    from lexiam.output import OutputError, safe_write

    roots = [os.path.realpath(p) for p in paths]
    problems = []
    for name in sorted(plan.changes):
        change = plan.changes[name]
        real = os.path.realpath(change.path)
        base = next((r for r in roots if real == r or real.startswith(r.rstrip(os.sep) + os.sep)), None)
        if base is None:
            problems.append(f"{name}: not written: outside the scanned paths")
            continue
        try:
            current = Path(change.path).read_bytes()
        except OSError as exc:
            problems.append(f"{name}: not written: {exc.strerror or exc}")
            continue
        if current != (b"\xef\xbb\xbf" if change.bom else b"") + change.before.encode("utf-8"):
            problems.append(f"{name}: not written: the file changed while lexiam was fixing it")
            continue
        folder = base if os.path.isdir(base) else os.path.dirname(base)
        try:
            safe_write(change.path, (b"\xef\xbb\xbf" if change.bom else b"") + change.after.encode("utf-8"),
                       base=Path(folder))
        except OutputError as exc:
            problems.append(f"{name}: not written: {exc}")
    return problems
