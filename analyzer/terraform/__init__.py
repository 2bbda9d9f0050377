"""The Terraform front end: HCL modules and ``terraform show -json`` plans -> the neutral model.

Entry points (called by :mod:`lexiam.engine`):

* :func:`load_module` -- the ``.tf`` files of one folder (one module) -> one Unit;
* :func:`load_plan` -- plan JSON -> one Unit, or None when the JSON is not a plan;
* :func:`looks_relevant` -- the cheap pre-parse filter;
* :func:`prepare` -- the scan-wide work done once, before ``--jobs`` forks its workers.
"""

from __future__ import annotations

from lexiam.terraform.module import load_module, looks_relevant, prepare
from lexiam.terraform.plan import load_plan

__all__ = ["load_module", "load_plan", "looks_relevant", "prepare"]
