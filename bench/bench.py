"""lexiam against its peers (checkov, cfn-lint) and against the floor, on the same inputs.

    python bench/bench.py [--quick] [--reps N] [--corpus DIR] [--max-load L] [--output FILE]

Not part of CI.  What it does, in one run:

* installs, each in its own virtualenv under ``bench/.work/`` (gitignored): lexiam from this checkout
  (a regular, non-editable install, redone when the sources change), checkov and cfn-lint at the
  versions pinned below;
* builds a synthetic monorepo ten times the corpus (``bench/.work/mono10x``): every corpus file ten
  times, under other folder and file names, each copy's text changed a little (a comment or blank
  line at its end), so nothing can be served from a cache;
* times, ``--reps`` times, alternating between tools (the order rotates each repetition), every tool
  on every input it applies to; wall time, CPU time and peak memory of each run; medians;
* prints the figures and writes ``docs/performance.md`` (``--quick``: fewer repetitions, no 10x
  monorepo, and the report goes to ``bench/.work/performance-quick.md``).

The inputs: the whole corpus (``../shared/corpus``), its CloudFormation templates alone (what
cfn-lint reads), one small template from ``sample_templates/``, and the 10x monorepo.

The floor: a fresh Python process that reads and parses, with the parsers lexiam uses (libyaml's
composer for templates; for ``.tf`` files python-hcl2's grammar and tables loaded as lexiam loads
them, without positions propagated into the rules), exactly the files lexiam
parses on that input (recorded by running lexiam's scan once with the parse functions wrapped), and
does nothing else.  It is what any tool that reads those files with those parsers must pay.

Peak memory is given two ways, both sampled every 20 ms from ``/proc``: the largest peak resident
set of a single process (``VmHWM``) and the largest sum of the proportional set sizes (PSS: shared
pages counted once) over the process tree (a tool with worker processes uses the memory of all of
them at once).  (``ru_maxrss`` from ``wait4`` is not used: it keeps the high-water mark of the
forked benchmark process from before ``exec``.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
SMALL_TEMPLATE = REPO / "sample_templates" / "cloudformation" / "E9522-bot-role-wrong-slr" / "bad.yaml"

CHECKOV_VERSION = "3.3.30"
CFN_LINT_VERSION = "1.58.0"
SETUPTOOLS_SPEC = "setuptools>=77"

CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_TEMPLATE_KEY = re.compile(r"""(?:^|[{,])[ \t]*["']?(?:AWSTemplateFormatVersion|Resources)["']?[ \t]*:""", re.M)
MONO_COPIES = 10
MONO_STAMP = "mono-v2"

# checkov offline: no API key, no download of its check mapping, no version check; and a proxy that
# refuses at once, so that any request it still makes fails fast instead of hanging.
CHECKOV_ENV = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "LOG_LEVEL": "ERROR",
    "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": "",
}
CHECKOV_UNSET = ("BC_API_KEY", "PRISMA_API_URL", "BC_REPO_ID")


# --- virtualenvs ---------------------------------------------------------------------------------

def venv(name: str) -> Path:
    return WORK / name


def _pip(env: Path, *args: str) -> None:
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
                   check=True)


def _ensure_venv(env: Path) -> None:
    if not (env / "bin" / "python").exists():
        print(f"creating {env.relative_to(REPO)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)


def _installed_version(env: Path, dist: str) -> str | None:
    out = subprocess.run([str(env / "bin" / "python"), "-c",
                          f"from importlib.metadata import version; print(version({dist!r}))"],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def ensure_peer(name: str, dist: str, version: str) -> Path:
    env = venv(name)
    _ensure_venv(env)
    if _installed_version(env, dist) != version:
        print(f"installing {dist}=={version} in {env.relative_to(REPO)} (this can take minutes)", file=sys.stderr)
        _pip(env, f"{dist}=={version}")
    return env


def _source_hash() -> str:
    h = hashlib.sha256()
    for top in ("analyzer", "rules"):
        for p in sorted((REPO / top).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(REPO)).encode())
                h.update(p.read_bytes())
    h.update((REPO / "pyproject.toml").read_bytes())
    return h.hexdigest()


def ensure_lexiam() -> Path:
    """A regular (non-editable) install of this checkout, as a user gets it; redone when it changed."""
    env = venv("lexiam")
    _ensure_venv(env)
    stamp = env / "lexiam-source.sha256"
    digest = _source_hash()
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"installing lexiam from {REPO} in {env.relative_to(REPO)}", file=sys.stderr)
        _pip(env, SETUPTOOLS_SPEC)
        _pip(env, "--no-build-isolation", "--force-reinstall", "--no-deps", str(REPO))
        _pip(env, "--no-build-isolation", str(REPO))  # its dependencies, when missing
        stamp.write_text(digest)
    return env


