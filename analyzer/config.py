"""Configuration files: ``.lexiam.yaml`` / ``.lexiam.yml`` or ``[tool.lexiam]`` in ``pyproject.toml``.

The first folder, from the scan root (``--root``, else the current folder) upwards, that holds one of
them wins; the search stops at the top of the repository (a folder with ``.git``). ``--config FILE``
names the file instead. Keys are the long CLI option names (``fail-on``; ``fail_on`` is accepted too),
plus ``severity`` (per-rule overrides), ``exclude`` (globs) and ``vars`` (Terraform variables).
Relative paths in the file are relative to the file's folder. A bad file is a :class:`ConfigError`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

YAML_NAMES = (".lexiam.yaml", ".lexiam.yml")
FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "info", "none")
SEVERITIES = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration file that cannot be read, parsed or understood."""


@dataclass
class Config:
    path: Path | None = None  # None: no file found
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def path_value(self, key: str) -> Path | None:
        value = self.values.get(key)
        return None if value is None else self.inside(key, value)

    def inside(self, key: str, value: str) -> Path:
        """A path the file names, which must stay inside the file's folder.

        The configuration comes with the scanned code: a pull request must not make CI write a
        report, or read a baseline or a variable file, anywhere else on the machine.
        """
        path = self.base / value
        base = os.path.realpath(self.base)
        real = os.path.realpath(path)
        if os.path.commonpath([base, real]) != base:
            raise ConfigError(f"{key}: {value!r} is outside the folder of the configuration file ({self.base}); "
                              "give such a path on the command line instead")
        return path


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v.strip() else None


