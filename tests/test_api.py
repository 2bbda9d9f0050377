"""The public API (``from lexiam import scan``): its documented shape (docs/usage/python.md), its results
(those of ``lexiam scan``), its errors, and an ``import lexiam`` that loads nothing else."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lexiam
from lexiam import FileResult, Finding, ScanResult, scan
from tests.conftest import REPO, SAMPLES, run_lexiam

DOC = REPO / "docs" / "usage" / "python.md"
BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"


def documented(section: str) -> list[str]:
    """The first column of the table under a ``## `name` ``-style heading of docs/usage/python.md."""
    text = DOC.read_text(encoding="utf-8")
    body = re.split(r"^## ", text, flags=re.M)
    (part,) = [b for b in body if b.startswith(section)]
    return re.findall(r"^\| `(\w+)` \|", part, flags=re.M)


def test_import_lexiam_loads_nothing_else() -> None:
    code = ("import sys, lexiam; print(lexiam.__version__); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lexiam', 'yaml', 'networkx', 'lark', 'hcl2')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == lexiam.__version__ and out[1] == "['lexiam']"


def test_the_cli_version_loads_no_engine() -> None:
    code = ("import sys\nfrom lexiam.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'networkx', 'lark', 'hcl2', 'cfnlint')"
            " or m == 'lexiam.engine'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"lexiam {lexiam.__version__}", "[]"]


def test_the_public_names() -> None:
    assert lexiam.__all__ == ["FileResult", "Finding", "ScanResult", "__version__", "scan"]
    assert {"scan", "Finding", "ScanResult", "FileResult"} <= set(dir(lexiam))
    with pytest.raises(AttributeError):
        lexiam.nothing_here  # noqa: B018
    assert re.fullmatch(r"\d+\.\d+\.\d+", lexiam.__version__)


def test_the_documented_shape() -> None:
    """The tables of docs/usage/python.md name exactly the fields and arguments the code has."""
    import inspect

    assert [f.name for f in dataclasses.fields(Finding)] == documented("`Finding`")
    assert [f.name for f in dataclasses.fields(FileResult)] == documented("`FileResult`")
    assert [f.name for f in dataclasses.fields(ScanResult)] == documented("`ScanResult`")
    assert list(inspect.signature(scan).parameters) == documented("`scan(")
    assert dataclasses.is_dataclass(Finding) and Finding.__dataclass_params__.frozen  # type: ignore[attr-defined]
    summary = scan(BAD).summary()
    keys = re.search(r"`result\.summary\(\)` is the JSON report's `summary`: (.*?)\.\n\n", DOC.read_text(encoding="utf-8"), re.S)
    assert keys and list(summary) == re.findall(r"`(\w+)`", keys.group(1))


def test_scan_gives_what_the_cli_reports(tmp_path: Path) -> None:
    result = scan([SAMPLES / "cloudformation"], root=REPO)
    cli = run_lexiam("scan", "sample_templates/cloudformation", "--format", "json", "--no-config", "--jobs", "1", cwd=REPO).json()
    assert [f.as_dict() for f in result.findings] == cli["findings"]
    assert result.summary() == cli["summary"]
    assert all(isinstance(f, Finding) for f in result.findings) and len(result.findings) > 20


def test_scan_options() -> None:
    one = scan(str(BAD), root=SAMPLES)
    assert [(f.rule_id, f.file, f.line, f.column) for f in one.findings if f.suppressed is None] == [
        ("E9501", "cloudformation/E9501-rp-unsupported-action/bad.yaml", 70, 17)]
    assert one.files == [FileResult("cloudformation/E9501-rp-unsupported-action/bad.yaml", "scanned")]
    assert scan(BAD, ignore="E95").summary()["findings"] == 0
    assert scan(BAD, ignore=["E9501"]).summary()["findings"] == 0


def test_scan_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        scan(BAD, account_id="12")
    with pytest.raises(ValueError, match="no rule"):
        scan(BAD, ignore=["E1234"])
    with pytest.raises(ValueError, match="jobs"):
        scan(BAD, jobs=0)
    with pytest.raises(ValueError, match="at least one"):
        scan([])
    with pytest.raises(FileNotFoundError):
        scan(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Bot:\n    Type: AWS::Lex::Bot\n    Properties: [\n", encoding="utf-8")
    (error,) = scan(broken, root=tmp_path).findings
    assert error.rule_id == "E9500" and error.file == "broken.yaml"


def test_the_documented_example_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    (example,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "bot.yaml").write_bytes(BAD.read_bytes())
    monkeypatch.chdir(tmp_path)
    exec(compile(example, str(DOC), "exec"), {})
    assert capsys.readouterr().out == (
        "infra/bot.yaml:70:17 E9501 lex:CreateBotAlias cannot be used in a resource-based policy; Lex rejects this bot policy\n"
        "1 findings\n")