# --- inputs --------------------------------------------------------------------------------------

def cfn_templates(root: Path) -> list[Path]:
    """The CloudFormation templates below ``root`` (what cfn-lint is given): a template suffix and a
    top-level ``AWSTemplateFormatVersion`` or ``Resources`` key; Terraform plans left out."""
    out = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() in CFN_SUFFIXES and p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            if _TEMPLATE_KEY.search(text) and '"terraform_version"' not in text[:4096]:
                out.append(p)
    return out


def build_monorepo(corpus: Path, dest: Path) -> Path:
    """``MONO_COPIES`` copies of every corpus file, in other folders, ``.tf`` and YAML files renamed,
    each copy's text changed at its end (a comment in YAML and HCL, blank space in JSON).  Folders
    keep their shape below the copy's root, so ``source = "../x"`` module calls still resolve."""
    stamp = dest / ".stamp"
    want = f"{MONO_STAMP} {corpus} {MONO_COPIES}"
    if stamp.exists() and stamp.read_text() == want:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    print(f"building the {MONO_COPIES}x monorepo in {dest.relative_to(REPO)}", file=sys.stderr)
    teams = ("payments", "contact-center", "platform", "growth", "support")
    for i in range(MONO_COPIES):
        base = dest / f"team-{teams[i % len(teams)]}" / f"svc{i:02d}-{corpus.name}"
        for src in sorted(corpus.rglob("*")):
            if not src.is_file() or src.is_symlink():
                continue
            rel = src.relative_to(corpus)
            name = rel.name
            suffix = src.suffix.lower()
            data = src.read_bytes()
            if suffix in (".tf", ".yaml", ".yml"):
                name = f"{src.stem}-c{i}{src.suffix}"
                data += f"\n# copy {i}, variant {zlib.crc32(rel.as_posix().encode()) % 9973}\n".encode()
            elif suffix == ".json":
                data += b"\n" + b" " * (i + 1) + b"\n"
            target = base / rel.parent / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    stamp.write_text(want)
    return dest


_CHECKOV_CRASHERS = r"""
import json, os, sys
from checkov.cloudformation.parser import parse

out = []
for folder, _dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.lower().endswith((".yaml", ".yml", ".json", ".template")):
            path = os.path.join(folder, name)
            try:
                template, _lines = parse(path)
            except Exception:
                continue
            resources = template.get("Resources") if isinstance(template, dict) else None
            for resource in (resources.values() if isinstance(resources, dict) else ()):
                try:
                    hash(resource.get("Type") if isinstance(resource, dict) else None)
                except TypeError:
                    out.append(path)
                    break
json.dump(sorted(out), sys.stdout)
"""


def checkov_crashers(checkov_env: Path, root: Path) -> list[Path]:
    """Templates with a resource whose ``Type`` is not a string once checkov has parsed them (Rain
    modules, for one): checkov 3.3.30's CloudFormation runner raises ``TypeError: unhashable type:
    'dict'`` on them and the whole run ends with no report.  Found with checkov's own parser."""
    out = subprocess.run([str(checkov_env / "bin" / "python"), "-c", _CHECKOV_CRASHERS, str(root)],
                         capture_output=True, text=True, check=True)
    return [Path(p) for p in json.loads(out.stdout)]


def tree_size(paths: list[Path]) -> tuple[int, int]:
    files = size = 0
    for top in paths:
        for p in [top] if top.is_file() else top.rglob("*"):
            if p.is_file():
                files += 1
                size += p.stat().st_size
    return files, size


