"""The shared corpus through load_module: no traceback, every .tf file accounted for once.
Skipped cleanly when ../shared is absent.  ``python -m tests.terraform.test_tf_corpus`` prints timings."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from lexiam.engine import Options, discover, relative
from lexiam.terraform.module import load_module
from tests.terraform.conftest import SHARED

CORPORA = ("corpus/general/tf", "corpus/lex")


def run(root: Path) -> tuple[float, dict[str, int], int, int]:
    """Load every Terraform folder under root; returns (seconds, statuses, units, input errors)."""
    root = root.resolve()
    options = Options(root=root)
    found = discover([root])
    start = time.monotonic()
    statuses: dict[str, int] = {}
    units = errors = 0
    for folder, names in sorted(found.tf_modules.items()):
        files = [folder / n for n in names]
        out = load_module(folder, files, lambda p: relative(p, root), options)
        reported = [f.file for f in out.files]
        assert sorted(reported) == sorted(relative(f, root) for f in files), folder
        for f in out.files:
            statuses[f.status] = statuses.get(f.status, 0) + 1
        units += len(out.units)
        errors += len(out.errors)
    return time.monotonic() - start, statuses, units, errors


@pytest.mark.parametrize("corpus", CORPORA)
def test_corpus_loads_without_traceback(corpus: str) -> None:
    root = SHARED / corpus
    if not root.is_dir():
        pytest.skip("../shared is not present")
    _seconds, statuses, units, errors = run(root)
    assert sum(statuses.values()) > 0 and units > 0


if __name__ == "__main__":  # pragma: no cover - a timing report
    for corpus in sys.argv[1:] or CORPORA:
        seconds, statuses, units, errors = run(SHARED / corpus)
        print(f"{corpus}: {seconds:.2f}s {statuses} units={units} E9500={errors}")
