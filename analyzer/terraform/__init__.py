"""The Terraform front end: the ``.tf`` files of a folder (one module) -> the neutral model.

A folder front end of :mod:`lexiam.contract`:

* :func:`load_folder` -- the ``.tf`` files of one folder (one module) -> one Unit;
* :func:`prepare` -- the scan-wide work done once, before ``--jobs`` forks its workers;
* :func:`folder_weight` -- what a folder's module is estimated to cost, from that work;
* :func:`warm_up` -- build python-hcl2's parser in the parent, so that the workers share it.

``terraform show -json`` plans are the file front end :mod:`lexiam.terraform.plan`.
"""

from __future__ import annotations

from lexiam.terraform.hcl import warm_up
from lexiam.terraform.module import load_folder
from lexiam.terraform.relevance import folder_weight, looks_relevant, prepare

__all__ = ["folder_weight", "load_folder", "looks_relevant", "prepare", "warm_up"]
