"""The cheap test that decides, before any parsing, whether a file can matter to the rules.

What it promises (docs/security.md): a file is skipped only when neither its text nor its text with every
escape decoded names what the rules look for; a name that only exists once values are joined (``Fn::Join``,
``Fn::Sub`` of a parameter, a Terraform interpolation) is beyond it: ``--parse-all`` parses every file.

Most files of a large repository never mention Lex: they are answered here, without running the
front end's relevance regex over them (a case-insensitive search is about 15 times slower than a
substring search of the lower-cased text).
"""

from __future__ import annotations

import re

# The escapes of YAML double-quoted scalars, JSON and HCL strings that can spell a letter (``\x6c``,
# ``\u006c``, ``\U0000006c``), and YAML's escaped line break, which joins two lines with nothing between
# them (``"l\`` then ``ex:CreateBot"`` on the next line is ``lex:CreateBot``).
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|\r?\n[ \t]*)")


def _unescaped(m: re.Match[str]) -> str:
    digits = m.group(1) or m.group(2) or m.group(3)
    if digits is None:
        return ""
    code = int(digits, 16)
    return chr(code) if code < 0x110000 else ""


def decoded(text: str) -> str:
    """``text`` with every escape that can spell a character decoded, wherever it stands.

    A superset of what the parsers decode: an escape is decoded even where the format would keep it as
    written (in a plain scalar, a comment, after an escaped backslash).  Decoding too much can only make
    the prefilter parse a file it could have skipped; what a parser decodes is always decoded here.
    """
    return _ESCAPE.sub(_unescaped, text)


def may_match(text: str, pattern: re.Pattern[str], needles: tuple[str, ...]) -> bool:
    """Whether ``pattern.search(text)`` finds something in the text as written or once its escapes are
    decoded (:func:`decoded`: ``"\x6cex:CreateBot"`` is ``lex:CreateBot`` to every parser).

    Answered without the regex when the text is ASCII and holds none of ``needles`` (lower-case strings,
    one of which every match of ``pattern`` contains when lower-cased).  Non-ASCII text always goes to the
    regex: Unicode case-insensitive matching has folds (``ſ``, ``ı``) that ``str.lower`` does not make.
    """
    if _search(text, pattern, needles):
        return True
    return "\\" in text and _ESCAPE.search(text) is not None and _search(decoded(text), pattern, needles)


def _search(text: str, pattern: re.Pattern[str], needles: tuple[str, ...]) -> bool:
    if text.isascii():  # O(1) for str
        low = text.lower()
        if not any(n in low for n in needles):
            return False
    return pattern.search(text) is not None


def bytes_may_mention(data: bytes, needles: tuple[bytes, ...]) -> bool:
    """Whether raw file bytes may hold one of ``needles`` (lower-case ASCII), in any letter case.

    Meant for a weight estimate only: text in UTF-16/32 is not looked at, so callers must not skip
    work on a False answer.
    """
    low = data.lower()
    return any(n in low for n in needles)
