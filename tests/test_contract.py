"""The table of front ends: which front end claims a file name."""

from __future__ import annotations

import itertools

from lexiam import contract


def _naive(name: str, named: bool) -> list[str]:
    """The rule as the table states it: the longest matching ending wins, ties in table order."""
    low = name.lower()
    score = {fe.name: max((len(e) for e in fe.suffixes + (fe.named if named else ()) if low.endswith(e)), default=0)
             for fe in contract.FRONT_ENDS}
    best = max(score.values())
    return [fe.name for fe in contract.FRONT_ENDS if best and score[fe.name] == best]


def test_every_ending_is_a_dot_and_at_most_two_parts() -> None:
    # claimants() decides by the name's tail from its second-to-last dot: it relies on this
    for fe in contract.FRONT_ENDS:
        for ending in fe.suffixes + fe.named:
            assert ending.startswith(".") and ending.count(".") <= 2 and ending == ending.lower(), ending


def test_claimants_agree_with_the_rule_on_every_shape_of_name() -> None:
    endings = sorted({e for fe in contract.FRONT_ENDS for e in fe.suffixes + fe.named})
    stems = ["", "main", "a.b", ".", "x.", "tf", "TF", "a..", "policy.TF"]
    names = {s + e for s, e in itertools.product(stems, endings + ["", ".", ".JSON", ".Tf.Json", ".txt", ".json."])}
    names |= {"json", ".tf", "tf.json", "a.tf.json.bak", "x.tfvars", "x.TFVARS.json", "a.b.c.d.yaml"}
    assert len(names) > 130
    for name, named in itertools.product(sorted(names), (False, True)):
        assert [fe.name for fe in contract.claimants(name, named)] == _naive(name, named), (name, named)
    assert [fe.name for fe in contract.claimants("main.tf")] == ["terraform"]
    assert [fe.name for fe in contract.claimants("bot.TF.JSON")] == ["terraform-json"]
    assert [fe.name for fe in contract.claimants("bot.json")] == ["terraform-plan", "cloudformation"]
    assert contract.claimants("prod.tfvars") == [] and contract.claimants("prod.tfvars", named=True)


def test_relative_is_relpath_below_the_root_and_absolute_outside(tmp_path, monkeypatch) -> None:
    import os
    from pathlib import Path

    root = tmp_path / "repo"
    cases = ["a.tf", "x/y/main.tf", "x/.terraform/modules/m/main.tf", "a..b/c.yaml", "x/./y.tf", "x//y.tf",
             "x/../y.tf", "../other/z.tf", "x/", ".", "", "é/ü.json"]
    for rel in cases:
        for path in (Path(str(root) + "/" + rel), root / rel):
            expect = os.path.relpath(path, root)
            expect = str(Path(path).resolve()) if expect.startswith("..") else expect
            assert contract.relative(path, root) == expect.replace(os.sep, "/"), path
    assert contract.relative(Path("/etc/passwd"), root) == "/etc/passwd"
    monkeypatch.chdir(root.parent)  # a path relative to the working folder (the walk of "lexiam scan ."), an absolute root
    for rel in ("repo/a.tf", "repo/x/.terraform/m.tf", "repo/../elsewhere.tf", "other/b.tf"):
        expect = os.path.relpath(rel, root)
        expect = str(Path(rel).resolve()) if expect.startswith("..") else expect
        assert contract.relative(Path(rel), root) == expect, rel
    assert contract.relative(root, root) == "."