# --- what lexiam parses, and the floor -----------------------------------------------------------

_PARSED_SCRIPT = r"""
import json, sys
from pathlib import Path
import lexiam.positioned as positioned
import lexiam.terraform.hcl as hcl
import lexiam.terraform.module
import lexiam.terraform.sources
import lexiam.terraform.variables
from lexiam.engine import Options, scan

root = Path(sys.argv[1]).resolve()
paths = [Path(p) for p in json.loads(sys.argv[2])]
seen = set()

def wrap(module, name, original):
    def wrapped(text, rel, *args, **kwargs):
        seen.add(rel)
        return original(text, rel, *args, **kwargs)
    setattr(module, name, wrapped)

# every module that holds the parse functions under their own name (imported "from ... import")
for name, original in (("load", positioned.load), ("parse_file", hcl.parse_file)):
    for m in list(sys.modules.values()):
        if getattr(m, "__name__", "").startswith("lexiam") and getattr(m, name, None) is original:
            wrap(m, name, original)
scan(paths, Options(root=root, jobs=1))
kind = lambda rel: "hcl" if rel.endswith((".tf", ".tfvars")) else "yaml"
json.dump(sorted([str(root / rel), kind(rel)] for rel in seen if (root / rel).is_file()), sys.stdout)
"""

_FLOOR_SCRIPT = r"""
import json, sys
import yaml

parser = None
for path, kind in json.load(open(sys.argv[1])):
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8-sig", "replace")
    try:
        if kind == "hcl":
            if parser is None:  # loaded when HCL is first parsed, as lexiam does
                from lexiam.terraform.hcl import _parsers
                parser = _parsers()[0] or _parsers()[1]  # the Lark parser lexiam parses HCL with, nothing around it
            parser.parse(text + "\n")
        else:
            yaml.compose(text, Loader=yaml.CSafeLoader)
    except Exception:
        pass
"""


def parsed_files(lexiam_env: Path, cwd: Path, paths: list[str], dest: Path) -> int:
    """Record the files lexiam parses on these paths (a JSON list of [path, "yaml"|"hcl"])."""
    out = subprocess.run([str(lexiam_env / "bin" / "python"), "-c", _PARSED_SCRIPT, str(cwd), json.dumps(paths)],
                         cwd=cwd, capture_output=True, text=True, check=True)
    dest.write_text(out.stdout)
    return len(json.loads(out.stdout))


# --- running and measuring -----------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_kb: int  # the largest peak RSS (VmHWM) of a single process, sampled
    tree_kb: int  # the largest sampled sum of PSS over the process tree
    rc: int
    load: float


@dataclass
class Case:
    input: str
    tool: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    unset: tuple[str, ...] = ()
    timeout: float = 600
    stdout: Path | None = None
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    def peak(self, attr: str) -> int:
        return max(getattr(r, attr) for r in self.runs)


def _memory_kb(pid: str) -> tuple[int, int]:
    """A process's proportional set size (its private memory plus its share of the pages it shares: a
    forked worker shares most of its parent's, so a sum over processes counts each page once) and its
    peak resident set size so far (VmHWM)."""
    pss = hwm = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    with open(f"/proc/{pid}/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith(b"VmRSS:") and not pss:  # no smaps_rollup (Linux < 4.14): the RSS
                pss = int(line.split()[1])
    return pss, hwm


def _session_memory_kb(sid: int) -> tuple[int, int]:
    """(sum of PSS, largest peak RSS) over the processes of a session."""
    total = largest = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[3]) != sid:  # field 6 of stat: the session id
                continue
            pss, hwm = _memory_kb(entry.name)
        except (OSError, IndexError, ValueError):
            continue
        total += pss
        largest = max(largest, hwm)
    return total, largest


