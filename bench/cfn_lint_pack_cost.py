"""What the lexiam rule pack adds to a cfn-lint run.

    python bench/cfn_lint_pack_cost.py [--corpus ../shared/corpus] [--repeat 3] [--max-ratio 1.10]

Runs the installed ``cfn-lint`` (the one beside this Python) on the general CloudFormation corpus
(``corpus/general/cfn``) plus the Lex CloudFormation files under ``corpus/lex`` (``*.yaml``, ``*.yml``,
``*.json``), once without and once with ``--append-rules lexiam.cfn_lint``, alternating, ``--repeat``
times; prints each run's CPU time (user + system of the cfn-lint process) and wall time, the medians
and their ratios.  Exit 1 when the CPU-time ratio is over ``--max-ratio`` (the pack must add no more
than 10%): on a shared machine the wall time of the same run varies by more than that, the CPU time
much less.  Every run lints the same files in one process, so start-up is in both; ``--limit N`` takes
the first N files for a quick look.

One more run with the pack times the pack's own work inside cfn-lint (converting, extracting and
checking each template) and prints it as a share of that run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SUFFIXES = (".yaml", ".yml", ".json")


def corpus_files(corpus: Path) -> list[Path]:
    general = sorted(p for p in (corpus / "general" / "cfn").iterdir() if p.suffix in SUFFIXES and p.is_file())
    lex = sorted(p for p in (corpus / "lex").rglob("*") if p.suffix in SUFFIXES and p.is_file() and _is_template(p))
    return general + lex


def _is_template(path: Path) -> bool:
    """The Lex corpus also holds Terraform plans, package.json files and the like: keep the CloudFormation."""
    from lexiam.cloudformation import looks_like_template

    try:
        return looks_like_template(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


# cfn-lint in this process, with a clock around the pack's shared run per template (and its preparation
# of templates that declare a transform); prints the seconds spent in the pack last.
OWN_TIME = """
import sys, time
import lexiam.cfn_lint as pack
spent, depth = [0.0], [0]
def timed(fn):
    def inner(*args):
        if depth[0]:
            return fn(*args)
        depth[0] += 1
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            spent[0] += time.perf_counter() - start
            depth[0] -= 1
    return inner
pack._run, pack._prepare = timed(pack._run), timed(pack._prepare)
from cfnlint.runner import main
sys.argv = ["cfn-lint", *sys.argv[1:]]
try:
    main()
finally:
    print(f"lexiam-pack-seconds {spent[0]:.3f}", file=sys.stderr)
"""
ARGS = ["--regions", "us-east-1", "--format", "parseable"]
PACK = ["--append-rules", "lexiam.cfn_lint"]


def lint(files: list[Path], pack: bool, own_time: bool = False) -> tuple[float, float, float]:
    """CPU and wall seconds of one cfn-lint run, and (``own_time``) the seconds spent in the pack."""
    cmd = [sys.executable, "-c", OWN_TIME] if own_time else [str(Path(sys.executable).parent / "cfn-lint")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*cmd, *ARGS, *(PACK if pack else []), "--", *map(str, files)],
                          capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if "Traceback" in proc.stderr:
        sys.exit(f"cfn-lint failed:\n{proc.stderr[-3000:]}")
    spent = [line.split()[1] for line in proc.stderr.splitlines() if line.startswith("lexiam-pack-seconds ")]
    return cpu, wall, float(spent[-1]) if spent else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--max-ratio", type=float, default=1.10)
    args = parser.parse_args(argv)
    files = corpus_files(args.corpus)
    if args.limit:
        files = files[: args.limit]
    if not files:
        print(f"no templates under {args.corpus}", file=sys.stderr)
        return 2
    print(f"{len(files)} templates, cfn-lint {_version()}, {args.repeat} runs each, alternating", flush=True)
    runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for i in range(args.repeat):
        # alternate which one goes first, so that a slow start or warm caches favour neither
        for pack in ((False, True) if i % 2 == 0 else (True, False)):
            cpu, wall, _ = lint(files, pack)
            runs[pack].append((cpu, wall))
            print(f"  run {i + 1} {'with the pack' if pack else 'without     '}: {cpu:7.2f} s CPU {wall:7.2f} s wall",
                  flush=True)
    ratio = 0.0
    for n, what in enumerate(("CPU", "wall")):
        base, packed = (statistics.median(r[n] for r in runs[pack]) for pack in (False, True))
        print(f"{what}: median without {base:.2f} s, with the pack {packed:.2f} s: "
              f"ratio {packed / base:.3f} ({(packed / base - 1) * 100:+.1f}%)")
        ratio = ratio or packed / base
    _, wall, own = lint(files, True, own_time=True)
    print(f"the pack's own work in one more run: {own:.2f} s of {wall:.2f} s wall ({own / wall * 100:.2f}%)")
    if ratio > args.max_ratio:
        print(f"the pack adds more than {(args.max_ratio - 1) * 100:.0f}%", file=sys.stderr)
        return 1
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("cfn-lint")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
