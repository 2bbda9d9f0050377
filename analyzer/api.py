"""The Python API: ``from lexiam import scan``.

One function, the same scan as ``lexiam scan`` with ``--no-config``: no configuration file is read, no
report is printed, nothing is written.  It returns the :class:`~lexiam.model.ScanResult` the reporters
read; ``finding.as_dict()`` is one entry of the JSON report's ``findings``.  docs/usage/python.md
describes the shape; tests/test_api.py holds it to that.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from lexiam.engine import Options
from lexiam.engine import scan as _engine_scan
from lexiam.model import ScanResult

__all__ = ["scan"]

PathArg = str | os.PathLike[str]


def _as_paths(paths: PathArg | Iterable[PathArg]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    out = [Path(p) for p in paths]
    if not out:
        raise ValueError("scan() needs at least one file or folder")
    return out


def _ignore(ignore: str | Iterable[str]) -> frozenset[str]:
    from lexiam.rules.pack import all_rules

    items = [ignore] if isinstance(ignore, str) else list(ignore)
    ids = frozenset(x.strip().upper() for item in items for x in item.split(",") if x.strip())
    known = [r.id for r in all_rules()]
    for rid in sorted(ids):
        if not any(k.startswith(rid) for k in known):
            raise ValueError(f"{rid}: no rule has this ID or prefix")
    return ids


def scan(paths: PathArg | Iterable[PathArg], *, account_id: str | None = None, region: str | None = None,
         ignore: str | Iterable[str] = (), variables: Mapping[str, str] | None = None,
         var_files: Iterable[PathArg] = (), root: PathArg | None = None, jobs: int = 1,
         inline_ignores: bool = True) -> ScanResult:
    """Scan files and folders (folders recursively) for Amazon Lex V2 IAM mistakes.

    ``paths``: one path or several.  ``account_id`` and ``region``: the deploy target (``--account-id``,
    ``--region``).  ``ignore``: rule IDs or prefixes not to report.  ``variables`` and ``var_files``:
    Terraform variable values (``--var``, ``--var-file``).  ``root``: report paths relative to it (default:
    the current folder).  ``jobs``: worker processes (1: none).  ``inline_ignores=False`` disregards the
    suppressions written in the templates.

    Raises ValueError for an account ID that is not 12 digits, an unknown rule ID or a ``jobs`` below 1,
    and FileNotFoundError when none of the paths exists.  A file that cannot be read or parsed is not an
    exception: it is an E9500 finding, and the scan goes on.
    """
    given = _as_paths(paths)
    if account_id is not None and not (account_id.isdigit() and len(account_id) == 12):
        raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
    if jobs < 1:
        raise ValueError(f"jobs must be 1 or more, got {jobs}")
    if not any(os.path.lexists(p) for p in given):
        raise FileNotFoundError(", ".join(str(p) for p in given) + ": no such file or folder")
    options = Options(account_id=account_id, region=region, ignore=_ignore(ignore), tf_vars=dict(variables or {}),
                      tf_var_files=tuple(Path(v) for v in var_files), inline_ignores=inline_ignores, jobs=jobs,
                      root=Path(root) if root is not None else Path.cwd())
    return _engine_scan(given, options)