def run_once(case: Case) -> Run:
    env = {k: v for k, v in os.environ.items() if k not in case.unset}
    env.update(case.env)
    out = open(case.stdout, "wb") if case.stdout else subprocess.DEVNULL
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(case.argv, cwd=case.cwd, env=env, stdout=out, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    peak = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        while True:
            total, largest = _session_memory_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            if stop.wait(0.02):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = threading.Timer(case.timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        stop.set()
        sampler.join()
        if out is not subprocess.DEVNULL:
            out.close()
    wall = time.perf_counter() - start
    proc.returncode = rc = os.waitstatus_to_exitcode(status)
    if rc < 0:
        raise SystemExit(f"{case.tool} on {case.input} was killed (signal {-rc}; timeout {case.timeout} s): {case.argv}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak[1], peak[0], rc, load)


def wait_for_quiet(max_load: float, max_wait: float) -> float:
    """Wait (up to ``max_wait`` seconds) until the 1-minute load average is under ``max_load``."""
    deadline = time.monotonic() + max_wait
    load = os.getloadavg()[0]
    while load >= max_load and time.monotonic() < deadline:
        print(f"  load average {load:.2f} >= {max_load}: waiting", file=sys.stderr)
        time.sleep(15)
        load = os.getloadavg()[0]
    return load


# --- the machine ---------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {"cpu": cpu, "cores": str(cores), "ram": ram, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}"}


def versions(lexiam_env: Path, checkov_env: Path, cfnlint_env: Path) -> dict[str, str]:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "analyzer", "rules"],
                           capture_output=True, text=True)
    out = {"lexiam": f"{_installed_version(lexiam_env, 'lexiam')} (commit {commit.stdout.strip()}"
                     f"{', with uncommitted changes' if dirty.stdout.strip() else ''})"}
    for dist in ("PyYAML", "python-hcl2", "lark"):
        out[dist] = _installed_version(lexiam_env, dist) or "?"
    out["checkov"] = _installed_version(checkov_env, "checkov") or "?"
    out["cfn-lint"] = _installed_version(cfnlint_env, "cfn-lint") or "?"
    return out


# --- the report ----------------------------------------------------------------------------------

def _fmt_s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def _display(argv: list[str]) -> str:
    shown = []
    for a in argv:
        if a == _FLOOR_SCRIPT:
            a = "<the floor script, _FLOOR_SCRIPT in bench/bench.py>"
        for path, name in ((str(WORK), "bench/.work"), (str(REPO), "."), (str(DEFAULT_CORPUS.parent.resolve()), "../shared"),
                           (str(DEFAULT_CORPUS.parent), "../shared")):
            a = a.replace(path, name)
        shown.append(a)
    text = " ".join(shown)
    return text if len(text) < 200 else text[:180] + f" ... ({len(argv)} arguments)"


def report(cases: list[Case], ratios: list[tuple[str, float, str, bool | None]], info: dict[str, object]) -> str:
    lines = ["# Performance", "",
             f"Written by `{info['command']}` on {info['date']}: run the benchmark again rather than edit the "
             "figures (a section after *Notes*, if any, is commentary written by hand).", "",
             "lexiam is timed against checkov and cfn-lint on the same inputs, and against the **floor**: a fresh "
             "Python process that only reads and parses the files lexiam parses on that input, with the same "
             "parsers (libyaml's composer; python-hcl2's grammar and tables, loaded as lexiam loads them, without "
             "positions propagated into the rules). Every tool runs in its own "
             "virtualenv under `bench/.work/`; runs alternate between tools, the order rotating each repetition; "
             "figures are medians.", ""]
    m = info["machine"]
    assert isinstance(m, dict)
    lines += ["## Machine", "",
              f"- CPU: {m['cpu']}, {m['cores']} cores available", f"- RAM: {m['ram']}",
              f"- Python {m['python']}, {m['os']}",
              f"- Load average (1 min) when the runs started: {info['load_start']:.2f}; at the end: {info['load_end']:.2f}; "
              f"median over the runs: {info['load_median']:.2f}, highest: {info['load_max']:.2f}",
              f"- Repetitions: {info['reps']} (peers: {info['peer_reps']})", ""]
    lines += ["## Versions", ""]
    v = info["versions"]
    assert isinstance(v, dict)
    lines += [f"- {k}: {val}" for k, val in v.items()] + [""]
    lines += ["## Inputs", ""]
    for name, desc in info["inputs"].items():  # type: ignore[union-attr]
        lines.append(f"- **{name}**: {desc}")
    lines += ["", "## Results", "",
              "| input | tool | median wall | min | max | CPU (user+sys) | peak RSS, largest process | peak PSS, process tree |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for c in cases:
        walls = [r.wall for r in c.runs]
        lines.append(f"| {c.input} | {c.tool} | {_fmt_s(c.median('wall'))} | {_fmt_s(min(walls))} | {_fmt_s(max(walls))} "
                     f"| {_fmt_s(c.median('cpu'))} | {_mb(c.peak('maxrss_kb'))} | {_mb(c.peak('tree_kb'))} |")
    lines += ["", "## Targets", "", "| what | figure | target | met |", "|---|---:|---|---|"]
    for what, value, target, ok in ratios:
        shown = f"{value:.2f}x" if "x" in target else f"{value:.3f}"
        lines.append(f"| {what} | {shown} | {target} | {'yes' if ok else 'no' if ok is not None else '-'} |")
    lines += ["", "## Commands", "", "Run from the input's folder; `bench/.work/<tool>/bin/` is each tool's virtualenv.", ""]
    for c in cases:
        lines.append(f"- {c.input}, {c.tool}: `{_display(c.argv)}`")
    lines += ["", "checkov runs offline: `BC_API_KEY` unset, `" + " ".join(
        f"{k}={v}" for k, v in CHECKOV_ENV.items() if not k.lower().endswith("proxy")) +
        "`, and HTTP(S)_PROXY set to a closed local port so that a request fails at once instead of hanging.", ""]
    lines += ["## Notes", ""] + [f"- {n}" for n in info["notes"]] + [""]  # type: ignore[union-attr]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help="2 repetitions, no 10x monorepo, report in bench/.work/")
    ap.add_argument("--reps", type=int, help="repetitions of lexiam and the floor (default 5, --quick 2)")
    ap.add_argument("--peer-reps", type=int, help="repetitions of checkov and cfn-lint (default: --reps)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--max-load", type=float, default=1.0,
                    help="wait before each repetition until the 1-minute load average is under this (default 1.0)")
    ap.add_argument("--max-wait", type=float, default=600, help="wait at most this many seconds for it (default 600)")
    ap.add_argument("--output", type=Path, help="the report (default docs/performance.md; --quick: bench/.work/)")
    ap.add_argument("--tools", help="only these tools, comma-separated (lexiam,lexiam --jobs 1,floor,checkov,cfn-lint)")
    args = ap.parse_args(argv)
    reps = args.reps or (2 if args.quick else 5)
    peer_reps = min(args.peer_reps or reps, reps)
    output = args.output or (WORK / "performance-quick.md" if args.quick else REPO / "docs" / "performance.md")
    corpus = args.corpus.resolve()
    WORK.mkdir(parents=True, exist_ok=True)
    outdir = WORK / "out"
    outdir.mkdir(exist_ok=True)

    lexiam_env = ensure_lexiam()
    checkov_env = ensure_peer("checkov", "checkov", CHECKOV_VERSION)
    cfnlint_env = ensure_peer("cfnlint", "cfn-lint", CFN_LINT_VERSION)
    tool_versions = versions(lexiam_env, checkov_env, cfnlint_env)  # now: what was installed, not what changed since
    lexiam = str(lexiam_env / "bin" / "lexiam")
    lexiam_py = str(lexiam_env / "bin" / "python")

    templates = cfn_templates(corpus)
    tlist = [str(p.relative_to(corpus)) for p in templates]
    small = SMALL_TEMPLATE
    mono = None if args.quick else build_monorepo(corpus, WORK / "mono10x")

    inputs: dict[str, str] = {}
    n, size = tree_size([corpus])
    inputs["corpus"] = f"`{_display([str(corpus)])}`, all of it: {n} files, {size / 1e6:.1f} MB"
    inputs["corpus CFN"] = (f"the {len(templates)} CloudFormation templates of the corpus (template suffix and a top-level "
                            "`AWSTemplateFormatVersion` or `Resources` key), given as a list of files")
    inputs["small template"] = f"`{small.relative_to(REPO)}` ({small.stat().st_size} bytes, two bots)"
    if mono is not None:
        n10, size10 = tree_size([mono])
        inputs["10x monorepo"] = (f"`bench/.work/mono10x`: {n10} files, {size10 / 1e6:.1f} MB, "
                                  f"{MONO_COPIES} renamed and edited copies of the corpus")

    lex_common = ["--no-config", "--format", "json", "--fail-on", "none"]
    checkov_common = ["--framework", "cloudformation", "terraform", "--skip-download", "--quiet", "--compact",
                      "--output", "json"]
    cases: list[Case] = []
    notes: list[str] = []

    def floor_case(name: str, cwd: Path, paths: list[str]) -> Case:
        listing = outdir / f"parsed-{name.replace(' ', '-')}.json"
        count = parsed_files(lexiam_env, cwd, paths, listing)
        inputs[name] += f"; lexiam parses {count} of its files"
        return Case(name, "floor", [lexiam_py, "-c", _FLOOR_SCRIPT, str(listing)], cwd)

    def add(name: str, cwd: Path, paths: list[str], peers: bool, cfn_lint: bool) -> None:
        slug = name.replace(" ", "-")
        for tool, extra in (("lexiam", []), ("lexiam --jobs 1", ["--jobs", "1"])):
            report_file = outdir / f"{tool.replace(' ', '')}-{slug}.json"
            cases.append(Case(name, tool, [lexiam, "scan", *paths, *lex_common, *extra, "--output", str(report_file)], cwd))
        cases.append(floor_case(name, cwd, paths))
        if peers:
            args_ = ["-d", paths[0]] if len(paths) == 1 and (cwd / paths[0]).is_dir() else [a for p in paths for a in ("-f", p)]
            crashers = checkov_crashers(checkov_env, cwd) if "-d" in args_ else []
            for crasher in crashers:
                args_ += ["--skip-path", re.escape(crasher.name)]
            if crashers:
                notes.append(f"checkov is not given {len(crashers)} templates of the {name} "
                             f"({', '.join(f'`{c.name}`' for c in crashers)}): a resource `Type` that is a mapping "
                             "crashes its CloudFormation runner (`TypeError: unhashable type: 'dict'`), which ends "
                             "the whole run with no report. lexiam and the floor read them.")
            cases.append(Case(name, "checkov", [str(checkov_env / "bin" / "checkov"), *args_, *checkov_common], cwd,
                              env=CHECKOV_ENV, unset=CHECKOV_UNSET, timeout=3600, stdout=outdir / f"checkov-{slug}.json"))
        if cfn_lint:
            cases.append(Case(name, "cfn-lint", [str(cfnlint_env / "bin" / "cfn-lint"), "--format", "json", "--", *paths],
                              cwd, timeout=3600, stdout=outdir / f"cfnlint-{slug}.json"))

    add("corpus", corpus, ["."], peers=True, cfn_lint=False)
    add("corpus CFN", corpus, tlist, peers=False, cfn_lint=True)
    add("small template", small.parent, [small.name], peers=True, cfn_lint=True)
    if mono is not None:
        add("10x monorepo", mono, ["."], peers=False, cfn_lint=False)

    if args.tools:
        wanted = {t.strip() for t in args.tools.split(",")}
        cases = [c for c in cases if c.tool in wanted]
    load_start = os.getloadavg()[0]
    for rep in range(reps):
        load = wait_for_quiet(args.max_load, args.max_wait)
        print(f"repetition {rep + 1}/{reps} (load average {load:.2f})", file=sys.stderr)
        todo = [c for c in cases if rep < peer_reps or c.tool not in ("checkov", "cfn-lint")]
        shift = rep % len(todo)
        for case in todo[shift:] + todo[:shift]:  # alternate tools; rotate who goes first
            r = run_once(case)
            case.runs.append(r)
            print(f"  {case.input:15} {case.tool:16} {r.wall:8.3f} s  cpu {r.cpu:7.2f} s  "
                  f"{r.maxrss_kb / 1024:6.0f} MB  tree {r.tree_kb / 1024:6.0f} MB  rc {r.rc}", file=sys.stderr)
    load_end = os.getloadavg()[0]

    def med(inp: str, tool: str) -> float | None:
        for c in cases:
            if c.input == inp and c.tool == tool and c.runs:
                return c.median("wall")
        return None

    def peak_tree(inp: str, tool: str) -> int | None:
        for c in cases:
            if c.input == inp and c.tool == tool and c.runs:
                return c.peak("tree_kb")
        return None

    ratios: list[tuple[str, float, str, bool | None]] = []
    lx, ck, fl = med("corpus", "lexiam"), med("corpus", "checkov"), med("corpus", "floor")
    lx1 = med("corpus", "lexiam --jobs 1")
    lxc, cl = med("corpus CFN", "lexiam"), med("corpus CFN", "cfn-lint")
    if lx and ck:
        ratios.append(("corpus: checkov / lexiam", ck / lx, ">= 20x", ck / lx >= 20))
    if lxc and cl:
        ratios.append(("corpus CFN: cfn-lint / lexiam", cl / lxc, ">= 10x", cl / lxc >= 10))
    if lx and fl:
        ratios.append(("corpus: lexiam / floor", lx / fl, "<= 1.5x", lx / fl <= 1.5))
    if lx1 and fl:
        ratios.append(("corpus: lexiam --jobs 1 / floor (both one process)", lx1 / fl, "-", None))
    sm = med("small template", "lexiam")
    if sm is not None:
        ratios.append(("small template: lexiam wall time (s)", sm, "<= 0.25 s", sm <= 0.25))
    l10, l10j1 = med("10x monorepo", "lexiam"), med("10x monorepo", "lexiam --jobs 1")
    if l10 and lx:
        ratios.append(("10x monorepo / corpus: lexiam time", l10 / lx, "<= 11x", l10 / lx <= 11))
    if l10j1 and lx1:
        ratios.append(("10x monorepo / corpus: lexiam --jobs 1 time", l10j1 / lx1, "<= 11x", l10j1 / lx1 <= 11))
    mem = peak_tree("10x monorepo", "lexiam")
    if mem is not None:
        ratios.append(("10x monorepo: lexiam peak memory, process tree (MB)", mem / 1024, "< 200 MB", mem / 1024 < 200))

    print("", file=sys.stderr)
    for c in cases:
        print(f"{c.input:15} {c.tool:16} median {c.median('wall'):8.3f} s  cpu {c.median('cpu'):7.2f} s  "
              f"peak {c.peak('maxrss_kb') / 1024:5.0f} MB  tree {c.peak('tree_kb') / 1024:5.0f} MB")
    for what, value, target, ok in ratios:
        print(f"{what:55} {value:8.2f}  target {target:10} {'met' if ok else 'NOT met' if ok is not None else ''}")

    loads = [r.load for c in cases for r in c.runs]
    info: dict[str, object] = {
        "quick": args.quick, "date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(),
        "command": " ".join(["python bench/bench.py", *(argv if argv is not None else sys.argv[1:])]),
        "versions": tool_versions, "inputs": inputs, "reps": reps,
        "peer_reps": peer_reps, "load_start": load_start, "load_end": load_end,
        "load_median": statistics.median(loads), "load_max": max(loads),
        "notes": [
            "`lexiam` runs with its default `--jobs` (the CPU count): files with something to parse go to worker "
            "processes, the rest are answered in the main process; `lexiam --jobs 1` is one process, like the floor.",
            "The floor is measured on the files lexiam parses, which the prefilter keeps few: a file or Terraform "
            "folder that names neither Lex nor an `aws-service-role` path is read but never parsed.",
            "checkov and cfn-lint report on everything they check, not only Lex and IAM; the comparison is of what "
            "it costs to run each on a repository, which is what a CI step or a pre-commit hook pays.",
            "CPU is user+sys time of the process and its waited-for children (`wait4`).",
            *notes,
        ],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report(cases, ratios, info) + "\n", encoding="utf-8")
    print(f"\nwrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
