"""The rule docs are generated from the rule metadata and checked in: they must be current."""

from __future__ import annotations

from lexiam import docgen
from lexiam.rules.data import tables
from lexiam.rules.pack import all_rules


def test_docs_are_current() -> None:
    assert docgen.main(["--check"]) == 0, "docs are stale: run python -m lexiam.docgen"


def test_every_rule_has_complete_metadata() -> None:
    for meta in all_rules():
        assert meta.id[0] in "EWI" and meta.id[1:].isdigit() and meta.id[1:3] == "95"
        assert meta.slug and meta.slug == meta.slug.lower() and " " not in meta.slug
        assert len(meta.title) > 10 and len(meta.rationale) > 40 and len(meta.fix) > 20
        assert meta.docs_url.endswith(f"/{meta.id}.md")


def test_every_feature_table_row_is_covered() -> None:
    pages = docgen.pages()
    feature = next(text for path, text in pages.items() if path.name == "feature-table.md")
    for row, _support in tables().feature_table:
        line = next(line for line in feature.splitlines() if line.startswith(f"| {row} |"))
        rules_cell, notes_cell = line.split("|")[3], line.split("|")[4]
        assert rules_cell.strip() != "none" or notes_cell.strip(), f"feature row {row!r} says nothing"


def test_slugs_are_unique() -> None:
    slugs = [m.slug for m in all_rules()]
    assert len(slugs) == len(set(slugs))
