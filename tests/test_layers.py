"""The import layers of DESIGN.md, read from the source (no new dependency): imports go one way.

    python tests/test_layers.py      # prints the import graph of lexiam, one module a line

What is checked, over every import (at module level or inside a function):

* no cycle between modules;
* a front end imports neither the engine's stages nor a rule nor an adapter;
* a rule imports no front end, nor the engine's stages, nor an adapter;
* an adapter (the CLI, the cfn-lint pack, the reporters, the docs generator) imports no front end: it asks the
  table of front ends in lexiam.contract.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOTS = {"lexiam": REPO / "analyzer", "lexiam.rules": REPO / "rules"}

FRONT_ENDS = ("lexiam.cloudformation", "lexiam.terraform", "lexiam.terraform_json")
RULES = ("lexiam.rules",)
STAGES = ("lexiam.engine", "lexiam.jobs", "lexiam.suppress", "lexiam.baseline", "lexiam.config", "lexiam.fix",
          "lexiam.output", "lexiam.api")
ADAPTERS = ("lexiam.cli", "lexiam.cfn_lint", "lexiam.report", "lexiam.docgen", "lexiam.__main__")


def _module_name(path: Path) -> str:
    for package, root in sorted(ROOTS.items(), key=lambda kv: -len(str(kv[1]))):
        if path.is_relative_to(root):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join([package, *parts])
    raise ValueError(path)


def modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for root in ROOTS.values():
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" not in path.parts:
                out[_module_name(path)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the lexiam modules it imports (``from a import b`` imports ``a.b`` when that is a module)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for a in node.names:
                    targets.add(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base)
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


def _in(module: str, layer: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in layer)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycle() -> None:
    assert _cycles(import_graph()) == []


def test_the_layers_go_one_way() -> None:
    bad: list[str] = []
    for module, targets in import_graph().items():
        for t in sorted(targets):
            if _in(module, FRONT_ENDS) and (_in(t, STAGES) or _in(t, RULES) or _in(t, ADAPTERS)):
                bad.append(f"front end {module} imports {t}")
            if _in(module, RULES) and (_in(t, FRONT_ENDS) or _in(t, STAGES) or _in(t, ADAPTERS)):
                bad.append(f"rule module {module} imports {t}")
            if _in(module, ADAPTERS) and _in(t, FRONT_ENDS):
                bad.append(f"adapter {module} imports the front end {t}")
            if _in(module, ("lexiam.engine",)) and _in(t, FRONT_ENDS):
                bad.append(f"the engine imports the front end {module}")
    assert bad == []


def test_the_registry_imports_no_family() -> None:
    graph = import_graph()
    assert not {t for t in graph["lexiam.rules.registry"] if t.startswith("lexiam.rules.")}
    families = {m for m in graph if m.startswith("lexiam.rules.") and m not in ("lexiam.rules.registry", "lexiam.rules.pack")}
    for family in families:
        assert "lexiam.rules.pack" not in graph[family], family


def test_the_graph_sees_function_level_imports() -> None:
    """The check would pass vacuously if it missed imports made inside functions (that is how the old cycles
    hid): the CLI imports the engine inside cmd_scan."""
    assert "lexiam.engine" in import_graph()["lexiam.cli"]


if __name__ == "__main__":
    for module, targets in sorted(import_graph().items()):
        sys.stdout.write(f"{module} -> {', '.join(sorted(targets)) or '-'}\n")
    cycles = _cycles(import_graph())
    sys.stdout.write(f"cycles: {cycles or 'none'}\n")
