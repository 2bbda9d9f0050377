"""Tests for rules/data: the builder against the shared seed, and the runtime tables API."""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lexiam.rules.data as rule_data
from lexiam.rules.data import ActionInfo, tables

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed"
BUILDER = REPO / "rules" / "data" / "build_tables.py"
CHECKED_IN = REPO / "rules" / "data" / "lexv2_actions.json"

# RULES.md E9501: the actions the feature table marks "No" for resource-based policies.
E9501_NO_ACTIONS = {
    "CreateBot",
    "CreateBotAlias",
    "CreateUploadUrl",
    "ListBots",
    "ListBuiltInIntents",
    "ListBuiltInSlotTypes",
    "ListExports",
    "ListImports",
    "TagResource",
    "UntagResource",
}

needs_seed = pytest.mark.skipif(not SEED.is_dir(), reason=f"{SEED} is not available")


def run_builder(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILDER), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def copy_seed(tmp_path: Path) -> Path:
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    return seed


# ------------------------------------------------------------------------------------------ the builder


def test_checked_in_tables_are_fresh() -> None:
    if not SEED.is_dir():
        pytest.skip(f"{SEED} is not available; cannot check rules/data/lexv2_actions.json for staleness")
    result = run_builder("--seed", SEED, "--out", CHECKED_IN, "--check")
    assert result.returncode == 0, (
        "rules/data/lexv2_actions.json is stale: run `python rules/data/build_tables.py`\n" + result.stderr
    )


