"""HCL text -> :mod:`lexiam.terraform.nodes`, with the position of every value.

python-hcl2 (8.x) is used for what it does well, parsing: its grammar and its LALR tables, as
``hcl2.parser.parser()`` builds and caches them, give the raw Lark tree.  Every token keeps its line,
column and end; a rule's position is taken from its first and last token here (python-hcl2 has Lark
propagate positions into every rule of the tree, which is half of its parse time).  Its dict output
(``hcl2.loads``) is not used: it flattens expressions back to ``${...}`` text and keeps only block
start/end lines.  Heredoc bodies are a single token in the grammar; their ``${...}``
interpolations are found here and parsed as expressions of their own, positions shifted back into
the file.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lexiam.contract import LineCounter
from lexiam.terraform.nodes import (
    Access,
    Attribute,
    Bad,
    Block,
    Body,
    Call,
    Chunk,
    Comment,
    Cond,
    Directive,
    Expr,
    ForExpr,
    Literal,
    Name,
    ObjectExpr,
    ObjectItem,
    Op,
    Seg,
    Step,
    Template,
    TupleExpr,
)
from lexiam.values import Location

# The Lark tree depth we follow (a source nesting level is 3-4 tree levels); deeper is an input error.
MAX_TREE_DEPTH = 480
# The tokens of one file that are parsed: python-hcl2's tree holds about half a kilobyte per token while
# the file is converted (250,000 tokens: some 850 KB of ordinary HCL, eight times the largest file of the
# test corpus, parsed in a few seconds); the parse stops at the first token past it: one E9500.
MAX_TOKENS = 250_000


class HclError(Exception):
    """HCL that cannot be parsed: python-hcl2's reason and a 1-based position."""

    syntax = "HCL"  # what could not be parsed, as the E9500 message names it

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


@dataclass(slots=True)
class ParsedFile:
    rel: str
    body: Body
    comments: list[Comment]
    lines: list[str]
    # what the parse read but could not keep, each one E9500 (a JSON key written twice: one is lost)
    problems: list[tuple[str, Location]] = field(default_factory=list)


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """No cyclic garbage collection while a parse builds its tree.  The tree (and ours) holds no cycle,
    but its million objects make every collection scan them all: on a 1 MiB file the collector took more
    than half of the parse, growing with the square of the size."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _too_many(token) -> HclError:  # noqa: ANN001 - lark.Token
    return HclError(f"more than {MAX_TOKENS:,} tokens: past what lexiam parses in one Terraform file "
                    "(python-hcl2 holds about half a kilobyte of memory per token)",
                    getattr(token, "line", 1) or 1, getattr(token, "column", 1) or 1)


@functools.lru_cache(maxsize=1)
def _parsers():  # noqa: ANN202 - (lark.Lark | None, lark.Lark)
    """(lexiam's parser, python-hcl2's).  Ours is python-hcl2's, as its cache holds it, loaded again with
    two options changed: no positions propagated into the rules (the converter takes them from the
    tokens) and a post-lexer that counts the tokens as they come.  None when this Lark cannot load it
    that way (its internals are not a public interface): python-hcl2's parser is then fed token by
    token, which gives the same tree at about half the speed."""
    import hcl2  # deferred: loading the Lark parser costs ~0.1 s, only pay it when HCL is parsed

    if getattr(hcl2, "parses_to_tree", None) is None:  # 7.x and older: another grammar ("300 300" is a number)
        raise HclError(f"python-hcl2 8.1 or later is required, {getattr(hcl2, '__version__', '?')} is installed")
    from hcl2.parser import parser as hcl2_parser

    base = hcl2_parser()
    ours = None
    try:
        from lark import Lark
        from lark.grammar import Rule
        from lark.lexer import TerminalDef

        post = type(base.options.postlex)

        class Counted(post):  # type: ignore[misc, valid-type]
            """python-hcl2's post-lexer, counting the tokens and keeping the comments it passes on (every
            token the parser is given is in the tree: the grammar filters none)."""

            comments: list = []  # noqa: RUF012 - the last parse's, replaced by each

            def process(self, stream):  # noqa: ANN001, ANN202
                self.comments = comments = []
                for n, token in enumerate(super().process(stream), 1):
                    if n > MAX_TOKENS:
                        raise _too_many(token)
                    if token.type == "NL_OR_COMMENT" and ("#" in token or "/" in token):
                        comments.append(token)
                    yield token

        data, memo = base.memo_serialize([TerminalDef, Rule])
        ours = Lark.__new__(Lark)._load({"data": data, "memo": memo}, propagate_positions=False, postlex=Counted())
        if ours.parse("a = 1\n").children[0].children[0].children[0].children[0] != "a":
            ours = None
    except Exception:  # noqa: BLE001 - a Lark whose internals differ: python-hcl2's parser below
        ours = None
    return ours, base


def _parser_tree(text: str, propagated: bool = False):  # noqa: ANN202 - (lark.Tree, [lark.Token] | None)
    """The Lark tree of a file's text and the comment tokens in it (None: search the tree for them).
    ``propagated``: python-hcl2's own parser, every rule positioned (the tests compare the two)."""
    ours, base = _parsers()
    if ours is not None and not propagated:
        post = ours.options.postlex
        try:
            tree = ours.parse(text + "\n")  # the newline as hcl2.parses_to_tree adds it: the grammar wants one
            return tree, post.comments
        finally:
            post.comments = []  # the parser outlives the parse: it must not hold the file's tokens
    interactive = base.parse_interactive(text + "\n")
    for n, token in enumerate(interactive.iter_parse(), 1):
        if n > MAX_TOKENS:
            raise _too_many(token)
    return interactive.feed_eof(), None


