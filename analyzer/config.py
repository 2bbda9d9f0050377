"""Configuration files: ``.lexiam.yaml`` / ``.lexiam.yml`` or ``[tool.lexiam]`` in ``pyproject.toml``.

The first folder, from the scan root (``--root``, else the current folder) upwards, that holds one of
them wins; the search stops at the top of the repository (a folder with ``.git``). ``--config FILE``
names the file instead. Keys are the long CLI option names (``fail-on``; ``fail_on`` is accepted too),
plus ``severity`` (per-rule overrides), ``exclude`` (globs) and ``vars`` (Terraform variables).
Relative paths in the file are relative to the file's folder. A bad file is a :class:`ConfigError`.

The file comes with the scanned code, so it is read as untrusted (docs/security.md): a file found by the
search that is a link out of its folder is not read, a file is read only when it is a regular file of at
most 1 MiB, and an error about it never quotes its content.  How much it may change is the command line's
choice (``--config-mode``): ``trusted`` (the default) lets it set every key; ``restricted`` lets it add
excludes and suppressions that stay visible in the report, make the gate stricter and set the facts of the
deployment, and refuses (with a warning) whatever would lower the gate, silence or redirect the report, or
raise a limit; ``off`` reads no file.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

YAML_NAMES = (".lexiam.yaml", ".lexiam.yml")
FORMATS = ("text", "concise", "json", "sarif", "github")
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
    "select": _rule_list,
    "max-file-size": lambda v: _positive(v, parse_size),
    "max-files": lambda v: _positive(v, int),
    "max-depth": lambda v: _positive(v, int),
    "max-nodes": lambda v: _positive(v, int),
}
LIMIT_KEYS = ("max-file-size", "max-files", "max-depth", "max-nodes")


def parse_size(text: str) -> int:
    """``5000000``, ``512K``, ``5M``, ``1G`` (powers of 1024) -> bytes."""
    text = text.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(text[:-1] if scale > 1 else text) * scale


def _positive(v: Any, convert: Callable[[str], int]) -> int:
    if isinstance(v, bool) or not isinstance(v, int | str):
        raise ValueError("must be a positive number")
    try:
        n = v if isinstance(v, int) else convert(v)
    except ValueError:
        raise ValueError("must be a positive number") from None
    if n < 1:
        raise ValueError("must be at least 1")
    return n


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


MAX_CONFIG_BYTES = 1 << 20


def _read(path: Path) -> str:
    """The text of a configuration file: a regular file (a FIFO or a device is never opened) of at most
    MAX_CONFIG_BYTES, in UTF-8."""
    from lexiam.contract import read_bytes

    try:
        data = read_bytes(path, MAX_CONFIG_BYTES)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(f"the configuration {path} is larger than {MAX_CONFIG_BYTES} bytes")
        return data.decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read the configuration {path}: not UTF-8 (at byte {exc.start})") from None


_QUOTED = re.compile("'[^'\\n]{2,}'|\"[^\"\\n]{2,}\"")


def _no_content(message: str) -> str:
    """A parser's message without the text it quotes from the file (a configuration that is not what it
    seems, a secret behind a link, must not be printed): the reason and the position only."""
    return _QUOTED.sub("'...'", message.splitlines()[0] if message else "")


def _yaml_error(path: Path, exc: Exception) -> ConfigError:
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(_no_content(str(x)) for x in (exc.context, exc.problem) if x)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        return ConfigError(f"{path}: not valid YAML: {reason or 'syntax error'}{where}")
    return ConfigError(f"{path}: not valid YAML: {_no_content(type(exc).__name__)}")


def _pyproject_table(path: Path, required: bool) -> dict[str, Any] | None:
    try:
        doc = _load_toml(_read(path))
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{path}: not valid TOML: {_no_content(str(exc))}") from None
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
        raise _yaml_error(path, exc) from None
    except RecursionError:  # the file comes with the scanned code: nesting is no crash
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None
    return validate(raw, path)


def _candidate(path: Path) -> bool:
    """Whether the search takes ``path`` as a configuration file: a regular file, or a link to one that
    stays in its own folder.  A link out of it (to a secret, a device, another repository) is refused:
    the scanned tree chose it."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode):
        real, folder = os.path.realpath(path), os.path.realpath(path.parent)
        if not real.startswith(folder.rstrip(os.sep) + os.sep):
            raise ConfigError(f"{path} is a symbolic link to outside its folder: it was not read (name the file "
                              "with --config to use it)")
        return os.path.isfile(real)
    return stat.S_ISREG(st.st_mode)


