"""IAM wildcard matching (``*`` any run of characters, ``?`` one character) in linear space and
O(len(pattern) * len(text)) time.

Patterns come from templates.  A regex built from them (``*`` -> ``.*``) backtracks exponentially on
``*a*a*a...b`` or ``*?*?*?...x``: a few dozen characters in an ARN or an action name hung the scan.
"""

from __future__ import annotations


def match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` as a whole (case-sensitive: fold both sides for IAM actions)."""
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    p = t = 0
    star, resume = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, t
            p += 1
        elif p < len(pattern) and pattern[p] in ("?", text[t]):
            p += 1
            t += 1
        elif star >= 0:  # let the last * take one more character and retry from there
            resume += 1
            p, t = star + 1, resume
        else:
            return False
    return pattern[p:].strip("*") == ""