def warm_up() -> None:
    """Import python-hcl2 and build its parser now (before ``--jobs`` forks its workers)."""
    try:
        _parser_tree("a = 1\n")
    except Exception:  # noqa: BLE001 - an old or broken python-hcl2 is reported when a file is parsed
        pass


_TERMINALS = {
    "LBRACE": "{", "RBRACE": "}", "LSQB": "[", "RSQB": "]", "LPAR": "(", "RPAR": ")", "COMMA": ",", "EQ": "=",
    "COLON": ":", "DOT": ".", "DBLQUOTE": '"', "NL_OR_COMMENT": "a new line", "NAME": "a name",
    "INT_LITERAL": "a number", "STRING_CHARS": "text", "QMARK": "?", "INTERP_START": "${",
}


def _lark_error(exc: Exception, text: str, names: Names | None = None) -> HclError:
    """A short reason and position from a Lark exception (a stand-in shown as the name it stands for)."""
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    token = getattr(exc, "token", None)
    expected = sorted(str(e) for e in (getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()))
    n_lines = text.count("\n") + 1
    if token is not None and getattr(token, "type", "") == "$END":
        reason = "unexpected end of file"
        line, column = n_lines, len(text.rsplit("\n", 1)[-1]) + 1
    elif token is not None:
        shown = str(token).split("\n", 1)[0]
        shown = names.back.get(shown, shown) if names is not None else shown
        shown = shown if len(shown) <= 30 else shown[:27] + "..."
        reason = f"unexpected {shown!r}" if shown.strip() else f"unexpected {_TERMINALS.get(token.type, token.type)}"
    elif hasattr(exc, "char"):
        reason = f"unexpected character {exc.char!r}"  # type: ignore[attr-defined]
    else:
        first = str(exc).split("\n", 1)[0]
        reason = re.sub(r"\s+at line \d+ col(?:umn)? \d+\.?$", "", first) or type(exc).__name__
    if 0 < len(expected) <= 3:
        reason += "; expected " + " or ".join(repr(_TERMINALS.get(e, e)) for e in expected)
    if not isinstance(line, int) or line < 1:
        line, column = 1, 1
    if line > n_lines:
        line, column = n_lines, len(text.rsplit("\n", 1)[-1]) + 1
    return HclError(reason, line, column if isinstance(column, int) and column > 0 else 1)


def parse_file(text: str, rel: str) -> ParsedFile:
    """Parse one ``.tf`` / ``.tfvars`` file; raises :class:`HclError`."""
    from lark.exceptions import LarkError

    if text.startswith("\ufeff"):
        text = text[1:]
    original = text
    text, block_comments, names = normalise(text, original)
    with _without_gc():
        try:
            tree, comment_tokens = _parser_tree(text)
        except LarkError as exc:
            raise _lark_error(exc, text, names) from None
        except RecursionError:
            raise HclError("nesting too deep to parse") from None
        except HclError:
            raise
        except Exception as exc:  # the parser is third-party code: never let it crash the scan
            raise HclError(f"{type(exc).__name__}: {exc}".split("\n", 1)[0]) from None
        names.restore(tree)
        lines = source_lines(original)
        conv = _Converter(rel, lines)
        try:
            body = conv.body(tree.children[0] if tree.children else None, 0)
        except RecursionError:
            raise HclError("nesting too deep to analyse") from None
        comments = sorted(conv.comments(tree, comment_tokens) + block_comments, key=lambda c: (c.line, c.column))
        return ParsedFile(rel, body, comments, lines)


# What the native-syntax scanner looks for in code, in a quoted string, and the closing line of a heredoc
_CODE = re.compile(r'"|#|//|/\*|<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n|\{|\}')
_IN_STRING = re.compile(r'\\.|\$\$\{|%%\{|"|\$\{|%\{|\n')
# An identifier as HCL reads one (Unicode letters, digits, "_" and "-", not starting with a digit)
_WORD = re.compile(r"[^\W\d][\w-]*")
_ASCII_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PLACEHOLDER_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


