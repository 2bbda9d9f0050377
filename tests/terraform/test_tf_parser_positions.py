"""lexiam's HCL parser against python-hcl2's own: the same tree, every position the same.

lexiam loads python-hcl2's parser without Lark's position propagation and takes a rule's position from its
first and last token (:func:`lexiam.terraform.hcl._edge_token`).  Here every ``.tf`` file of the tests, the
samples and (when ``../shared`` is beside the project) the corpus is converted twice, once from each tree,
and the two results must be the same node for node, position for position, error for error.

    python -m tests.terraform.test_tf_parser_positions     # prints files, nodes and differences
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lexiam.terraform import hcl
from tests.terraform.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]


def dump(obj: object) -> object:
    """A node tree as plain data (the expression nodes have slots and no equality of their own)."""
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if isinstance(obj, (list, tuple)):
        return [dump(x) for x in obj]
    if isinstance(obj, dict):
        return {k: dump(v) for k, v in obj.items()}
    slots = [s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ())]
    return (type(obj).__name__, {s: dump(getattr(obj, s)) for s in slots if hasattr(obj, s)})


def count(tree: object) -> int:
    if isinstance(tree, list):
        return sum(count(x) for x in tree)
    if isinstance(tree, dict):
        return sum(count(x) for x in tree.values())
    if isinstance(tree, tuple):
        return 1 + count(tree[1])
    return 0


def convert(text: str, rel: str, propagated: bool) -> object:
    original = hcl._parser_tree
    hcl._parser_tree = lambda t, _p=False: original(t, propagated)  # type: ignore[assignment]
    hcl._expression_tree.cache_clear()
    try:
        return dump(hcl.parse_file(text, rel))
    except hcl.HclError as exc:
        return ("HclError", exc.reason, exc.line, exc.column)
    finally:
        hcl._parser_tree = original  # type: ignore[assignment]
        hcl._expression_tree.cache_clear()


def tf_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.tf") if p.is_file())


def compare(files: list[Path]) -> tuple[int, int, list[str]]:
    """(files read, nodes compared, the files whose two conversions differ)."""
    read = nodes = 0
    differ: list[str] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        read += 1
        ours, theirs = convert(text, path.name, False), convert(text, path.name, True)
        nodes += count(theirs)
        if ours != theirs:
            differ.append(str(path))
    return read, nodes, differ


def test_lexiam_loads_its_own_parser() -> None:
    ours, base = hcl._parsers()
    assert ours is not None and ours is not base
    assert not ours.options.propagate_positions and base.options.propagate_positions


def test_positions_from_tokens_match_propagated_ones_in_tests_and_samples() -> None:
    read, nodes, differ = compare(tf_files(REPO / "tests", REPO / "sample_templates"))
    assert read >= 50 and nodes > 5_000
    assert differ == []


def test_a_rule_without_tokens_and_one_after_empty_rules() -> None:
    text = 'a {}\nb "x" {\n  c = {}\n  d = []\n  e = [ {}, [ ], "${x}" ]\n}\n'
    assert convert(text, "f.tf", False) == convert(text, "f.tf", True)
    body = hcl.parse_file(text, "f.tf").body
    assert body.blocks[0].loc.line == 1 and (body.blocks[0].loc.end_line, body.blocks[0].loc.end_column) == (1, 5)
    e = body.blocks[1].body.attrs["e"]
    assert (e.loc.line, e.loc.column, e.loc.end_line, e.loc.end_column) == (5, 3, 5, 26)


def test_the_token_limit_holds_on_lexiams_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hcl, "MAX_TOKENS", 40)
    text = "".join(f"a{i} = {i}\n" for i in range(20))  # 4 tokens a line
    with pytest.raises(hcl.HclError) as info:
        hcl.parse_file(text, "f.tf")
    assert "more than 40 tokens" in info.value.reason and info.value.line == 11
    assert convert(text, "f.tf", True) == ("HclError", info.value.reason, 11, info.value.column)


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not beside the project")
def test_positions_from_tokens_match_propagated_ones_in_the_corpus() -> None:
    read, nodes, differ = compare(tf_files(SHARED / "corpus"))
    assert read >= 4_000 and nodes > 300_000
    assert differ == []




def test_the_parser_keeps_no_tokens_of_a_file_once_parsed() -> None:
    post = hcl._parsers()[0].options.postlex
    parsed = hcl.parse_file("# one\na = 1 // two\n", "f.tf")
    assert [c.text for c in parsed.comments] == ["# one", "// two"] and post.comments == []
    with pytest.raises(hcl.HclError):
        hcl.parse_file("# three\na = = 1\n", "f.tf")
    assert post.comments == []


if __name__ == "__main__":
    roots = [Path(a) for a in sys.argv[1:]] or [REPO / "tests", REPO / "sample_templates", SHARED / "corpus"]
    files_read, compared, differences = compare(tf_files(*roots))
    print(f"{files_read} files, {compared:,} nodes compared, {len(differences)} differences")
    for name in differences:
        print(" ", name)