def find(start: Path) -> Config:
    """The configuration that applies to a scan of ``start`` (a folder; an empty one when there is none)."""
    folder = start.resolve()
    while True:
        for name in YAML_NAMES:
            if _candidate(folder / name):
                return load_file(folder / name)
        pyproject = folder / "pyproject.toml"
        if _candidate(pyproject):
            table = _pyproject_table(pyproject, required=False)
            if table is not None:
                return validate(table, pyproject)
        if (folder / ".git").exists() or folder.parent == folder:
            return Config()
        folder = folder.parent


# -- path excludes --------------------------------------------------------------------------------

class Glob:
    """One exclude pattern, matched in polynomial time whatever it holds.

    A pattern is split on ``/`` into parts; ``**`` stands for any number of folders, and each other part
    is matched against one folder or file name with ``*``, ``?`` and ``[...]`` by the two-pointer method
    (the last ``*`` takes one more character on a mismatch): O(len(part) * len(name)) per name, and the
    parts are matched over the path's names by one pass that keeps the set of parts reached.  A regular
    expression built from the pattern (what this replaced) backtracked: ``*a*a*a*a*a*a*a*b`` against a
    long name took minutes.  ``steps`` counts the character comparisons made, for tests.
    """

    def __init__(self, pattern: str) -> None:
        pat = pattern.strip().rstrip("/")
        self.anchored = "/" in pat
        self.parts = [p for p in pat.lstrip("/").split("/") if p]
        self.steps = 0

    def part(self, pat: str, name: str) -> bool:
        """Whether one name matches one part (``*``, ``?``, ``[abc]``, ``[!a-z]``)."""
        if not any(c in pat for c in "*?["):
            self.steps += 1
            return pat == name
        p = t = 0
        star, resume = -1, 0
        while t < len(name):
            self.steps += 1
            width = self._one(pat, p, name[t]) if p < len(pat) and pat[p] != "*" else 0
            if p < len(pat) and pat[p] == "*":
                star, resume = p, t
                p += 1
            elif width:
                p += width
                t += 1
            elif star >= 0:
                resume += 1
                p, t = star + 1, resume
            else:
                return False
        return pat[p:].strip("*") == ""

    def _one(self, pat: str, p: int, ch: str) -> int:
        """How many pattern characters match ``ch`` at ``p`` (0: no match)."""
        c = pat[p]
        if c == "?":
            return 1
        if c != "[":
            return 1 if c == ch else 0
        end = pat.find("]", p + 2)
        if end < 0:  # a lone "[" is itself
            return 1 if ch == "[" else 0
        body = pat[p + 1:end]
        negate = body[:1] == "!"
        if negate:
            body = body[1:]
        hit = False
        i = 0
        while i < len(body):
            self.steps += 1
            if i + 2 < len(body) and body[i + 1] == "-":
                hit = hit or body[i] <= ch <= body[i + 2]
                i += 3
            else:
                hit = hit or body[i] == ch
                i += 1
        return end - p + 1 if hit != negate else 0

    def matches(self, names: list[str]) -> bool:
        """Whether the path (its names, from the base) or one of its folders matches."""
        if not self.parts:
            return False
        if not self.anchored:  # a name at any depth: a file, or a folder the path is in
            return any(self.part(self.parts[0], n) for n in names)
        final = len(self.parts)
        states = self._closure({0})
        for name in names:
            nxt: set[int] = set()
            for i in states:
                self.steps += 1
                if i < final and self.parts[i] == "**":
                    nxt.add(i)
                elif i < final and self.part(self.parts[i], name):
                    nxt.add(i + 1)
            states = self._closure(nxt)
            if final in states:
                return True
            if not states:
                return False
        return False

    def _closure(self, states: set[int]) -> set[int]:
        """The states with every ``**`` skipped over (it may stand for no folder)."""
        out = set(states)
        for i in sorted(states):
            while i < len(self.parts) and self.parts[i] == "**":
                i += 1
                out.add(i)
        return out


def excluder(patterns: list[str], base: Path) -> Callable[[Path], bool]:
    """A predicate for paths matching one of the globs, as gitignore reads them: a pattern with a ``/``
    is anchored at ``base``, one without matches a file or folder name at any depth; a folder that
    matches excludes everything below it."""
    globs = [g for g in (Glob(p) for p in patterns) if g.parts]
    root = os.path.abspath(base)

    def excluded(path: Path) -> bool:
        try:
            rel = os.path.relpath(os.path.abspath(path), root)
        except ValueError:  # another drive on Windows
            return False
        if rel == ".." or rel.startswith(".." + os.sep):
            return False
        names = [n for n in rel.split(os.sep) if n and n != "."]
        return any(g.matches(names) for g in globs)

    return excluded


# -- merging into the command line ------------------------------------------------------------------