class Names:
    """ASCII stand-ins for the identifiers that are not ASCII (HCL allows Unicode letters, python-hcl2 only
    ASCII ones): each as long as the name it stands for, so that every position stays where it is, and
    none an identifier the text already holds; :meth:`restore` puts the names back into the parse tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken: set[str] | None = None
        self.ascii: dict[str, str] = {}  # name -> its stand-in
        self.back: dict[str, str] = {}  # stand-in -> name
        self.next: dict[int, int] = {}  # length -> the next stand-in to try

    def stand_in(self, name: str) -> str | None:
        """The stand-in of a name (None when every identifier of its length is taken: it stays as written,
        and python-hcl2 reports it)."""
        found = self.ascii.get(name)
        if found is not None:
            return found
        if self.taken is None:
            self.taken = set(_ASCII_WORD.findall(self.text))
        size = len(name)
        k = self.next.get(size, 0)
        while True:
            candidate = _nth_stand_in(size, k)
            k += 1
            if candidate is None:
                self.next[size] = k
                return None
            if candidate not in self.taken and candidate not in self.back:
                break
        self.next[size] = k
        self.ascii[name] = candidate
        self.back[candidate] = name
        return candidate

    def restore(self, tree) -> None:  # noqa: ANN001 - lark.Tree
        """Every NAME token of a parse tree that is a stand-in becomes the name again (same position)."""
        if not self.back:
            return
        from lark import Token, Tree

        stack = [tree]
        while stack:
            node = stack.pop()
            children = node.children
            for j, child in enumerate(children):
                if isinstance(child, Tree):
                    stack.append(child)
                elif isinstance(child, Token) and child.type == "NAME" and str(child) in self.back:
                    children[j] = child.update(value=self.back[str(child)])


def _nth_stand_in(size: int, k: int) -> str | None:
    """The k-th ASCII identifier of ``size`` characters that no keyword can be: ``_``, ``a``..``Z`` for one
    character; ``_`` and base-36 digits for more (``_0``, ``_1``...); None past the last."""
    if size == 1:
        singles = "_" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return singles[k] if k < len(singles) else None
    base = len(_PLACEHOLDER_CHARS)
    if k >= base ** (size - 1):
        return None
    digits = []
    for _ in range(size - 1):
        k, r = divmod(k, base)
        digits.append(_PLACEHOLDER_CHARS[r])
    return "_" + "".join(reversed(digits))


def normalise(text: str, original: str) -> tuple[str, list[Comment], Names]:
    """The text python-hcl2 is given, where it differs from HashiCorp's parser: a heredoc's closing marker
    with blanks or a carriage return after it closes the heredoc (python-hcl2 would read on, and the
    blocks up to a later marker would vanish inside it); a ``/* */`` comment is blanked out (python-hcl2
    refuses one between a block's type and its labels, or after ``=``) and returned as a comment; an
    identifier that is not ASCII (``résumé = 1``, ``var.größe``) becomes an ASCII stand-in of its length,
    which :meth:`Names.restore` puts back.  Every position is kept: only blanks at line ends are dropped,
    a comment becomes as many spaces, a stand-in is as long as its name."""
    names = Names(text)
    if "<<" not in text and "/*" not in text and text.isascii():
        return text, [], names
    out: list[str] = []
    comments: list[Comment] = []
    pos = 0  # what is copied to out up to
    i = 0
    stack: list[int] = [0]  # brace depths: one per code context (the file, each interpolation)
    n = len(text)
    lines = LineCounter(text)  # where each comment is, counted forward from the one before

    def code(start: int, end: int) -> None:
        """The code text[start:end]: its identifiers that are not ASCII get their stand-ins."""
        nonlocal pos
        if text[start:end].isascii():
            return
        for w in _WORD.finditer(text, start, end):
            word = w.group(0)
            stand_in = None if word.isascii() else names.stand_in(word)
            if stand_in is not None:
                out.append(text[pos:w.start()])
                out.append(stand_in)
                pos = w.end()

    while i < n:
        if len(stack) % 2 == 0:  # inside a quoted string (odd: code)
            m = _IN_STRING.search(text, i)
            if m is None:
                break
            tok = m.group(0)
            i = m.end()
            if tok == '"' or tok == "\n":
                stack.pop()
            elif tok in ("${", "%{"):
                stack.append(0)
            continue
        m = _CODE.search(text, i)
        code(i, m.start() if m is not None else n)
        if m is None:
            break
        tok = m.group(0)
        i = m.end()
        if tok == '"':
            stack.append(-1)
        elif tok in ("#", "//"):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif tok == "/*":
            end = text.find("*/", i)
            end = n if end < 0 else end + 2
            start = m.start()
            line, column = lines.at(start)
            body = text[start:end]
            blank = start  # whether only blanks come before it on its line, read back over them alone
            while blank > lines.start and text[blank - 1] in " \t\r":
                blank -= 1
            comments.append(Comment(line, column, body, blank == lines.start, line + body.count("\n")))
            out.append(text[pos:start])
            out.append(re.sub(r"[^\r\n]", " ", body))
            pos = i = end
        elif tok == "{":
            stack[-1] += 1
        elif tok == "}":
            if stack[-1] == 0 and len(stack) > 1:
                stack.pop()  # the end of an interpolation: back in its string
            else:
                stack[-1] = max(stack[-1] - 1, 0)
        elif m.group(1):  # a heredoc: its body runs to the first line that is its marker, blanks around
            close = re.compile(rf"(?m)^[ \t]*{re.escape(m.group(1))}([ \t]*\r?)$").search(text, i)
            if close is None:
                i = n
                break
            if close.group(1):  # blanks or a CR after the marker: dropped, as HashiCorp's parser trims them
                out.append(text[pos:close.start(1)])
                pos = close.end(1)
            i = close.end()
    out.append(text[pos:])
    return "".join(out), comments, names


def source_lines(text: str) -> list[str]:
    """The lines of a file as the parser numbers them: at line feeds only (``str.splitlines`` also breaks at
    U+2028, U+0085, form feeds... which HCL, JSON and editors do not: every line after one would be off)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@functools.lru_cache(maxsize=2048)
def _expression_tree(src: str):  # noqa: ANN202 - lark.Tree (read only: the converter never changes it)
    text, _comments, names = normalise("x = " + src + "\n", "")
    tree, _tokens = _parser_tree(text)
    names.restore(tree)
    return tree


def parse_expression(src: str, rel: str, line: int, column: int, lines: list[str] | None = None,
                     chunk: Chunk | None = None) -> Expr:
    """Parse the text of one expression written at (line, column) of ``rel``; Bad when it does not parse.

    With ``chunk`` (``src`` with the position of each of its characters, as :func:`sub_chunk` gives it),
    every node is positioned through it: exact also when the text was decoded from escapes or spans
    lines of an indented heredoc."""
    from lark.exceptions import LarkError

    loc = Location(rel, line, column)
    if "\n\n" in src.strip():  # a blank line cannot be inside one expression: avoid parsing a second attribute
        return Bad(loc, "not an expression")
    body_src = src.strip("\r\n")
    try:
        tree = _expression_tree(body_src)
    except (LarkError, RecursionError):
        return Bad(loc, "an expression that does not parse")
    except Exception:  # noqa: BLE001 - third-party parser
        return Bad(loc, "an expression that does not parse")
    if chunk is not None:
        conv = _Converter(rel, lines or [], mapper=_chunk_mapper(chunk, body_src, len(src) - len(src.lstrip("\r\n"))))
    else:
        conv = _Converter(rel, lines or [], shift=(line, column - 4))
    try:
        body = conv.body(tree.children[0] if tree.children else None, 0)
    except (RecursionError, HclError):
        return Bad(loc, "an expression nested too deeply")
    attr = body.attrs.get("x")
    if attr is None or len(body.attrs) != 1 or body.blocks:
        return Bad(loc, "not an expression")
    return attr.expr


def _chunk_mapper(chunk: Chunk, body_src: str, lead: int):  # noqa: ANN202 - (line, column) -> (line, column)
    """Positions in ``"x = " + body_src`` (1-based, as the parser gives them) -> positions in the file,
    through the chunk the source was cut from (``lead`` characters of it were stripped first)."""
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(body_src) if ch == "\n")
    offsets = [o for o, _ln, _col in chunk.segs]

    def mapper(line: int, column: int) -> tuple[int, int]:
        if line <= 1:
            off = column - 1 - 4
        else:
            off = starts[min(line, len(starts)) - 1] + column - 1
        off = lead + max(off, 0)
        if not chunk.segs:
            return 1, 1
        i = max(bisect_right(offsets, off) - 1, 0)
        o, ln, col = chunk.segs[i]
        return ln, col + (off - o)

    return mapper


