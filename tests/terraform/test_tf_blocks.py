"""No resource lost without an E9500: the top-level blocks lexiam parses from every ``.tf`` file of the
corpus, against an independent count.

The count is a scanner written here, as ``terraform fmt`` reads the native syntax: it skips comments
(``#``, ``//``, ``/* */``), quoted strings (with their escapes and ``${...}`` interpolations) and heredocs
(which HashiCorp's parser ends at the first line that is the marker, blanks and a carriage return around
it trimmed), and counts every ``{`` opened at the top level.  A file lexiam cannot parse is one E9500,
which is not a silent loss; every other file must give the same number of blocks.

    python -m tests.terraform.test_tf_blocks      # prints files, blocks and the differences
"""

from __future__ import annotations

import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from lexiam.terraform.hcl import HclError, parse_file
from tests.terraform.conftest import SHARED

CORPUS = SHARED / "corpus"
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")


def count_blocks(text: str) -> int:
    """The top-level blocks of a native-syntax file."""
    blocks = 0
    depth = 0
    interpolations: list[int] = []  # the depth at which each open ${ started (inside a string)
    in_string = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"' or c == "\n":
                in_string = False
            elif c in "$%" and text.startswith("{", i + 1) and not (i > 0 and text[i - 1] == c):
                interpolations.append(depth)
                in_string = False
                depth += 1
                i += 2
                continue
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c == '"':
            in_string = True
        elif c == "<" and (m := _HEREDOC.match(text, i)):
            i = m.end()
            marker = m.group(1)
            while i < n:
                end = text.find("\n", i)
                line = text[i:n if end < 0 else end]
                i = n if end < 0 else end + 1
                if line.strip(" \t\r") == marker:
                    break
            continue
        elif c in "{[(":
            if c == "{" and depth == 0:
                blocks += 1
            depth += 1
        elif c in "}])":
            depth -= 1
            if interpolations and c == "}" and depth == interpolations[-1]:
                interpolations.pop()
                in_string = True
        i += 1
    return blocks


def compare(path: Path) -> tuple[str, int, int | None]:
    """(file, blocks counted, blocks lexiam parsed or None when it reports an E9500)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    expected = count_blocks(text)
    try:
        parsed: int | None = len(parse_file(text, str(path)).body.blocks)
    except HclError:
        parsed = None
    return str(path.relative_to(CORPUS)), expected, parsed


def differential() -> tuple[list[tuple[str, int, int | None]], list[tuple[str, int, int]]]:
    files = sorted(CORPUS.rglob("*.tf"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(compare, files, chunksize=64))
    differences = [(f, e, p) for f, e, p in results if p is not None and p != e]
    return results, differences  # type: ignore[return-value]


def test_the_scanner_reads_what_terraform_reads() -> None:
    text = '''resource "a" "b" {
  policy = <<POLICY
{"Statement": [{"Resource": "}"}]}
POLICY{blanks}
}
/* resource "not" "counted" { */
# resource "not" "counted" {
data "c" "d" {
  name = "${jsonencode({a = "{"})}" // {
}
locals {
  t = <<-EOT
    ${"x"}
    EOT
}
'''.replace("{blanks}", "   \r")
    assert count_blocks(text) == 3
    assert len(parse_file(text, "x.tf").body.blocks) == 3  # the marker with blanks after it closes the heredoc


def test_every_corpus_file_gives_the_blocks_terraform_sees() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared is not present")
    results, differences = differential()
    assert len(results) > 4000 and sum(e for _f, e, _p in results) > 8000
    assert differences == []


if __name__ == "__main__":  # pragma: no cover - the figures of the closing note
    results, differences = differential()
    errors = [f for f, _e, p in results if p is None]
    print(f"files {len(results)}, blocks {sum(e for _f, e, _p in results)}, parse errors (E9500) {len(errors)}, "
          f"differences {len(differences)}")
    for f, e, p in differences:
        print(f"  {f}: {e} blocks, lexiam {p}")
    for f in errors:
        print(f"  E9500 {f}")
    sys.exit(1 if differences else 0)


def test_resources_after_a_heredoc_closed_with_blanks_are_not_lost(tmp_path: Path) -> None:
    from tests.conftest import run_lexiam

    policy = ('resource "awscc_lex_resource_policy" "bot" {\n  resource_arn = aws_lexv2models_bot.order.arn\n'
              '  policy = <<POLICY\n{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},'
              ' "Action": "lex:*", "Resource": "*"}]}\nPOLICY\n}\n')
    (tmp_path / "main.tf").write_text('resource "aws_iam_policy" "first" {\n  policy = <<POLICY\n{}\nPOLICY  \r\n}\n'
                                      'resource /* the bot */ "aws_lexv2models_bot" "order" {\n'
                                      '  name = /* a name */ "OrderBot"\n}\n'
                                      + policy)
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    assert [(f["rule_id"], f["line"], f["resource"]) for f in run.json()["findings"]] == [
        ("W9509", 12, "awscc_lex_resource_policy.bot")]
