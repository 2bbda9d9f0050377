"""The distributions, built from the repository's files as a release builds them (``python -m build``:
the sdist, then the wheel from the sdist), and installed as a user installs them.

* the wheel installs one top-level name, ``lexiam``, and coexists with django-rules (the PyPI
  distribution ``rules``, whose import package is ``rules``), installed, imported and uninstalled beside
  it in a fresh virtual environment, with the README's ``pip install lexiam`` as written;
* the sdist holds every file of the repository, and its tests run from it;
* the metadata is complete and ``twine check --strict`` passes (the README renders on PyPI);
* the README's links are absolute and name files that exist.

Building needs setuptools from the package index (or pip's cache), as ``pip install .`` does.
"""

from __future__ import annotations

import email.parser
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import lexiam
from tests.conftest import REPO, SAMPLES

VERSION = lexiam.__version__
BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"


def tracked_files() -> list[str] | None:
    """The repository's files (``git ls-files``), or None outside a git checkout (in an unpacked sdist)."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        return None
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return sorted(f for f in out.split("\0") if f and (REPO / f).is_file())


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, built from a copy of the repository's files (not from this work tree,
    whose build leftovers could hide a file missing from git)."""
    base = tmp_path_factory.mktemp("dists")
    src = base / "src"
    files = tracked_files()
    if files is None:
        shutil.copytree(REPO, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".*_cache"))
    else:
        for f in files:
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / f, src / f)
    out = base / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(src)], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "dir": out}


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def test_wheel_top_level_names(dists) -> None:
    wheel = dists["wheel"]
    assert wheel.name == f"lexiam-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        top = sorted({n.split("/")[0] for n in names})
        dist_info = f"lexiam-{VERSION}.dist-info"
        assert top == ["lexiam", dist_info]
        if f"{dist_info}/top_level.txt" in names:
            assert zf.read(f"{dist_info}/top_level.txt").decode().split() == ["lexiam"]
        print(f"\nwheel top-level names: {top}")
    assert "lexiam/rules/__init__.py" in names and "lexiam/py.typed" in names
    assert any(n.startswith("lexiam/rules/data/") and n.endswith(".json") for n in names)
    assert not any(n.startswith(("lexiam/tests", "analyzer/", "rules/")) for n in names)


def test_metadata(dists) -> None:
    with zipfile.ZipFile(dists["wheel"]) as zf:
        meta = email.parser.Parser().parsestr(zf.read(f"lexiam-{VERSION}.dist-info/METADATA").decode())
    assert meta["Name"] == "lexiam" and meta["Version"] == VERSION
    assert meta["License-Expression"] == "Apache-2.0" and meta["Requires-Python"] == ">=3.10"
    assert meta["Description-Content-Type"] == "text/markdown"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
    assert all(u.startswith("https://github.com/lexiam/lexiam") for u in urls.values())
    assert {"amazon-lex", "iam", "cloudformation", "terraform"} <= set(meta["Keywords"].split(","))
    classifiers = meta.get_all("Classifier")
    assert [c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)] == [
        "3.10", "3.11", "3.12", "3.13"]
    requires = meta.get_all("Requires-Dist")
    assert {r.split(">")[0].split("<")[0].split(";")[0].strip() for r in requires if "extra ==" not in r} == {
        "pyyaml", "python-hcl2", "tomli"}
    assert "lexiam" in meta.get_payload() and "pip install lexiam" in meta.get_payload()


def test_twine_check(dists) -> None:
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dists["sdist"]), str(dists["wheel"])],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_readme_links_are_absolute() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links and all(link.startswith("https://") for link in links), [x for x in links if not x.startswith("https://")]
    ours = "https://github.com/lexiam/lexiam/"
    for link in links:
        m = re.match(re.escape(ours) + r"(blob|tree)/main/([^#]*)", link)
        if m:
            target = REPO / m.group(2)
            assert target.is_file() if m.group(1) == "blob" else target.is_dir(), link


def test_sdist_holds_the_repository(dists, tmp_path: Path) -> None:
    with tarfile.open(dists["sdist"]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
        tf.extractall(tmp_path, filter="data")
    files = tracked_files()
    if files is not None:
        missing = sorted(set(files) - names - {".gitignore"})
        assert missing == [], f"not in the sdist: {missing}"
    for need in ("tests/conftest.py", "tests/fixtures", "sample_templates", "docs/rules", "CHANGELOG.md", "action.yml"):
        assert need in names or any(n.startswith(need + "/") for n in names), need
    # its tests run from it (the installed lexiam; the samples, fixtures and conftest of the sdist)
    (root,) = tmp_path.iterdir()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_samples.py",
                           "tests/test_docs.py"], cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"\d+ passed", proc.stdout)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_coexists_with_django_rules(dists, tmp_path: Path) -> None:
    """django-rules is the PyPI distribution ``rules`` (its import package: ``rules``, as lexiam's rule
    folder is named); the old ``django-rules`` 0.2 of 2011 no longer builds on Python 3."""
    (install,) = re.findall(r"`(pip install lexiam)`", (REPO / "README.md").read_text(encoding="utf-8"))[:1]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = bin_dir(venv) / ("python.exe" if os.name == "nt" else "python")
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PIP_FIND_LINKS": str(dists["dir"]),
           "PATH": os.pathsep.join([str(bin_dir(venv)), os.environ.get("PATH", "")])}
    env.pop("PYTHONPATH", None)

    def sh(cmd: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        return proc

    sh("pip install --quiet rules")
    site = Path(sh(f'"{py}" -c "import rules, os; print(os.path.dirname(rules.__file__))"').stdout.strip())
    before = {p.name: _digest(p) for p in site.glob("*.py")}
    sh(install)  # exactly as the README has it; pip finds the wheel just built
    version = sh(f'"{py}" -m pip show lexiam').stdout
    assert f"Version: {VERSION}" in version
    check_rules = (f'"{py}" -c "import rules; rules.add_rule(\'can_edit\', rules.always_true); '
                   "assert rules.test_rule('can_edit') and not rules.always_false(); print(rules.__file__)\"")
    assert Path(sh(check_rules).stdout.strip()).parent == site
    assert {p.name: _digest(p) for p in site.glob("*.py")} == before
    out = sh(f'"{py}" -c "import lexiam, lexiam.rules.pack; from lexiam import scan; '
             f"print(lexiam.__file__); print(scan(r'{BAD}').summary()['findings'])\"").stdout.split()
    assert Path(out[0]).parent.name == "lexiam" and Path(out[0]).parent.parent == site.parent and out[1] == "1"
    assert sh("lexiam --version").stdout.strip() == f"lexiam {VERSION}"
    assert sh(f'"{py}" -m lexiam --version').stdout.strip() == f"lexiam {VERSION}"
    scan = subprocess.run(["lexiam", "scan", str(BAD), "--format", "json"], env=env, capture_output=True, text=True)
    assert scan.returncode == 1 and '"E9501"' in scan.stdout
    sh(f'"{py}" -m pip uninstall --yes --quiet lexiam')
    assert Path(sh(check_rules).stdout.strip()).parent == site
    assert {p.name: _digest(p) for p in site.glob("*.py")} == before
    assert not (site.parent / "lexiam").exists()
