"""``--format github``: workflow-command annotations, and the Markdown step summary."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lexiam.model import Finding
from lexiam.report.github import annotation, escape_data, escape_property
from tests.conftest import SAMPLES, run_lexiam

BAD_E9501 = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
COMMAND = re.compile(r"^::(error|warning|notice) (file=[^:]*)::(.+)$")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    m = COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    return m.group(1), props, m.group(3)


def test_annotations_of_the_samples_ordered_and_capped(tmp_path: Path) -> None:
    sarif = tmp_path / "lexiam.sarif"
    run = run_lexiam("scan", str(SAMPLES), "--format", "github", "--fail-on", "none", "--sarif-file", str(sarif),
                     env={"GITHUB_STEP_SUMMARY": ""})
    js = run_lexiam("scan", str(SAMPLES), "--format", "json", "--fail-on", "none").json()
    lines = run.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::") and "title=lexiam::" not in line]
    rank = {"error": 0, "warning": 1, "info": 2}
    active = sorted((f for f in js["findings"] if "suppressed" not in f),  # suppressed findings get no annotation
                    key=lambda f: (rank[f["severity"]], f["file"], f["line"], f["column"], f["rule_id"]))
    kinds = [parse(a)[0] for a in annotations]
    assert kinds == sorted(kinds, key=["error", "warning", "notice"].index)  # errors first
    assert kinds.count("error") == 10 and kinds.count("warning") == 10 and kinds.count("notice") <= 9
    (closing,) = [line for line in lines if "title=lexiam::" in line]
    left = len(active) - len(annotations)
    assert closing.startswith(f"::notice title=lexiam::{left} more findings were not annotated: GitHub shows at most 10")
    assert f"the SARIF report {sarif} has all {len(active)}" in closing
    expected = [f for f in active if f["severity"] == "error"][:10] + [f for f in active if f["severity"] == "warning"][:10]
    for line, f in zip(annotations, expected):
        command, props, message = parse(line)
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[f["severity"]]
        assert props["file"] == f["file"] and props["line"] == str(f["line"])
        assert props["title"] == f"{f['rule_id']} {f['slug']}"
        if f["end_line"] == f["line"]:
            assert props["col"] == str(f["column"]) and props["endLine"] == str(f["line"])
        if f["end_line"] == f["line"] and f["end_column"] > f["column"]:
            assert int(props["endColumn"]) == f["end_column"] - 1  # GitHub's end column is inclusive
        assert message == escape_data(f["message"])
    assert lines[-1].startswith("lexiam: ") and "findings" in lines[-1]


def test_the_exact_annotation_of_a_finding() -> None:
    run = run_lexiam("scan", str(BAD_E9501), "--format", "github")
    assert run.code == 1
    assert run.stdout.splitlines()[0] == (
        "::error file=sample_templates/cloudformation/E9501-rp-unsupported-action/bad.yaml,line=70,col=17,endLine=70,"
        "endColumn=34,title=E9501 rp-unsupported-action::lex:CreateBotAlias cannot be used in a resource-based policy; "
        "Lex rejects this bot policy")


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    f = Finding("W9509", "rp-wildcard-action", "warning", "50% of\nit", "dir,x/a:b.yaml", 3, 5, 4, 2)
    assert annotation(f) == "::warning file=dir%2Cx/a%3Ab.yaml,line=3,endLine=4,title=W9509 rp-wildcard-action::50%25 of%0Ait"
    info = Finding("I9999", "x", "info", "m", "f.yaml", 1, 1, 1, 1)
    assert annotation(info) == "::notice file=f.yaml,line=1,col=1,endLine=1,title=I9999 x::m"


def test_file_names_are_escaped_by_the_cli(tmp_path: Path) -> None:
    shutil.copy(BAD_E9501, tmp_path / "a,b.yaml")
    run = run_lexiam("scan", "a,b.yaml", "--format", "github", cwd=tmp_path)
    command, props, _ = parse(run.stdout.splitlines()[0])
    assert command == "error" and props["file"] == "a%2Cb.yaml"


def test_step_summary_is_appended(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    run_lexiam("scan", str(BAD_E9501), "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## lexiam\n")
    assert "| files scanned | skipped | unreadable | errors | warnings | notices | suppressed | baselined |" in text
    assert "| 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |" in text
    assert "| error | E9501 rp-unsupported-action | `sample_templates/cloudformation/E9501-rp-unsupported-action/bad.yaml:70` " \
           "| OrderBotPolicy | lex:CreateBotAlias cannot be used" in text


def test_no_step_summary_without_the_variable(tmp_path: Path) -> None:
    shutil.copy(BAD_E9501, tmp_path / "t.yaml")
    run = run_lexiam("scan", "t.yaml", "--format", "github", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": ""})
    assert run.code == 1 and [p.name for p in tmp_path.iterdir()] == ["t.yaml"]


def test_suppressed_findings_are_counted_not_annotated(tmp_path: Path) -> None:
    text = BAD_E9501.read_text(encoding="utf-8").replace(
        "Resources:\n", "Metadata:\n  lexiam:\n    ignore: [{id: E9501, reason: 'accepted | risk'}]\nResources:\n", 1)
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    summary = tmp_path / "summary.md"
    run = run_lexiam("scan", "t.yaml", "--format", "github", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 0
    assert not [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert "1 suppressed" in run.stdout
    assert "error (suppressed: accepted \\| risk)" in summary.read_text(encoding="utf-8")
