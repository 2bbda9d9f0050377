"""The cheap test that decides, before any parsing, whether a file can matter to the rules.

Most files of a large repository never mention Lex: they are answered here, without running the
front end's relevance regex over them (a case-insensitive search is about 15 times slower than a
substring search of the lower-cased text).
"""

from __future__ import annotations

import re


def may_match(text: str, pattern: re.Pattern[str], needles: tuple[str, ...]) -> bool:
    """Whether ``pattern.search(text)`` finds something, answered without the regex when the text is
    ASCII and holds none of ``needles`` (lower-case strings, one of which every match of ``pattern``
    contains when lower-cased).  Non-ASCII text always goes to the regex: Unicode case-insensitive
    matching has folds (``ſ``, ``ı``) that ``str.lower`` does not make.
    """
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
