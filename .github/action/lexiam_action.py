"""The steps of the lexiam GitHub Action (action.yml), run by the runner's Python (3.10 or later, the
standard library only).

    python lexiam_action.py prepare   # where the virtual environment goes, and whether one is there already
    python lexiam_action.py install   # install the pinned dependencies (hashes checked) and this checkout
    python lexiam_action.py scan      # run lexiam with the Action's inputs; set the outputs

Every path is computed here, by the runner's Python, in the runner's own form (``D:\\a\\_temp\\...`` on
Windows, never an MSYS ``/d/a/...`` path from bash), and handed to the next step through
``$GITHUB_OUTPUT``.  What the Action installs is identified by a key: the SHA-256 of the files the
package is built from, of the lock file and of the interpreter.  A virtual environment, or a
``lexiam`` found on ``PATH``, is used only when it was installed by this Action with the same key;
anything else is never run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent  # the Action's checkout
LOCK = HERE / "requirements.txt"
MARKER = "lexiam-action.json"
# What the package is built from (pyproject.toml maps analyzer/ to lexiam and rules/ to lexiam.rules).
SOURCE_FILES = ("pyproject.toml", "README.md", "LICENSE")
SOURCE_DIRS = ("analyzer", "rules")
SKIP = re.compile(r"(^|/)(__pycache__|[^/]*\.egg-info|build)(/|$)|\.py[cod]$")
CONFIG_MODES = ("trusted", "restricted", "off")


# --- paths: pure functions of the runner's OS, tested for Linux, macOS and Windows ----------------

def flavor(windows: bool) -> type[PurePath]:
    return PureWindowsPath if windows else PurePosixPath


def venv_dir(temp: str, key: str, windows: bool) -> PurePath:
    """The Action's virtual environment: in the runner's temporary folder, named by the key."""
    return flavor(windows)(temp) / f"lexiam-{key[:16]}"


def venv_bin(venv: PurePath, windows: bool) -> PurePath:
    return venv / ("Scripts" if windows else "bin")


def program(bin_dir: PurePath, name: str, windows: bool) -> PurePath:
    return bin_dir / (f"{name}.exe" if windows else name)


def pip_cache_dir(temp: str, windows: bool) -> PurePath:
    return flavor(windows)(temp) / "lexiam-pip-cache"


def from_msys(value: str) -> str:
    """``/d/a/repo`` (an MSYS path, as bash on a Windows runner writes them) as ``D:\\a\\repo``."""
    m = re.fullmatch(r"/([A-Za-z])(?:/(.*))?", value)
    if not m:
        return value
    return f"{m.group(1).upper()}:\\" + (m.group(2) or "").replace("/", "\\")


def resolve(value: str, base: str, windows: bool) -> PurePath:
    """A path input: absolute as it is, else relative to ``base`` (the workspace)."""
    if windows:
        value = from_msys(value)
    path = flavor(windows)(value)
    return path if path.is_absolute() else flavor(windows)(base) / path


def marker_for(exe: str, windows: bool) -> PurePath:
    """Where the Action's marker is for a ``lexiam`` executable: in the environment the executable is in."""
    return flavor(windows)(exe).parent.parent / MARKER


# --- the key ----------------------------------------------------------------------------------------

def source_files(root: Path) -> list[Path]:
    files = [root / name for name in SOURCE_FILES]
    for folder in SOURCE_DIRS:
        files += [p for p in (root / folder).rglob("*") if p.is_file() and not SKIP.search(p.relative_to(root).as_posix())]
    return sorted(files)


def key(root: Path, lock: Path, interpreter: str) -> str:
    """Identifies an installation: the package's files (names and contents), the lock and the interpreter."""
    h = hashlib.sha256()
    for path in [*source_files(root), lock]:
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(interpreter.encode())
    return h.hexdigest()


def interpreter_id() -> str:
    return f"{sys.implementation.name}-{sys.version}-{sys.platform}-{os.path.realpath(sys.executable)}"


def lock_hash(lock: Path) -> str:
    return hashlib.sha256(lock.read_bytes()).hexdigest()[:16]


def has_marker(marker: Path, want: str) -> bool:
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("key") == want
    except (OSError, ValueError, AttributeError):
        return False


# --- the steps --------------------------------------------------------------------------------------

def write_outputs(values: Mapping[str, str], env: Mapping[str, str] = os.environ) -> None:
    """Append to ``$GITHUB_OUTPUT`` in its multi-line form (a value cannot end the block early)."""
    target = env.get("GITHUB_OUTPUT")
    lines = []
    for name, value in values.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.writelines(lines)


def error(message: str) -> int:
    print(f"::error title=lexiam::{message}", flush=True)
    return 2


def prepare(env: Mapping[str, str], announce: bool = True) -> dict[str, str]:
    windows = os.name == "nt"
    temp = env.get("RUNNER_TEMP") or tempfile.gettempdir()
    k = key(ROOT, LOCK, interpreter_id())
    venv = venv_dir(temp, k, windows)
    exe = program(venv_bin(venv, windows), "lexiam", windows)
    found = shutil.which("lexiam", path=env.get("PATH"))
    reuse = ""
    if has_marker(Path(venv) / MARKER, k) and Path(exe).is_file():
        reuse = str(exe)
    elif found and has_marker(Path(marker_for(found, windows)), k):
        reuse = found
    elif found and announce:
        print(f"A lexiam on PATH ({found}) is not this Action's build: it is not used.")
    return {"key": k, "venv": str(venv), "exe": reuse or str(exe), "reuse": "true" if reuse else "false",
            "pip-cache": str(pip_cache_dir(temp, windows)),
            "cache-key": f"{lock_hash(LOCK)}-py{sys.version_info[0]}.{sys.version_info[1]}"}