# --- escapes and template text --------------------------------------------------------------------

_ESC = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def decode_quoted(raw: str, line: int, column: int) -> Chunk:
    """Decode the escapes of a quoted-string piece written at (line, column), keeping positions."""
    out: list[str] = []
    segs: list[Seg] = []
    last: tuple[int, int] | None = None  # position the next char would have if contiguous
    i = 0
    n = len(raw)
    ln, col = line, column

    def emit(ch: str, at_line: int, at_col: int) -> None:
        nonlocal last
        if last != (at_line, at_col):
            segs.append((len(out), at_line, at_col))
        out.append(ch)
        last = (at_line, at_col + 1)

    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt in _ESC:
                emit(_ESC[nxt], ln, col)
                i += 2
                col += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = raw[i + 2:i + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    cp = int(digits, 16)
                    if cp <= 0x10FFFF and not 0xD800 <= cp < 0xE000:
                        emit(chr(cp), ln, col)
                        i += 2 + width
                        col += 2 + width
                        continue
        emit(ch, ln, col)
        i += 1
        if ch == "\n":
            ln, col = ln + 1, 1
        else:
            col += 1
    return Chunk("".join(out), segs)


def plain_chunk(text: str, line: int, column: int) -> Chunk:
    """Text copied verbatim from (line, column): one segment per line."""
    segs: list[Seg] = []
    offset = 0
    for i, piece in enumerate(text.split("\n")):
        segs.append((offset, line + i, column if i == 0 else 1))
        offset += len(piece) + 1
    return Chunk(text, segs)


def join_chunks(chunks: list[Chunk]) -> Chunk:
    text: list[str] = []
    segs: list[Seg] = []
    offset = 0
    for c in chunks:
        segs.extend((offset + o, ln, col) for o, ln, col in c.segs)
        text.append(c.text)
        offset += len(c.text)
    return Chunk("".join(text), segs)


def sub_chunk(chunk: Chunk, start: int, end: int) -> Chunk:
    """The characters [start, end) of a chunk, with their positions."""
    segs: list[Seg] = []
    for i, (o, ln, col) in enumerate(chunk.segs):
        nxt = chunk.segs[i + 1][0] if i + 1 < len(chunk.segs) else len(chunk.text) + 1
        if nxt <= start or o >= end:
            continue
        if o < start:
            segs.append((0, ln, col + (start - o)))
        else:
            segs.append((o - start, ln, col))
    return Chunk(chunk.text[start:end], segs)


def position_in(chunk: Chunk, offset: int) -> tuple[int, int]:
    """(line, column) of the character at ``offset`` of a chunk."""
    best = chunk.segs[0] if chunk.segs else (0, 1, 1)
    for seg in chunk.segs:
        if seg[0] <= offset:
            best = seg
        else:
            break
    return best[1], best[2] + (offset - best[0])


def _match_interpolation(text: str, start: int) -> int:
    """The offset just after the ``}`` closing the ``${``/``%{`` whose body starts at ``start``; -1 if none."""
    stack = ["code"]
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        top = stack[-1]
        if top == "str":
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                stack.pop()
            elif ch in "$%" and text.startswith("{", i + 1):
                stack.append("code")
                i += 2
                continue
        else:
            if ch == '"':
                stack.append("str")
            elif ch == "{":
                stack.append("brace")
            elif ch == "}":
                stack.pop()
                if not stack:
                    return i + 1
        i += 1
    return -1


def split_template(chunk: Chunk, rel: str, lines: list[str] | None = None) -> list[Chunk | Expr]:
    """Split template text (a heredoc body, a templatefile) into literal chunks and expressions."""
    text = chunk.text
    parts: list[Chunk | Expr] = []
    literal: list[Chunk] = []
    pos = 0
    i = 0
    n = len(text)

    def flush_literal(upto: int) -> None:
        if upto > pos:
            literal.append(sub_chunk(chunk, pos, upto))

    while i < n:
        j = min((k for k in (text.find("${", i), text.find("%{", i)) if k >= 0), default=-1)
        if j < 0:
            break
        if j > 0 and text[j - 1] == text[j] and (j < 2 or text[j - 2] != text[j]):
            # $${ and %%{ are escapes for a literal ${ / %{
            flush_literal(j - 1)
            literal.append(sub_chunk(chunk, j, j + 2))
            pos = i = j + 2
            continue
        end = _match_interpolation(text, j + 2)
        if end < 0:
            break
        flush_literal(j)
        if literal:
            parts.append(join_chunks(literal))
            literal = []
        line, column = position_in(chunk, j)
        inner = text[j + 2:end - 1]
        if text[j] == "%":
            parts.append(Directive(Location(rel, line, column), inner.strip()))
        else:
            inner_line, inner_col = position_in(chunk, j + 2)
            stripped = inner.strip("~")  # strip markers ${~ x ~}
            offset = inner.find(stripped) if stripped else 0
            at = j + 2 + offset
            parts.append(parse_expression(stripped, rel, inner_line, inner_col + offset, lines,
                                          sub_chunk(chunk, at, at + len(stripped))))
        pos = i = end
    flush_literal(n)
    if literal:
        parts.append(join_chunks(literal))
    return parts


_HEREDOC_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def heredoc_body(token_text: str, line: int) -> tuple[Chunk, int, int]:
    """The body of a heredoc token written at ``line`` (indentation stripped for ``<<-``), and the
    line and end column of its closing marker."""
    m = _HEREDOC_HEAD.match(token_text)
    if not m:
        return Chunk("", []), line, 1
    trim, marker = m.group(1) == "-", m.group(2)
    rows = token_text[m.end():].split("\n")
    # the token ends with "<marker>\n": drop the empty tail and the marker line
    if rows and rows[-1] == "":
        rows.pop()
    marker_row = rows.pop() if rows and rows[-1].strip() == marker else ""
    strip = 0
    if trim:
        indents = [len(r) - len(r.lstrip(" \t")) for r in rows if r.strip()]
        strip = min(indents) if indents else 0
    chunks: list[Chunk] = []
    for k, row in enumerate(rows):
        cut = min(strip, len(row) - len(row.lstrip(" \t")))
        chunks.append(plain_chunk(row[cut:] + "\n", line + 1 + k, cut + 1))
    body = join_chunks(chunks) if chunks else Chunk("", [])
    return body, line + 1 + len(rows), len(marker_row.rstrip("\r")) + 1


# --- the converter ---------------------------------------------------------------------------------

def _edge_token(tree, last: bool):  # noqa: ANN001, ANN202 - lark Tree -> Token | None
    """The first (or last) token of a rule, depth first: where Lark would have put its position."""
    node = tree
    while True:  # down the first (last) child while there is one: most rules start with a token or a rule
        kids = node.children
        if not kids:
            break
        node = kids[-1] if last else kids[0]
        if isinstance(node, str):  # a lark Token
            return node
        if not hasattr(node, "children"):  # None: an optional part that is absent
            break
    stack = list(tree.children) if last else list(reversed(tree.children))
    while stack:
        node = stack.pop()
        kids = getattr(node, "children", None)
        if kids is None:
            if node is not None:
                return node
        else:
            stack.extend(kids if last else reversed(kids))
    return None


class _Converter:
    def __init__(self, rel: str, lines: list[str], shift: tuple[int, int] | None = None,
                 mapper: Callable[[int, int], tuple[int, int]] | None = None) -> None:
        self.rel = rel
        self.lines = lines
        self.shift = shift
        self.mapper = mapper

    def pos(self, line: int, column: int) -> tuple[int, int]:
        if self.mapper is not None:
            return self.mapper(line, column)
        if self.shift is None:
            return line, column
        base_line, base_col = self.shift
        if line == 1:
            return base_line, base_col + column - 1
        return base_line + line - 1, column

    def loc(self, node) -> Location:  # noqa: ANN001 - lark Tree or Token
        """Where a token or a rule is: a rule from its first token's start to its last token's end (where
        Lark propagated positions into the rule, as python-hcl2's own parser has it, those)."""
        meta = getattr(node, "_meta", None)
        if meta is not None and not meta.empty:
            sl, sc = self.pos(meta.line, meta.column)
            el, ec = self.pos(meta.end_line, meta.end_column)
            return Location(self.rel, sl, sc, el, ec)
        if hasattr(node, "children"):
            first, last = _edge_token(node, False), _edge_token(node, True)
            if first is None or last is None:
                return Location(self.rel, *self.pos(1, 1))
        else:
            first = last = node
        sl, sc = self.pos(first.line, first.column)
        el, ec = self.pos(last.end_line or last.line, last.end_column or last.column)
        return Location(self.rel, sl, sc, el, ec)

    def start(self, node) -> tuple[int, int]:  # noqa: ANN001
        loc = self.loc(node)
        return loc.line, loc.column

    # -- structure --------------------------------------------------------------------------------
    def body(self, tree, depth: int) -> Body:  # noqa: ANN001
        out = Body()
        if tree is None:
            return out
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                attr = self.attribute(child, depth + 1)
                if attr is not None:
                    out.attrs[attr.name] = attr
            elif data == "block":
                block = self.block(child, depth + 1)
                if block is not None:
                    out.blocks.append(block)
        return out

    def _name(self, node) -> str | None:  # noqa: ANN001
        data = getattr(node, "data", None)
        if data in ("identifier", "keyword", "literal_value"):
            return str(node.children[0]) if node.children else None
        if data == "string":
            return "".join(self.string_text(node))
        return None

    def string_text(self, node) -> list[str]:  # noqa: ANN001
        """The literal text of a string tree (labels); interpolations are dropped."""
        out: list[str] = []
        for part in node.children:
            if getattr(part, "data", None) != "string_part":
                continue
            for tok in part.children:
                if not hasattr(tok, "data"):
                    out.append(decode_quoted(str(tok), 1, 1).text)
        return out

    def attribute(self, tree, depth: int) -> Attribute | None:  # noqa: ANN001
        kids = tree.children
        if len(kids) < 3:
            return None
        name = self._name(kids[0])
        if name is None:
            return None
        return Attribute(name, self.expr(kids[-1], depth + 1), self.loc(tree), self.loc(kids[0]))

    def block(self, tree, depth: int) -> Block | None:  # noqa: ANN001
        if depth > MAX_TREE_DEPTH:
            raise HclError("blocks nested too deeply", *self.start(tree))
        names: list[str] = []
        body_tree = None
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "body":
                body_tree = child
            elif data in ("identifier", "keyword", "literal_value", "string"):
                name = self._name(child)
                if name is not None:
                    names.append(name)
        if not names:
            return None
        return Block(names[0], names[1:], self.body(body_tree, depth + 1), self.loc(tree), self.rel)

    # -- expressions ------------------------------------------------------------------------------
    def expr(self, tree, depth: int) -> Expr:  # noqa: ANN001
        if depth > MAX_TREE_DEPTH:
            line, col = self.start(tree)
            raise HclError("expression nested too deeply", line, col)
        if not hasattr(tree, "data"):  # a bare token
            return Bad(self.loc(tree), f"token {tree.type}")
        data = str(tree.data)
        kids = [c for c in tree.children if not (hasattr(c, "data") and c.data == "new_line_or_comment")]
        loc = self.loc(tree)
        convert = _EXPR.get(data)
        if convert is None:
            return Bad(loc, f"unsupported syntax {data}")
        return convert(self, data, tree, kids, loc, depth + 1)

    # each takes (rule name, tree, children without comments, location, depth of the children)
    def _expr_term(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        subtrees = [c for c in kids if hasattr(c, "data")]
        if len(subtrees) == 1:
            return self.expr(subtrees[0], d)
        return Bad(loc, "an empty expression")

    def _one_operand(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        subtrees = [c for c in kids if hasattr(c, "data")]
        if len(subtrees) == 1:
            return self.expr(subtrees[0], d)
        return Bad(loc, f"unsupported syntax {data}")

    def _conditional(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        exprs = [c for c in kids if hasattr(c, "data")]
        if len(exprs) != 3:
            return Bad(loc, "a malformed conditional")
        return Cond(loc, self.expr(exprs[0], d), self.expr(exprs[1], d), self.expr(exprs[2], d))

    def _binary_op(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        exprs = [c for c in kids if hasattr(c, "data")]
        left = self.expr(exprs[0], d)
        term = exprs[1] if len(exprs) > 1 else None
        op = "?"
        right: Expr = Bad(loc, "a missing operand")
        if term is not None:
            for c in term.children:
                if getattr(c, "data", None) == "binary_operator":
                    op = str(c.children[0]).strip() if c.children else "?"
                elif hasattr(c, "data") and c.data != "new_line_or_comment":
                    right = self.expr(c, d)
        return Op(loc, op, [left, right])

    def _unary_op(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        op = str(kids[0]).strip() if kids else "?"
        operand = self.expr(kids[-1], d) if len(kids) > 1 else Bad(loc, "a missing operand")
        return Op(loc, op, [operand])

    def _number(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return Literal(loc, str(kids[0]) if kids else "0", "num")

    def _literal_value(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        word = str(kids[0]) if kids else "null"
        if word == "null":
            return Literal(loc, None, "null")
        return Literal(loc, word, "bool")

    def _identifier(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return Name(loc, str(kids[0]) if kids else "")

    def _string(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return self.string(tree, loc, d)

    def _heredoc(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return self.heredoc(kids[0] if kids else None, loc)

    def _template_string(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        raw = str(kids[0]) if kids else ""
        inner = raw[2:-2] if len(raw) >= 4 else ""
        return Template(loc, [decode_quoted(inner, loc.line, loc.column + 2)])

    def _tuple(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return TupleExpr(loc, [self.expr(c, d) for c in kids if hasattr(c, "data")])

    def _object(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return self.object(kids, loc, d)

    def _function_call(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return self.call(kids, loc, d)

    def _access(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return self.access(data, kids, loc, d)

    def _for(self, data: str, tree, kids: list, loc: Location, d: int) -> Expr:  # noqa: ANN001
        return self.for_expr(data, kids, loc, d)

    def string(self, tree, loc: Location, depth: int) -> Template:  # noqa: ANN001
        parts: list[Chunk | Expr] = []
        for part in tree.children:
            if getattr(part, "data", None) != "string_part":
                continue
            for item in part.children:
                if hasattr(item, "data"):
                    kind = str(item.data)
                    if kind == "interpolation":
                        inner = [c for c in item.children if hasattr(c, "data")]
                        parts.append(self.expr(inner[0], depth + 1) if inner else Bad(self.loc(item), "empty ${}"))
                    else:
                        parts.append(Directive(self.loc(item), kind))
                    continue
                line, col = self.pos(item.line, item.column)
                text = str(item)
                if item.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    parts.append(plain_chunk(text[1:], line, col + 1))
                else:
                    parts.append(decode_quoted(text, line, col))
        return Template(loc, _merge_chunks(parts))

    def heredoc(self, token, loc: Location) -> Expr:  # noqa: ANN001
        if token is None:
            return Bad(loc, "an empty heredoc")
        line, _ = self.pos(token.line, token.column)
        body, end_line, end_col = heredoc_body(str(token), line)
        loc = Location(loc.file, loc.line, loc.column, end_line, end_col)
        if "${" in body.text or "%{" in body.text:
            parts = split_template(body, self.rel, self.lines)
        else:
            parts = [body] if body.text else []
        return Template(loc, parts, heredoc=True)

    def object(self, kids: list, loc: Location, depth: int) -> ObjectExpr:
        items: list[ObjectItem] = []
        for elem in kids:
            if getattr(elem, "data", None) != "object_elem":
                continue
            parts = [c for c in elem.children if hasattr(c, "data")]
            if len(parts) < 2:
                continue
            key_tree, value_tree = parts[0], parts[-1]
            key_loc = self.loc(key_tree)
            inner = [c for c in key_tree.children if hasattr(c, "data")]
            key_node = inner[0] if inner else None
            bare: str | None = None
            key: Expr | None = None
            if key_node is not None and key_node.data == "keyword":
                bare = str(key_node.children[0])
            elif key_node is not None and key_node.data == "expr_term":
                sub = key_node.children
                if len(sub) == 1 and getattr(sub[0], "data", None) == "identifier":
                    bare = str(sub[0].children[0])
                elif len(sub) == 1 and getattr(sub[0], "data", None) == "literal_value":
                    bare = str(sub[0].children[0])
                else:
                    key = self.expr(key_node, depth + 1)
            elif key_node is not None:
                key = self.expr(key_node, depth + 1)
            if key is None and bare is None:
                continue
            items.append(ObjectItem(key, bare, self.expr(value_tree, depth + 1), key_loc))
        return ObjectExpr(loc, items)

    def call(self, kids: list, loc: Location, depth: int) -> Call:
        names = [str(c.children[0]) for c in kids if getattr(c, "data", None) == "identifier"]
        name = "::".join(names)
        args: list[Expr] = []
        expand = False
        for c in kids:
            if getattr(c, "data", None) == "arguments":
                for a in c.children:
                    if hasattr(a, "data"):
                        if a.data != "new_line_or_comment":
                            args.append(self.expr(a, depth + 1))
                    elif a.type == "ELLIPSIS":
                        expand = True
        return Call(loc, name, args, expand)

    def access(self, data: str, kids: list, loc: Location, depth: int) -> Expr:
        subtrees = [c for c in kids if hasattr(c, "data")]
        if len(subtrees) != 2:
            return Bad(loc, "a malformed traversal")
        base = self.expr(subtrees[0], depth + 1)
        steps: list[Step] = []
        if isinstance(base, Access):
            steps.extend(base.steps)
            base = base.base
        tail = subtrees[1]
        if data in ("attr_splat_expr_term", "full_splat_expr_term"):
            steps.append(("splat", None))
            for c in tail.children:
                if hasattr(c, "data"):
                    steps.append(self.step(c, depth))
        else:
            steps.append(self.step(tail, depth))
        return Access(loc, base, steps)

    def step(self, tree, depth: int) -> Step:  # noqa: ANN001
        kind = str(tree.data)
        kids = tree.children
        if kind == "get_attr":
            for c in kids:
                if hasattr(c, "data"):
                    return ("attr", str(c.children[0]) if c.children else "")
            return ("attr", "")
        if kind == "short_index":
            tok = kids[-1] if kids else None
            return ("index", Literal(self.loc(tree), str(tok) if tok is not None else "0", "num"))
        if kind == "braces_index":
            inner = [c for c in kids if hasattr(c, "data") and c.data != "new_line_or_comment"]
            return ("index", self.expr(inner[0], depth + 1) if inner else Bad(self.loc(tree), "empty index"))
        return ("index", Bad(self.loc(tree), f"unsupported step {kind}"))

    def for_expr(self, data: str, kids: list, loc: Location, depth: int) -> Expr:
        intro = next((c for c in kids if getattr(c, "data", None) == "for_intro"), None)
        cond_tree = next((c for c in kids if getattr(c, "data", None) == "for_cond"), None)
        if intro is None:
            return Bad(loc, "a malformed for expression")
        names = [str(c.children[0]) for c in intro.children if getattr(c, "data", None) == "identifier"]
        colls = [c for c in intro.children if hasattr(c, "data") and c.data not in ("identifier", "new_line_or_comment")]
        if not names or not colls:
            return Bad(loc, "a malformed for expression")
        key_var, value_var = (names[0], names[1]) if len(names) > 1 else (None, names[0])
        collection = self.expr(colls[-1], depth + 1)
        exprs = [c for c in kids if hasattr(c, "data") and c.data not in ("for_intro", "for_cond", "new_line_or_comment")]
        cond = None
        if cond_tree is not None:
            inner = [c for c in cond_tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
            cond = self.expr(inner[0], depth + 1) if inner else None
        is_object = data == "for_object_expr"
        grouping = any(not hasattr(c, "data") and c.type == "ELLIPSIS" for c in kids)
        if is_object:
            if len(exprs) < 2:
                return Bad(loc, "a malformed for expression")
            return ForExpr(loc, key_var, value_var, collection, self.expr(exprs[0], depth + 1),
                           self.expr(exprs[1], depth + 1), cond, True, grouping)
        if not exprs:
            return Bad(loc, "a malformed for expression")
        return ForExpr(loc, key_var, value_var, collection, None, self.expr(exprs[0], depth + 1), cond, False, False)

    # -- comments ---------------------------------------------------------------------------------
    def comments(self, tree, tokens: list | None = None) -> list[Comment]:  # noqa: ANN001
        """The comments of a tree (``tokens``: its comment tokens, as the parser's post-lexer kept them)."""
        out: list[Comment] = []
        if tokens is None:
            tokens = tree.scan_values(lambda t: getattr(t, "type", None) == "NL_OR_COMMENT")
        for tok in tokens:
            text = str(tok).strip()
            if not text or not (text.startswith("#") or text.startswith("//") or text.startswith("/*")):
                continue
            line, col = tok.line, tok.column
            row = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            own = row[: col - 1].strip() == ""
            end_line = line + text.count("\n")
            out.append(Comment(line, col, text, own, end_line))
        return out


# python-hcl2's grammar rule -> its conversion (the rules not named here are "unsupported syntax")
_EXPR: dict[str, Callable[..., Expr]] = {
    "expr_term": _Converter._expr_term,
    "conditional": _Converter._conditional,
    "binary_op": _Converter._binary_op,
    "unary_op": _Converter._unary_op,
    "int_lit": _Converter._number,
    "float_lit": _Converter._number,
    "literal_value": _Converter._literal_value,
    "identifier": _Converter._identifier,
    "keyword": _Converter._identifier,
    "string": _Converter._string,
    "heredoc_template": _Converter._heredoc,
    "heredoc_template_trim": _Converter._heredoc,
    "template_string": _Converter._template_string,
    "tuple": _Converter._tuple,
    "object": _Converter._object,
    "function_call": _Converter._function_call,
    "index_expr_term": _Converter._access,
    "get_attr_expr_term": _Converter._access,
    "attr_splat_expr_term": _Converter._access,
    "full_splat_expr_term": _Converter._access,
    "for_tuple_expr": _Converter._for,
    "for_object_expr": _Converter._for,
    **dict.fromkeys(("or_expr", "and_expr", "eq_expr", "rel_expr", "add_expr", "mul_expr", "expression"),
                    _Converter._one_operand),
}


def _merge_chunks(parts: list[Chunk | Expr]) -> list[Chunk | Expr]:
    out: list[Chunk | Expr] = []
    for p in parts:
        if isinstance(p, Chunk) and out and isinstance(out[-1], Chunk):
            out[-1] = join_chunks([out[-1], p])
        else:
            out.append(p)
    return out


__all__ = ["HclError", "ParsedFile", "parse_file", "parse_expression", "split_template", "plain_chunk",
           "decode_quoted", "heredoc_body", "position_in", "join_chunks", "sub_chunk"]