@needs_seed
def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    stale = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    stale["actions"]["RecognizeText"]["resource_types"] = ["bot"]
    del stale["actions"]["ListBots"]
    out = tmp_path / "lexv2_actions.json"
    out.write_text(json.dumps(stale, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    result = run_builder("--seed", SEED, "--out", out, "--check")
    assert result.returncode == 1
    assert "stale" in result.stderr
    assert "+ action ListBots" in result.stderr
    assert "RecognizeText.resource_types" in result.stderr
    # --check never writes.
    assert json.loads(out.read_text(encoding="utf-8")) == stale


@needs_seed
def test_check_reports_a_missing_file(tmp_path: Path) -> None:
    result = run_builder("--seed", SEED, "--out", tmp_path / "absent.json", "--check")
    assert result.returncode == 1


@needs_seed
def test_build_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run_builder("--seed", SEED, "--out", out).returncode == 0
    first = out.read_bytes()
    assert run_builder("--seed", SEED, "--out", out).returncode == 0
    assert out.read_bytes() == first == CHECKED_IN.read_bytes()
    text = first.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@needs_seed
def test_builder_fails_loudly_on_an_unexplained_disagreement(tmp_path: Path) -> None:
    seed = copy_seed(tmp_path)
    md = seed / "how-lex-v2-works-with-iam.md"
    text = md.read_text(encoding="utf-8")
    row = "| RecognizeText | Supported | BotAliasId | "
    assert row in text
    md.write_text(text.replace(row, "| RecognizeText | Supported | BotId | "), encoding="utf-8")
    out = tmp_path / "out.json"
    result = run_builder("--seed", seed, "--out", out)
    assert result.returncode == 2
    assert "RecognizeText" in result.stderr
    assert not out.exists()


@needs_seed
def test_builder_fails_when_json_loses_a_correction(tmp_path: Path) -> None:
    seed = copy_seed(tmp_path)
    path = seed / "lexv2_actions.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["actions"]:
        if entry["action"] == "ListBotAliases":
            del entry["resources_per_sar"]
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_builder("--seed", seed, "--out", tmp_path / "out.json")
    assert result.returncode == 2
    assert "ListBotAliases" in result.stderr


@needs_seed
def test_builder_fails_on_a_doc_row_missing_from_json(tmp_path: Path) -> None:
    seed = copy_seed(tmp_path)
    md = seed / "how-lex-v2-works-with-iam.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(
        text.replace("| UpdateBot | Supported | BotId | ", "| UpdateBotz | Supported | BotId | "),
        encoding="utf-8",
    )
    result = run_builder("--seed", seed, "--out", tmp_path / "out.json")
    assert result.returncode == 2
    assert "UpdateBotz" in result.stderr


# ------------------------------------------------------------------------------------ the data itself


def test_counts() -> None:
    t = tables()
    assert len(t.all_names) == 119
    assert list(t.all_names) == sorted(t.all_names)
    assert len(t.v1_names) == 33
    assert not {n.lower() for n in t.all_names} & {n.lower() for n in t.v1_names}


def test_feature_table_in_doc_order() -> None:
    t = tables()
    assert t.feature_table[0] == ("Identity-based policies", "Yes")
    assert dict(t.feature_table) == {
        "Identity-based policies": "Yes",
        "Resource-based policies": "Yes",
        "Policy actions": "Yes",
        "Policy resources": "Yes",
        "Policy condition keys": "No",
        "ACLs": "No",
        "ABAC (tags in policies)": "Yes",
        "Temporary credentials": "No",
        "Principal permissions": "Yes",
        "Service roles": "Yes",
        "Service-linked roles": "Partial",
    }
    assert t.feature_table[-1] == ("Service-linked roles", "Partial")


def test_misspelled_doc_row_is_corrected() -> None:
    t = tables()
    real = t.action("ListBuiltInSlotTypes")
    assert real is not None
    assert real.resource_policy == "no"
    assert real.resource_types == frozenset()
    assert real.basis == "doc_table_corrected"
    assert t.action("ListBuiltIntSlotTypes") is None
    assert t.correction("ListBuiltIntSlotTypes") == (True, "ListBuiltInSlotTypes")
    assert t.correction("listbuiltintslottypes") == (True, "ListBuiltInSlotTypes")


def test_update_bot_version_is_not_an_action() -> None:
    t = tables()
    assert t.action("UpdateBotVersion") is None
    assert not t.is_v1("UpdateBotVersion")
    assert t.correction("UpdateBotVersion") == (True, None)
    assert t.correction("UpdateBot") == (False, None)
    assert t.correction("NoSuchThing") == (False, None)


def test_the_feature_table_wins_over_the_sar() -> None:
    """ListBotAliases: the table gives BotAliasId, the SAR the bot; the table wins, the SAR's view is kept."""
    t = tables()
    info = t.action("ListBotAliases")
    assert info is not None
    assert info.resource_types == frozenset({"bot-alias"})
    assert info.resource_policy == "yes"
    assert info.basis == "doc_table"
    assert info.sar_resource_types == frozenset({"bot"}) and "feature table wins" in info.note
    tag = t.action("TagResource")
    assert tag.resource_policy == "no" and tag.sar_resource_types == frozenset({"bot", "bot-alias"})
    assert "feature table wins" in t.precedence
    assert not info.decided_by_sar and t.action("ListBotReplicas").decided_by_sar
    # ... and AWS's own example bot policy grants it on the bot: neither placement is reported (E9502)
    assert info.accepted_on == frozenset({"bot", "bot-alias"})
    assert t.action("RecognizeText").accepted_on == frozenset({"bot-alias"})


def test_list_bot_aliases_is_no_error_in_either_policy(tmp_path) -> None:  # noqa: ANN001
    from tests.conftest import run_lexiam

    for arn in ("bot/ABCDEFGHIJ", "bot-alias/ABCDEFGHIJ/KLMNOPQRST"):
        (tmp_path / "stack.yaml").write_text(f"""Resources:
  Policy:
    Type: AWS::Lex::ResourcePolicy
    Properties:
      ResourceArn: !Sub arn:${{AWS::Partition}}:lex:${{AWS::Region}}:${{AWS::AccountId}}:{arn}
      Policy:
        Statement:
          - Effect: Allow
            Principal: {{AWS: !Sub "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/reader"}}
            Action: [lex:ListBotAliases, lex:UpdateBot]
            Resource: !Sub arn:${{AWS::Partition}}:lex:${{AWS::Region}}:${{AWS::AccountId}}:{arn}
""")
        found = run_lexiam("scan", "stack.yaml", "--format", "json", "--fail-on", "none", cwd=tmp_path).json()["findings"]
        e9502 = [f["message"] for f in found if f["rule_id"] == "E9502"]
        assert not any("ListBotAliases" in m for m in e9502), e9502
        assert any("UpdateBot" in m for m in e9502) == arn.startswith("bot-alias/")  # the check itself still works


def test_resource_policy_no_actions_match_rules_md() -> None:
    t = tables()
    doc_no = {n for n in t.all_names if t.action(n).basis.startswith("doc_table")}
    doc_no = {n for n in doc_no if t.action(n).resource_policy == "no"}
    assert doc_no == E9501_NO_ACTIONS
    for name in E9501_NO_ACTIONS:
        assert t.action(name).resource_types == frozenset()


def test_resource_types_follow_the_policy_value() -> None:
    t = tables()
    for name in t.all_names:
        info = t.action(name)
        assert info.resource_policy in {"yes", "no", "permission-only"}
        assert info.basis in {"doc_table", "doc_table_corrected", "inferred_from_sar"}
        assert info.resource_types <= {"bot", "bot-alias"}
        assert bool(info.resource_types) == (info.resource_policy != "no"), name


def test_known_rows() -> None:
    t = tables()
    assert t.action("RecognizeText").resource_types == frozenset({"bot-alias"})
    assert t.action("UpdateBot").resource_types == frozenset({"bot"})
    assert t.action("DeleteBot").resource_types == frozenset({"bot", "bot-alias"})
    assert t.action("CreateBotChannel").resource_policy == "permission-only"
    assert t.action("TagResource").access_level == "Tagging, Write"
    assert t.action("BuildBotLocale").identity_resource_types == ("bot*",)
    assert t.action("CreateCustomVocabulary").basis == "inferred_from_sar"
    assert t.action("StartTestExecution").resource_policy == "no"


def test_needs_star() -> None:
    t = tables()
    for name in ("ListBots", "CreateUploadUrl", "ListBuiltInIntents", "ListBuiltInSlotTypes"):
        assert t.action(name).needs_star, name
    for name in ("RecognizeText", "UpdateBot", "TagResource", "CreateExport"):
        assert not t.action(name).needs_star, name


def test_v1_actions() -> None:
    t = tables()
    for name in ("PostText", "PostContent", "PutBot", "GetBot", "GetBots", "StartMigration"):
        assert t.is_v1(name)
        assert t.action(name) is None
    assert t.is_v1("posttext") and t.is_v1("lex:POSTTEXT")
    assert not t.is_v1("RecognizeText")


# ---------------------------------------------------------------------------------------------- the API


def test_lookup_is_case_insensitive() -> None:
    t = tables()
    canonical = t.action("RecognizeText")
    assert isinstance(canonical, ActionInfo)
    assert canonical.name == "RecognizeText"
    assert t.action("recognizetext") is canonical
    assert t.action("RECOGNIZETEXT") is canonical
    assert t.action("lex:RecognizeText") is canonical
    assert t.action("lexv2:RecognizeText") is None
    assert t.action("RecognizeTxt") is None
    assert t.action("") is None


def test_action_info_is_frozen() -> None:
    info = tables().action("UpdateBot")
    with pytest.raises(AttributeError):
        info.resource_policy = "no"  # type: ignore[misc]


def test_expand_list_star() -> None:
    t = tables()
    names = [a.name for a in t.expand("List*")]
    assert names == sorted(names)
    assert names == [n for n in t.all_names if n.startswith("List")]
    assert {"ListBots", "ListBotAliases", "ListBuiltInSlotTypes"} <= set(names)
    assert "ListBuiltIntSlotTypes" not in names
    assert [a.name for a in t.expand("list*")] == names
    assert [a.name for a in t.expand("lex:LIST*")] == names


def test_expand_everything() -> None:
    t = tables()
    assert [a.name for a in t.expand("*")] == list(t.all_names)
    assert not {"PostText", "GetBot"} & {a.name for a in t.expand("*")}


def test_expand_recognize() -> None:
    assert [a.name for a in tables().expand("Recognize*")] == ["RecognizeText", "RecognizeUtterance"]


def test_expand_question_mark() -> None:
    t = tables()
    assert t.expand("?") == []
    assert [a.name for a in t.expand("ListBot?")] == ["ListBots"]
    assert [a.name for a in t.expand("?ecognizeText")] == ["RecognizeText"]
    assert [a.name for a in t.expand("*Bot?Locale")] == []


def test_expand_is_literal_apart_from_wildcards() -> None:
    t = tables()
    assert [a.name for a in t.expand("UpdateBot")] == ["UpdateBot"]
    assert t.expand("Update.ot") == []
    assert t.expand("List[B]ots") == []
    assert t.expand("") == []


def test_expand_v1() -> None:
    t = tables()
    assert t.expand_v1("Post*") == ["PostContent", "PostText"]
    assert len(t.expand_v1("*")) == 33
    assert t.expand_v1("Recognize*") == []


def test_suggest() -> None:
    t = tables()
    assert t.suggest("RecognizeTxt") == "RecognizeText"
    assert t.suggest("recognizetxt") == "RecognizeText"
    assert t.suggest("lex:DescribBot") == "DescribeBot"
    assert t.suggest("PostTxt") == "PostText"
    assert t.suggest("ListBuiltIntSlotTypes") == "ListBuiltInSlotTypes"
    assert t.suggest("RecognizeText") is None
    assert t.suggest("Frobnicate") is None
    assert t.suggest("") is None


def test_tables_is_cached() -> None:
    assert tables() is tables()


# ------------------------------------------------------------------------------------- packaged data


def test_runtime_reads_package_data_not_the_seed() -> None:
    source = inspect.getsource(rule_data)
    assert "from importlib import resources" in source
    assert "resources.files(__name__)" in source
    # No file-system path of its own: nothing derived from __file__, no pathlib, no "shared" literal.
    for forbidden in ("__file__", "pathlib", "Path(", "open(", '"shared"', "'shared'", "../"):
        assert forbidden not in source.split('"""', 2)[2], forbidden


def test_package_works_without_shared(tmp_path: Path) -> None:
    """A copy of the package alone, where no ../shared exists, loads the same tables."""
    pkg = tmp_path / "site" / "lexiam" / "rules" / "data"
    pkg.mkdir(parents=True)
    (pkg.parent / "__init__.py").write_text("", encoding="utf-8")
    (pkg.parent.parent / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy2(REPO / "rules" / "data" / "__init__.py", pkg / "__init__.py")
    shutil.copy2(CHECKED_IN, pkg / CHECKED_IN.name)
    assert not (tmp_path / "site").parent.joinpath("shared").exists()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import lexiam.rules.data as d; t = d.tables();"
        "assert d.__file__.startswith(sys.argv[1]), d.__file__;"
        "print(len(t.all_names), len(t.v1_names), t.action('recognizetext').name)"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, str(tmp_path / "site")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["119", "33", "RecognizeText"]
