"""The summary of a scan, worded once for every report that prints one."""

from __future__ import annotations

from lexiam.model import ScanResult

EXCLUDED = "excluded by the configuration"  # how the engine words the skip of an excluded path



def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def summary_text(result: ScanResult) -> str:
    """The one summary of a scan, the same in every report that prints one:
    ``3 findings (2 errors, 1 warning) in 5 files: 3 scanned, 1 skipped, 1 could not be read or parsed;
    1 suppressed.``  Files are counted once each, as the JSON summary's ``files``."""
    s = result.summary()
    by_severity = [plural(int(s["errors"]), "error"), plural(int(s["warnings"]), "warning"),
                   plural(int(s["infos"]), "notice")]
    kinds = [k for k in by_severity if not k.startswith("0 ")]
    head = f"{plural(int(s['findings']), 'finding')} ({', '.join(kinds)})" if s["findings"] else "No findings"
    excluded = sum(1 for f in result.files if f.status == "skipped" and f.reason.startswith(EXCLUDED))
    parts = [f"{s['scanned']} scanned"]
    if s["skipped"]:
        parts.append(f"{s['skipped']} skipped" + (f" ({excluded} excluded by the configuration)" if excluded else ""))
    if s["input_errors"]:
        parts.append(f"{s['input_errors']} could not be read or parsed")
    tail = [f"{s[k]} {k}" for k in ("suppressed", "baselined") if s[k]]
    return (f"{head} in {plural(int(s['files']), 'file')}: {', '.join(parts)}" + (f"; {', '.join(tail)}" if tail else "")
            + ".")
