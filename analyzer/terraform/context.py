"""The state of one Terraform scan unit (one folder's module, or one plan) shared by every scope that
evaluates in it: options, budgets, the source maps of strings, the lines of the files read, the input
errors, the module folders read.  :class:`Evaluator` is what the built-in functions and policy
documents need of a scope (:class:`lexiam.terraform.evaluate.Scope` is one), so that they do not
depend on the evaluator itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lexiam.model import input_error
from lexiam.terraform.sources import Installed, ModuleSource, installed_modules, read_module_files
from lexiam.terraform.tfvalues import MAX_BUILT, MAX_BUILT_PER_RESOURCE, MAX_STEPS, MAX_STEPS_PER_RESOURCE, rendered

if TYPE_CHECKING:
    from lexiam.contract import Options
    from lexiam.model import Finding
    from lexiam.terraform.nodes import Block, Body, Expr, Seg
    from lexiam.values import Location, Value


class Evaluator(Protocol):
    """A scope, as the built-in functions and ``aws_iam_policy_document`` see it."""

    ctx: Context
    mod: ModuleSource
    root_folder: Path

    def ev(self, expr: Expr, env: dict[str, object] | None = None) -> object: ...

    def expand_blocks(self, body: Body, type_: str,
                      env: dict[str, object] | None) -> list[tuple[Block, dict[str, object] | None]]: ...

    def template_scope(self) -> Evaluator:
        """A scope in which only the variables given to it are visible (a ``templatefile()``)."""
        ...

    def release(self) -> None: ...


class Context:
    """State shared by every scope of one scan unit (one load_module / load_plan call)."""

    def __init__(self, options: Options, rel_of: Callable[[Path], str], allowed: list[Path]) -> None:
        self.options = options
        self.rel_of = rel_of
        self.allowed = [p.resolve() for p in allowed]
        self.total = MAX_STEPS
        self.steps = MAX_STEPS_PER_RESOURCE
        self.depth = 0
        self.instances = 0
        self.srcmaps: dict[tuple[Location, str], list[Seg]] = {}
        self.lines: dict[str, list[str]] = {}
        self.errors: dict[str, Finding] = {}  # rel -> its one E9500
        self.modules: dict[Path, ModuleSource] = {}
        self.scopes: list[Evaluator] = []
        self.built = MAX_BUILT
        self.built_here = MAX_BUILT_PER_RESOURCE
        self.budget_hit: Location | None = None  # where an evaluation budget ran out first
        self._installed: dict[Path, dict[str, Installed]] = {}
        # the address of a module instance installed by terraform init -> where it comes from
        self.origins: dict[str, str] = {}

    def release(self) -> None:
        """Let go of the parse trees and evaluation memos, once the unit is extracted.  Scopes, modules
        and their lazy inputs refer to each other: left as they are, everything they hold (the parse of
        a whole Terraform folder) would wait for the cycle collector, which a scan runs seldom."""
        for scope in self.scopes:
            scope.release()
        for mod in self.modules.values():
            mod.release()
        self.scopes.clear()
        self.modules.clear()
        self.srcmaps.clear()
        self.lines.clear()

    def lines_of(self, rel: str) -> list[str] | None:
        return self.lines.get(rel)

    def new_budget(self) -> None:
        """A fresh per-resource evaluation budget (the scan-unit total still applies)."""
        self.steps = MAX_STEPS_PER_RESOURCE
        self.built_here = MAX_BUILT_PER_RESOURCE

    def spend(self, size: int, loc: Location | None) -> bool:
        """Charge a string, list or JSON text of ``size`` characters or elements to the budgets of what
        evaluation builds, before it is built; False (and nothing may be built) once one is spent."""
        if size > self.built or size > self.built_here:
            self.exhausted(loc)
            return False
        self.built -= size
        self.built_here -= size
        return True

    def exhausted(self, loc: Location | None) -> None:
        if self.budget_hit is None and loc is not None:
            self.budget_hit = loc

    def inside(self, path: Path) -> bool:
        return any(path == a or path.is_relative_to(a) for a in self.allowed)

    def input_error(self, message: str, loc: Location) -> None:
        self.errors.setdefault(loc.file, input_error(message, loc))

    def remember(self, value: Value, segs: list[Seg]) -> None:
        """Keep where each character of a string value was written (used to position JSON inside it)."""
        if value.loc is None or not segs:
            return
        text = rendered(value)
        if "{" in text or "[" in text:
            self.srcmaps[(value.loc, text)] = segs

    def installed(self, root: Path) -> dict[str, Installed]:
        """The modules ``terraform init`` installed for a root module (read once)."""
        if root not in self._installed:
            self._installed[root] = installed_modules(root, self)
        return self._installed[root]

    def module_source(self, folder: Path) -> ModuleSource:
        mod = self.modules.get(folder)
        if mod is None:
            mod = ModuleSource(self, folder, read_module_files(folder, self), lazy=False)
            self.modules[folder] = mod
        return mod
