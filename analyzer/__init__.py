"""lexiam: find Amazon Lex V2 IAM mistakes in infrastructure-as-code before they deploy.

The public API is :func:`scan` and the types of what it returns (docs/usage/python.md)::

    from lexiam import scan
    result = scan("infra/", account_id="123456789012")
    for finding in result.findings: ...

They are imported on first use: ``import lexiam`` loads this module alone, so the command line starts
without the engine, YAML or the HCL parser until a scan needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The one version of the project: pyproject.toml reads it (``dynamic = ["version"]``), the CLI, the
# reports and the Action report it, and a release is tagged ``v`` + this.
__version__ = "0.2.0"

__all__ = ["FileResult", "Finding", "ScanResult", "__version__", "scan"]

if TYPE_CHECKING:
    from lexiam.api import scan
    from lexiam.model import FileResult, Finding, ScanResult

_LAZY = {"scan": "lexiam.api", "Finding": "lexiam.model", "ScanResult": "lexiam.model", "FileResult": "lexiam.model"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lexiam' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