def _choice(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if v not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return v
    return check


def _text(v: Any) -> str:
    if _str(v) is None:
        raise ValueError("must be a non-empty string")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("must be true or false")
    return v


def _account(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and len(str(v)) == 12:
        v = str(v)
    if not (isinstance(v, str) and v.isdigit() and len(v) == 12):
        raise ValueError("must be a 12-digit account ID (quote it)")
    return v


def _str_list(v: Any) -> list[str]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(_str(x) for x in v):
        raise ValueError("must be a list of strings")
    return [x.strip() for x in v]


def _rule_list(v: Any) -> list[str]:
    return [x.upper() for x in _str_list(v)]


def _str_map(v: Any) -> dict[str, str]:
    if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
        raise ValueError("must be a mapping of names to values")
    out: dict[str, str] = {}
    for k, x in v.items():
        if isinstance(x, bool) or not isinstance(x, str | int | float):
            raise ValueError(f"{k}: must be a string or a number")
        out[k] = str(x)
    return out


def _severity_map(v: Any) -> dict[str, str]:
    if not isinstance(v, dict):
        raise ValueError("must map rule IDs to error, warning or info")
    out: dict[str, str] = {}
    for k, x in v.items():
        if not isinstance(k, str) or x not in SEVERITIES:
            raise ValueError(f"{k}: must be error, warning or info, got {x!r}")
        out[k.strip().upper()] = x
    return out


# key -> converter (raises ValueError with a message for a bad value)
KEYS: dict[str, Callable[[Any], Any]] = {
    "format": _choice(FORMATS),
    "output": _text,
    "fail-on": _choice(FAIL_ON),
    "account-id": _account,
    "region": _text,
    "ignore": _rule_list,
    "vars": _str_map,
    "var-files": _str_list,
    "exclude": _str_list,
    "severity": _severity_map,
    "inline-ignores": _bool,
    "show-suppressed": _bool,
    "baseline": _text,
    "sarif-file": _text,
    "sarif-category": _text,
}


def validate(raw: Any, source: Path) -> Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the configuration must be a mapping of keys to values")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).replace("_", "-")
        convert = KEYS.get(name)
        if convert is None:
            raise ConfigError(f"{source}: unknown key {key!r} (known: {', '.join(sorted(KEYS))})")
        try:
            values[name] = convert(value)
        except ValueError as exc:
            raise ConfigError(f"{source}: {key}: {exc}") from None
    return Config(source, values)


def _load_toml(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the configuration {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _pyproject_table(path: Path, required: bool) -> dict[str, Any] | None:
    try:
        doc = _load_toml(_read(path))
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # the file comes with the scanned code: nesting is no crash
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    table = doc.get("tool", {}).get("lexiam") if isinstance(doc.get("tool"), dict) else None
    if table is None and path.name != "pyproject.toml" and required:
        return doc  # a standalone lexiam.toml: the keys at the top level
    if table is None and required:
        raise ConfigError(f"{path}: no [tool.lexiam] table")
    return table


def load_file(path: Path) -> Config:
    """Read an explicitly named configuration file (``--config``)."""
    if path.suffix.lower() == ".toml":
        return validate(_pyproject_table(path, required=True), path)
    import yaml

    try:
        raw = yaml.safe_load(_read(path))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}".rstrip()) from None
    except RecursionError:  # the file comes with the scanned code: nesting is no crash
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None
    return validate(raw, path)


def find(start: Path) -> Config:
    """The configuration that applies to a scan rooted at ``start`` (an empty one when there is none)."""
    folder = start.resolve()
    while True:
        for name in YAML_NAMES:
            if (folder / name).is_file():
                return load_file(folder / name)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _pyproject_table(pyproject, required=False)
            if table is not None:
                return validate(table, pyproject)
        if (folder / ".git").exists() or folder.parent == folder:
            return Config()
        folder = folder.parent


# -- path excludes --------------------------------------------------------------------------------

def _glob_regex(pattern: str) -> str:
    """A glob as a regular expression: ``**`` crosses folders, ``*`` and ``?`` stay within one."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape("["))
                i += 1
            else:
                body = pattern[i + 1:end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def excluder(patterns: list[str], base: Path) -> Callable[[Path], bool]:
    """A predicate for paths matching one of the globs, as gitignore reads them: a pattern with a ``/``
    is anchored at ``base``, one without matches a file or folder name at any depth; a folder that
    matches excludes everything below it."""
    regexes: list[re.Pattern[str]] = []
    for raw in patterns:
        pat = raw.strip().rstrip("/")
        if not pat:
            continue
        anchored = "/" in pat
        body = _glob_regex(pat.lstrip("/"))
        regexes.append(re.compile(("" if anchored else "(?:.*/)?") + body + "(?:/.*)?"))
    root = os.path.abspath(base)

    def excluded(path: Path) -> bool:
        try:
            rel = os.path.relpath(os.path.abspath(path), root)
        except ValueError:  # another drive on Windows
            return False
        if rel == ".." or rel.startswith(".." + os.sep):
            return False
        return any(r.fullmatch(rel.replace(os.sep, "/")) for r in regexes)

    return excluded


def merge_into(args: Any, cfg: Config) -> None:
    """Fill the ``lexiam scan`` arguments the command line left unset from the configuration.

    Flags win over the file: a scalar given on the command line replaces the file's; lists add up
    (``ignore``, ``var-files``); for ``vars`` a name given with ``--var`` wins over the same name in
    the file. ``severity`` and ``exclude`` are only written in the file. Relative paths in the file
    are relative to the file's folder.
    """
    def path(key: str) -> str | None:
        p = cfg.path_value(key)
        return None if p is None else str(p)

    # The paths the file chose, with the folder they must stay in when written (lexiam.output.safe_write)
    args.config_paths = {}
    for key in ("output", "sarif-file"):
        attr = key.replace("-", "_")
        if not getattr(args, attr) and cfg.get(key) is not None:
            setattr(args, attr, path(key))
            args.config_paths[attr] = cfg.base
    args.format = args.format or cfg.get("format")
    args.account_id = args.account_id or cfg.get("account-id")
    args.region = args.region or cfg.get("region")
    args.fail_on = args.fail_on or cfg.get("fail-on")
    args.ignore = [*cfg.get("ignore", []), *(args.ignore or [])]
    args.var = [f"{k}={v}" for k, v in cfg.get("vars", {}).items()] + list(args.var)
    args.var_file = [str(cfg.inside("var-files", f)) for f in cfg.get("var-files", [])] + list(args.var_file)
    args.no_inline_ignores = args.no_inline_ignores or not cfg.get("inline-ignores", True)
    args.show_suppressed = args.show_suppressed or cfg.get("show-suppressed", False)
    args.baseline = args.baseline or path("baseline")
    args.sarif_category = args.sarif_category or cfg.get("sarif-category")
    args.severity = dict(cfg.get("severity", {}))
    patterns = cfg.get("exclude", [])
    args.exclude = excluder(patterns, cfg.base) if patterns else None
