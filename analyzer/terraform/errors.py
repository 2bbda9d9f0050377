"""The one place the Terraform front end makes E9500 findings (input errors)."""

from __future__ import annotations

from lexiam.model import Finding
from lexiam.values import Location


def input_error(message: str, loc: Location) -> Finding:
    """An E9500 finding: a file that cannot be read or parsed, or a path that leaves the scan."""
    try:
        from lexiam.rules.registry import input_error as registry_input_error
    except ImportError:  # the rule pack is not importable: build the finding by hand
        return Finding(rule_id="E9500", slug="input-error", severity="error", message=message, file=loc.file,
                       line=loc.line, column=loc.column, end_line=loc.end_line or loc.line,
                       end_column=loc.end_column or loc.column, resource="", path=())
    return registry_input_error(message, loc)