def pip_commands(python: str, src: str, lock: str, cache: str) -> list[list[str]]:
    """The two installs: the locked dependencies, every one with its hash and as a wheel (no code of a
    downloaded sdist is run); then this checkout, built with the locked setuptools and nothing else."""
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input", "--cache-dir", cache]
    return [
        [*pip, "install", "--quiet", "--require-hashes", "--only-binary", ":all:", "--requirement", lock],
        [*pip, "install", "--quiet", "--no-deps", "--no-index", "--no-build-isolation", src],
    ]


def version_of(root: Path) -> str:
    m = re.search(r'^__version__ = "([^"]+)"', (root / "analyzer" / "__init__.py").read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else ""


def install(env: Mapping[str, str]) -> int:
    windows = os.name == "nt"
    info = prepare(env, announce=False)
    venv = Path(info["venv"])
    if info["reuse"] == "true":
        print(f"lexiam is already installed by this Action, from the same files: {info['exe']}")
        write_outputs({"exe": info["exe"]}, env)
        return 0
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(program(venv_bin(venv, windows), "python", windows))
    with tempfile.TemporaryDirectory(prefix="lexiam-src-") as tmp:
        src = Path(tmp) / "lexiam"
        for path in source_files(ROOT):  # a copy: the build leaves the checkout as it was
            dest = src / path.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        for cmd in pip_commands(python, str(src), str(LOCK), info["pip-cache"]):
            done = subprocess.run(cmd)
            if done.returncode:
                return error(f"installing lexiam failed: {' '.join(cmd[3:6])} exited {done.returncode}")
    exe = info["exe"]
    got = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    if got != f"lexiam {version_of(ROOT)}":
        return error(f"the installed lexiam reports {got!r}")
    (venv / MARKER).write_text(json.dumps({"key": info["key"]}) + "\n", encoding="utf-8")
    print(f"Installed {got} and its locked dependencies into {venv}")
    write_outputs({"exe": exe}, env)
    return 0


def scan_args(inputs: Mapping[str, str], sarif: str) -> list[str]:
    """The command line of the scan, from the Action's inputs (each one argument: no shell in between)."""
    paths = inputs.get("path", "").split() or ["."]
    args = ["scan", *paths, "--format", inputs.get("format") or "github", "--sarif-file", sarif,
            "--config-mode", inputs.get("config-mode") or "restricted"]
    if (inputs.get("parse-all") or "true").lower() != "false":
        args.append("--parse-all")  # a pull request must not hide a file from the scan by how it spells Lex
    for name, option in (("fail-on", "--fail-on"), ("account-id", "--account-id"), ("region", "--region"),
                         ("config", "--config"), ("category", "--sarif-category")):
        if inputs.get(name):
            args += [option, inputs[name]]
    return args


INPUTS = ("path", "format", "fail-on", "account-id", "region", "sarif-file", "config", "config-mode", "parse-all",
          "category")


def counts(sarif: Path) -> dict[str, str]:
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    active = [r for r in results if not r.get("suppressions")]
    return {"findings": str(len(active)), "errors": str(sum(r.get("level") == "error" for r in active))}


def scan(env: Mapping[str, str]) -> int:
    windows = os.name == "nt"
    inputs = {name: env.get("INPUT_" + name.upper().replace("-", "_"), "").strip() for name in INPUTS}
    if inputs["config-mode"] and inputs["config-mode"] not in CONFIG_MODES:
        return error(f"config-mode must be one of {', '.join(CONFIG_MODES)}, got {inputs['config-mode']!r}")
    if inputs["parse-all"] and inputs["parse-all"].lower() not in ("true", "false"):
        return error(f"parse-all must be true or false, got {inputs['parse-all']!r}")
    workspace = env.get("GITHUB_WORKSPACE") or os.getcwd()
    sarif = Path(resolve(inputs["sarif-file"] or "lexiam.sarif", workspace, windows))
    sarif.parent.mkdir(parents=True, exist_ok=True)
    sarif.unlink(missing_ok=True)
    exe = env.get("LEXIAM_EXE", "")
    sys.stdout.flush()
    code = subprocess.run([exe, *scan_args(inputs, str(sarif))], cwd=workspace).returncode
    outputs = {"sarif-file": str(sarif)}
    if sarif.is_file():
        outputs.update(counts(sarif))
    write_outputs(outputs, env)
    return code


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if sys.version_info < (3, 10):  # noqa: UP036 - the runner's Python, not the package's
        return error(f"lexiam needs Python 3.10 or later; {sys.executable} is {sys.version.split()[0]} "
                     "(run actions/setup-python first, or set the python input)")
    if args == ["prepare"]:
        write_outputs(prepare(os.environ))
        return 0
    if args == ["install"]:
        return install(os.environ)
    if args == ["scan"]:
        return scan(os.environ)
    print("usage: lexiam_action.py prepare|install|scan", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
