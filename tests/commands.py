"""The commands the README and docs/ show, found in their code blocks (tests/test_doc_commands.py runs them).

A code block is a fenced block whose language is empty or a shell's, or a block indented by four spaces.
In it, a command is a line (``$ `` prompt optional) whose program, after any ``NAME=value`` settings, is
one of :data:`PROGRAMS`; other lines (output, YAML, a comment) are not commands.  A block with a
placeholder (``PATH...``, ``[--option]``, an upper-case ``ID``) is a synopsis: its forms are checked
against the command's ``--help`` instead of being run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = ("lexiam", "python", "python3", "pip", "cfn-lint", "pre-commit")
SHELL_LANGUAGES = ("", "sh", "bash", "shell", "console", "shell-session")
_PLACEHOLDER = re.compile(r"\.\.\.|\[--?[A-Za-z]|(?<![\w.-])[A-Z]{2,}(?![\w.-])|<[^>]+>")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=\S*$")


@dataclass(frozen=True)
class Command:
    doc: str  # the document, relative to the repository
    line: int  # 1-based line of the command in it
    text: str  # as written, without the ``$ `` prompt
    block: int  # the commands of one block share a number (they run in order, in one place)

    @property
    def programs(self) -> list[str]:
        """The program of each command of a ``&&`` / ``;`` chain."""
        out = []
        for part in re.split(r"&&|\|\||;", self.text.split(" #", 1)[0]):
            words = [w for w in shlex.split(part) if not _ENV.match(w)]
            if words:
                out.append(words[0])
        return out

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}:{self.programs[0].replace('-', '_')}"


def _is_command(line: str) -> bool:
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return False
    words = [w for w in words if not _ENV.match(w)] if words else []
    return bool(words) and words[0] in PROGRAMS


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """The code blocks of a Markdown text that may hold commands: (first line number, lines)."""
    out: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    i = 0
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^ {0,3}(`{3,}|~{3,})\s*([\w-]*)", line)
        if fence:
            mark, language = fence.group(1), fence.group(2).lower()
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(mark):
                end += 1
            if language in SHELL_LANGUAGES:
                out.append((i + 2, lines[i + 1:end]))
            i = end + 1
            previous_blank = False
            continue
        if previous_blank and line.startswith("    ") and line.strip():
            start = i
            body = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            out.append((start + 1, body))
            previous_blank = True
            continue
        # an indented code block may follow a blank line or an HTML comment that ends on its line (a block of
        # its own in CommonMark), as the README's generated usage block does
        stripped = line.strip()
        previous_blank = not stripped or (stripped.startswith("<!--") and stripped.endswith("-->"))
        i += 1
    return out


def _strip_prompt(line: str) -> str:
    line = line.strip()
    return line[2:] if line.startswith("$ ") else line


def documents(repo: Path) -> list[Path]:
    return [repo / "README.md", *sorted((repo / "docs").rglob("*.md"))]


def extract(repo: Path) -> tuple[list[Command], list[Command]]:
    """(commands to run, synopsis lines) of the README and every page under docs/."""
    run: list[Command] = []
    synopses: list[Command] = []
    number = 0
    for path in documents(repo):
        doc = path.relative_to(repo).as_posix()
        for first, body in blocks(path.read_text(encoding="utf-8")):
            number += 1
            found: list[Command] = []
            for k, line in enumerate(body):
                text = _strip_prompt(line)
                if _is_command(text):
                    found.append(Command(doc, first + k, text, number))
                elif found and line[:1].isspace() and text:  # a synopsis going on over several lines
                    found[-1] = Command(doc, found[-1].line, f"{found[-1].text} {text}", number)
            if not found:
                continue
            synopsis = any(_PLACEHOLDER.search(c.text.split(" #", 1)[0]) for c in found)
            (synopses if synopsis else run).extend(found)
    return run, synopses


def setup_commands(readme: str) -> list[str]:
    """The README's set-up commands, as .ci/run reads them: its lines indented by four spaces after ``$ ``."""
    return [line[6:] for line in readme.splitlines() if line.startswith("    $ ")]