MODES = ("trusted", "restricted", "off")
# --fail-on from the strictest (a finding of any severity fails) to the most lenient
_LENIENCY = {"info": 0, "warning": 1, "error": 2, "none": 3}
_RANK = {"info": 0, "warning": 1, "error": 2}
DEFAULT_FAIL_ON = "warning"
# what restricted mode refuses outright: each would silence or redirect the report, or hide findings
REFUSED = {
    "format": "choose the report's format",
    "output": "redirect the report",
    "sarif-file": "redirect the SARIF report",
    "baseline": "leave findings out by a baseline",
}


def merge_into(args: Any, cfg: Config, mode: str = "trusted", known: Mapping[str, str] | None = None,
               defaults: Mapping[str, int] | None = None) -> list[str]:
    """Fill the ``lexiam scan`` arguments the command line left unset from the configuration; return
    the warnings of what the configuration was refused (restricted mode).

    Flags win over the file: a scalar given on the command line replaces the file's; lists add up
    (``ignore``, ``select``, ``var-files``); for ``vars`` a name given with ``--var`` wins over the same
    name in the file. ``severity`` and ``exclude`` are only written in the file. Relative paths in the file
    are relative to the file's folder.  ``known`` maps the catalog's rule IDs to their severities (to tell
    whether a severity override lowers one), ``defaults`` the default limits.

    Restricted mode: ``ignore`` and ``select`` mark findings suppressed instead of leaving them out
    (``args.visible_ignore``, ``args.visible_select``), ``fail-on`` only makes the gate stricter, a
    ``severity`` only raises, a limit only lowers, and ``format``, ``output``, ``sarif-file``,
    ``baseline`` and ``inline-ignores: false`` are refused.
    """
    warnings: list[str] = []
    restricted = mode == "restricted"
    where = str(cfg.path) if cfg.path else "the configuration"

    def refuse(key: str, why: str) -> None:
        warnings.append(f"{where}: {key}: refused (--config-mode restricted: the repository's configuration may "
                        f"not {why})")

    def path(key: str) -> str | None:
        p = cfg.path_value(key)
        return None if p is None else str(p)

    values = dict(cfg.values)
    if restricted:
        for key, why in REFUSED.items():
            if key in values:
                del values[key]
                refuse(key, why)
        if values.get("inline-ignores") is False:
            del values["inline-ignores"]
            refuse("inline-ignores", "turn off the suppressions written in templates (they stay visible when on)")
    cfg = Config(cfg.path, values)

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
    fail_on = cfg.get("fail-on")
    if fail_on is not None and not args.fail_on:
        if restricted and _LENIENCY[fail_on] > _LENIENCY[DEFAULT_FAIL_ON]:
            refuse("fail-on", f"lower the gate (fail-on {fail_on}; {DEFAULT_FAIL_ON} stays)")
        else:
            args.fail_on = fail_on
    args.visible_ignore, args.visible_select = [], []
    if restricted:
        args.visible_ignore = list(cfg.get("ignore", []))
        args.visible_select = list(cfg.get("select", []))
    else:
        args.ignore = [*cfg.get("ignore", []), *(args.ignore or [])]
        args.select = [*cfg.get("select", []), *(args.select or [])] if (cfg.get("select") or args.select) else None
    args.var = [f"{k}={v}" for k, v in cfg.get("vars", {}).items()] + list(args.var)
    args.var_file = [str(cfg.inside("var-files", f)) for f in cfg.get("var-files", [])] + list(args.var_file)
    args.no_inline_ignores = args.no_inline_ignores or not cfg.get("inline-ignores", True)
    args.show_suppressed = args.show_suppressed or cfg.get("show-suppressed", False)
    args.baseline = args.baseline or path("baseline")
    args.sarif_category = args.sarif_category or cfg.get("sarif-category")
    severity = dict(cfg.get("severity", {}))
    if restricted:
        for key, value in list(severity.items()):
            lowered = sorted(k for k, sev in (known or {}).items() if k.startswith(key) and _RANK[value] < _RANK[sev])
            if lowered:
                del severity[key]
                refuse(f"severity {key}", f"lower a severity ({', '.join(lowered[:3])}"
                                          f"{' ...' if len(lowered) > 3 else ''} to {value})")
    args.severity = severity
    for key in LIMIT_KEYS:
        attr = key.replace("-", "_")
        value = cfg.get(key)
        if value is None or getattr(args, attr, None) is not None:
            continue
        default = (defaults or {}).get(attr)
        if restricted and (default is None or value > default):
            refuse(key, f"raise a limit ({key} {value}{f'; the default {default} stays' if default else ''})")
            continue
        setattr(args, attr, value)
    patterns = cfg.get("exclude", [])
    args.exclude = excluder(patterns, cfg.base) if patterns else None
    return warnings
