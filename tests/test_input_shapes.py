"""Broken and odd input through the real CLI: every shape is scanned, skipped or one E9500, never a traceback.

One folder holds a known-bad template in every shape (encodings, line ends, links, special files...)
and is scanned once; each test checks what became of its own file.  Shapes that need their own
command line (paths given twice, special files named explicitly, permissions) run their own scan.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from lexiam.engine import Options, scan
from tests.conftest import SAMPLES, run_lexiam

BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"
BAD_TF = SAMPLES / "terraform" / "E9501-rp-unsupported-action" / "bad"


def bad_text() -> str:
    return BAD.read_text(encoding="utf-8")


def build_shapes(root: Path) -> None:
    bad = bad_text()
    (root / "bad.yaml").write_text(bad, encoding="utf-8")
    (root / "empty.yaml").write_bytes(b"")
    (root / "blank.json").write_bytes(b"  \n\n")
    (root / "image.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "nul.yaml").write_bytes(bad.encode().replace(b"Resources:", b"Resources:\x00", 1))
    (root / "latin1.yaml").write_bytes("AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9\n".encode("latin-1"))
    (root / "latin1-data.json").write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    (root / "bom-utf8.yaml").write_bytes(b"\xef\xbb\xbf" + bad.encode())
    (root / "bom-utf16le.yaml").write_bytes(b"\xff\xfe" + bad.encode("utf-16-le"))
    (root / "bom-utf16be.yaml").write_bytes(b"\xfe\xff" + bad.encode("utf-16-be"))
    (root / "bom-utf32.yaml").write_bytes(b"\xff\xfe\x00\x00" + bad.encode("utf-32-le"))
    (root / "broken-utf16.yaml").write_bytes(b"\xff\xfe" + "Resources:".encode("utf-16-le") + b"\x00\xd8A\x00")
    (root / "crlf.yaml").write_bytes(bad.replace("\n", "\r\n").encode())
    (root / "tabs.yaml").write_text(bad.replace("    Type: AWS::IAM::Role", "\tType: AWS::IAM::Role", 1), encoding="utf-8")
    dup = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n  Topic:\n    Type: AWS::SNS::Topic\n"
    (root / "duplicate-keys.yaml").write_text(bad.replace("Resources:\n", dup, 1), encoding="utf-8")
    (root / "folder.yaml").mkdir()
    (root / "folder.yaml" / "inner.yaml").write_text(bad, encoding="utf-8")
    odd = root / "with space" / "ünïcødé"
    odd.mkdir(parents=True)
    (odd / "tëmplate 1.yaml").write_text(bad, encoding="utf-8")
    os.symlink("..", root / "with space" / "up")  # a folder loop
    os.symlink("self-loop.yaml", root / "self-loop.yaml")  # a symbolic link to itself
    os.symlink("missing.yaml", root / "dangling.yaml")
    os.mkfifo(root / "pipe.yaml")
    os.symlink("/dev/zero", root / "zero.yaml")  # a device: reading it would never end
    os.symlink("/etc/passwd", root / "passwd.yaml")  # outside the scanned folder
    outside = root.parent / "outside-templates"
    outside.mkdir()
    (outside / "bad.yaml").write_text(bad, encoding="utf-8")
    os.symlink(outside, root / "linked-out")
    shutil.copytree(BAD_TF, root / "tf module")


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("shapes")
    root = base / "tree"
    root.mkdir()
    build_shapes(root)
    run = run_lexiam("scan", "tree", "--format", "json", "--fail-on", "none", "--no-config", cwd=base)
    assert run.code == 0, run.stderr
    doc = run.json()
    records = {f.file: f for f in scan([root], Options(root=base)).files}
    return {"doc": doc, "records": records, "base": base}


def findings(shapes: dict, name: str) -> list[tuple[str, int, int]]:
    return [(f["rule_id"], f["line"], f["column"]) for f in shapes["doc"]["findings"] if f["file"] == f"tree/{name}"]


def record(shapes: dict, name: str) -> tuple[str, str]:
    r = shapes["records"][f"tree/{name}"]
    return r.status, r.reason


EXPECTED = ("E9501", 70, 17)  # the finding of the sample, wherever its text ends up


def test_every_file_is_accounted_for(shapes: dict) -> None:
    s = shapes["doc"]["summary"]
    assert s["scanned"] + s["skipped"] + s["input_errors"] == s["files"] == len(shapes["records"])


def test_the_plain_template(shapes: dict) -> None:
    assert findings(shapes, "bad.yaml") == [EXPECTED]


@pytest.mark.parametrize("name", ["empty.yaml", "blank.json"])
def test_empty_files_are_skipped(shapes: dict, name: str) -> None:
    assert findings(shapes, name) == [] and record(shapes, name)[0] == "skipped"


def test_binary_file_is_skipped(shapes: dict) -> None:
    assert findings(shapes, "image.json") == [] and record(shapes, "image.json") == ("skipped", "binary file")


def test_nul_byte_in_a_template_is_one_input_error_at_the_byte(shapes: dict) -> None:
    assert findings(shapes, "nul.yaml") == [("E9500", 3, 11)]


def test_invalid_utf8_template_is_one_input_error_at_the_byte(shapes: dict) -> None:
    assert findings(shapes, "latin1.yaml") == [("E9500", 2, 17)]


def test_invalid_utf8_file_that_is_no_template_is_skipped(shapes: dict) -> None:
    assert findings(shapes, "latin1-data.json") == [] and record(shapes, "latin1-data.json")[0] == "skipped"


@pytest.mark.parametrize("name", ["bom-utf8.yaml", "bom-utf16le.yaml", "bom-utf16be.yaml", "bom-utf32.yaml"])
def test_byte_order_marks_are_decoded(shapes: dict, name: str) -> None:
    assert findings(shapes, name) == [EXPECTED]


def test_broken_utf16_is_one_input_error(shapes: dict) -> None:
    assert [f[0] for f in findings(shapes, "broken-utf16.yaml")] == ["E9500"]
    assert "UTF-16" in record(shapes, "broken-utf16.yaml")[1]


def test_crlf_line_ends_keep_positions(shapes: dict) -> None:
    assert findings(shapes, "crlf.yaml") == [EXPECTED]


def test_tab_indentation_is_one_input_error_at_the_tab(shapes: dict) -> None:
    assert findings(shapes, "tabs.yaml") == [("E9500", 5, 1)]


def test_duplicate_keys_one_input_error_and_the_rest_still_checked(shapes: dict) -> None:
    # CloudFormation and cfn-lint reject the template; lexiam says so once, at the second key, and still
    # analyses the template (the last value of the key) so no other finding is lost.
    found = findings(shapes, "duplicate-keys.yaml")
    assert found == [("E9500", 6, 3), ("E9501", 74, 17)]


def test_folder_named_like_a_template_is_walked(shapes: dict) -> None:
    assert "tree/folder.yaml" not in shapes["records"]
    assert findings(shapes, "folder.yaml/inner.yaml") == [EXPECTED]


def test_spaces_and_non_ascii_names(shapes: dict) -> None:
    assert findings(shapes, "with space/ünïcødé/tëmplate 1.yaml") == [EXPECTED]


def test_folder_loop_is_walked_once(shapes: dict) -> None:
    assert not any("/up/" in name for name in shapes["records"])


@pytest.mark.parametrize("name", ["self-loop.yaml", "dangling.yaml"])
def test_looping_and_dangling_links_are_skipped(shapes: dict, name: str) -> None:
    assert record(shapes, name) == ("skipped", "broken or looping symbolic link")


@pytest.mark.parametrize("name", ["pipe.yaml"])
def test_fifo_is_skipped_without_being_opened(shapes: dict, name: str) -> None:
    # opening a FIFO for reading would block the scan forever: reaching this line proves it was not
    assert record(shapes, name) == ("skipped", "not a regular file (a FIFO, socket or device)")


@pytest.mark.parametrize("name", ["zero.yaml", "passwd.yaml", "linked-out"])
def test_links_out_of_the_scanned_folder_are_not_followed(shapes: dict, name: str) -> None:
    assert record(shapes, name) == ("skipped", "symbolic link to outside the scanned folder: not followed")
    assert not any(f["file"].startswith(f"tree/{name}") for f in shapes["doc"]["findings"])


def test_terraform_module_in_a_folder_with_a_space(shapes: dict) -> None:
    assert any(rule == "E9501" for rule, _l, _c in findings(shapes, "tf module/main.tf"))


# --- shapes that need their own command line ----------------------------------------------------------

def test_a_folder_given_twice_is_scanned_once(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(bad_text(), encoding="utf-8")
    once = run_lexiam("scan", ".", "--format", "json", "--no-config", cwd=tmp_path).json()
    twice = run_lexiam("scan", ".", ".", str(tmp_path), "--format", "json", "--no-config", cwd=tmp_path).json()
    assert twice == once and twice["summary"]["files"] == 1


def test_the_same_file_through_two_paths_is_scanned_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "t.yaml").write_text(bad_text(), encoding="utf-8")
    os.symlink("real", tmp_path / "alias")
    run = run_lexiam("scan", "real/t.yaml", "alias/t.yaml", "real/../real/t.yaml", "--format", "json", "--no-config",
                     cwd=tmp_path)
    doc = run.json()
    assert doc["summary"]["files"] == 1
    assert [(f["file"], f["rule_id"]) for f in doc["findings"]] == [("real/t.yaml", "E9501")]


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null", "/dev/urandom"])
def test_special_files_named_on_the_command_line_are_skipped(tmp_path: Path, special: str) -> None:
    target = tmp_path / "x.yaml"
    if special == "fifo":
        os.mkfifo(target)
    else:
        target = Path(special)
    (tmp_path / "t.yaml").write_text(bad_text(), encoding="utf-8")
    run = run_lexiam("scan", str(target), "t.yaml", "--format", "json", "--no-config", cwd=tmp_path)
    doc = run.json()
    assert doc["summary"] | {} == doc["summary"] and doc["summary"]["skipped"] == 1
    assert [f["rule_id"] for f in doc["findings"]] == ["E9501"]


def test_a_folder_tree_thousands_deep_is_walked(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(1100):  # deeper than Python's recursion limit (os.makedirs itself recurses), under PATH_MAX
        deep = deep / "d"
        deep.mkdir()
    (deep / "t.yaml").write_text(bad_text(), encoding="utf-8")
    try:
        doc = run_lexiam("scan", ".", "--format", "json", "--no-config", cwd=tmp_path).json()
    finally:  # (shutil.rmtree recurses too: take the tree down here)
        (deep / "t.yaml").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent
    assert [f["rule_id"] for f in doc["findings"]] == ["E9501"]


@pytest.mark.parametrize("name", [".lexiam.yaml", "pyproject.toml"])
def test_a_deeply_nested_configuration_file_is_a_usage_error(tmp_path: Path, name: str) -> None:
    # the configuration comes with the scanned code: its parsers recurse, so nesting must not crash
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.yaml").write_text(bad_text(), encoding="utf-8")
    deep = "[" * 100_000 + "]" * 100_000
    text = f"ignore: {deep}\n" if name.endswith(".yaml") else f"[tool.lexiam]\nignore = {deep}\n"
    (tmp_path / name).write_text(text, encoding="utf-8")
    run = run_lexiam("scan", ".", cwd=tmp_path)
    assert run.code == 2 and "nested too deeply" in run.stderr


# --- permissions --------------------------------------------------------------------------------------
# Root reads every file whatever its mode.  As root the scan runs without the two capabilities that
# let it (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so permissions apply to it as well.

def _without_root_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root reads files whatever their mode")
    import tests.conftest as conftest

    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]
    original = conftest.lexiam_exe
    probe = conftest.subprocess.run([*prefix, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr.decode(errors='replace').strip()}")
    monkeypatch.setattr(conftest, "lexiam_exe", lambda: [*prefix, *original()])


def test_unreadable_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_root_bypass(monkeypatch)
    (tmp_path / "ok.yaml").write_text(bad_text(), encoding="utf-8")
    locked_file = tmp_path / "locked.yaml"
    locked_file.write_text(bad_text(), encoding="utf-8")
    locked_dir = tmp_path / "locked"
    locked_dir.mkdir()
    (locked_dir / "t.yaml").write_text(bad_text(), encoding="utf-8")
    locked_file.chmod(0)
    locked_dir.chmod(0)
    try:
        run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", cwd=tmp_path)
    finally:
        locked_dir.chmod(stat.S_IRWXU)
        locked_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
    doc = run.json()
    by_file = sorted((f["file"], f["rule_id"], f["message"]) for f in doc["findings"])
    assert by_file == [
        ("locked.yaml", "E9500", "cannot read the file: Permission denied"),
        ("ok.yaml", "E9501", by_file[1][2]),
    ]
    assert doc["summary"]["skipped"] == 1  # the folder, listed as unreadable
