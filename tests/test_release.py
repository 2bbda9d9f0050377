"""The release's one version and its changelog: ``lexiam.__version__`` is written once; CHANGELOG.md's
newest entry is that version (the release workflow checks the tag against both) and names every rule."""

from __future__ import annotations

import re

import lexiam
from lexiam.rules.pack import all_rules
from tests.conftest import REPO

CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def newest_entry() -> tuple[str, str]:
    m = re.search(r"^## (\d+\.\d+\.\d+) \(([^)]*)\)\n(.*?)(?=^## |\Z)", CHANGELOG, re.M | re.S)
    assert m, "CHANGELOG.md has no '## X.Y.Z (date)' entry"
    return m.group(1), m.group(3)


def test_one_version() -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: lexiam depends on tomli there
        import tomli as tomllib  # type: ignore[no-redef]

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dynamic"] == ["version"] and "version" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "lexiam.__version__"}
    written = [p for p in (REPO / "analyzer").rglob("*.py") if "__version__ =" in p.read_text(encoding="utf-8")]
    assert written == [REPO / "analyzer" / "__init__.py"]


def test_the_newest_changelog_entry_is_this_version() -> None:
    version, _ = newest_entry()
    assert version == lexiam.__version__
    # the release workflow looks for this heading before it publishes
    workflow = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert 'grep -q "^## $version " CHANGELOG.md' in workflow


def test_the_changelog_names_every_rule() -> None:
    """A rule added for the release is described in it (IDs one by one, or in ranges such as E9501-E9505)."""
    _, body = newest_entry()
    named = set(re.findall(r"\b[EWI](95\d\d)\b", body))
    for low, high in re.findall(r"\b[EWI](95\d\d)-[EWI](95\d\d)\b", body):
        named.update(str(n) for n in range(int(low), int(high) + 1))
    missing = [m.id for m in all_rules() if m.id[1:] not in named]
    assert missing == [], f"CHANGELOG.md does not name {missing}"
