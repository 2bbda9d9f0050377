"""The one way lexiam writes a file: reports, SARIF, baselines, fixed templates.

The scanned tree is untrusted, and so is its configuration: a file lexiam writes must never become a
git hook, follow a link planted in the tree, or land somewhere the repository chose.  :func:`safe_write`

* refuses a path with a ``.git`` folder in it (hooks, config: ``.git/hooks/pre-commit`` would run on the
  next commit), and, when ``base`` is given, a path outside ``base``;
* never writes through a symbolic link: the final name is checked with ``lstat``, and the file is written
  to a new temporary file beside it and renamed over it (``os.replace``), so a link swapped in meanwhile is
  replaced, never followed;
* creates the file with mode 0644 whatever the old file's mode was (no execute bit survives), and creates
  missing parent folders (only below ``base`` when one is given).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["OutputError", "safe_write"]

FILE_MODE = 0o644


class OutputError(Exception):
    """A file lexiam was asked to write and refuses to, or cannot."""


def _inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def check_target(path: Path, base: Path | None = None) -> Path:
    """The absolute path lexiam would write, or OutputError saying why it will not."""
    target = Path(os.path.abspath(path))
    if any(part == ".git" for part in target.parts):
        raise OutputError(f"{path}: lexiam does not write inside a .git folder")
    if base is not None:
        real_base = os.path.realpath(base)
        real_parent = os.path.realpath(target.parent)
        if not _inside(os.path.join(real_parent, target.name), real_base):
            raise OutputError(f"{path}: outside {base}, where this path may be written")
        if any(part == ".git" for part in Path(real_parent).parts):
            raise OutputError(f"{path}: lexiam does not write inside a .git folder")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    import stat

    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{path} is a symbolic link: lexiam does not write through links")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{path} is not a regular file")
    return target


def safe_write(path: Path, data: str | bytes, *, base: Path | None = None) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, by the rules of this module."""
    target = check_target(path, base)
    blob = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    check_target(path, base)  # the folders just made (or found) must still lead where they should
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".lexiam-tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
