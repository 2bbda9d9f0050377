"""The Terraform JSON syntax front end: ``*.tf.json`` files -> the nodes the HCL parser gives.

Terraform reads the ``.tf`` and ``.tf.json`` files of a folder as one module.  This front end does not
load modules: its row in :data:`lexiam.contract.FRONT_ENDS` joins the Terraform front end, which reads
every file of a folder and asks the table which front end parses each one.  What it provides is the
``parse_file(text, rel)`` of a joining front end: the file's blocks, attributes and expressions as
:mod:`lexiam.terraform.nodes`, every one at its exact position in the JSON text, so that the evaluator,
the rules and the report treat a ``.tf.json`` resource as they treat a ``.tf`` one.

The mapping is HashiCorp's "JSON Configuration Syntax" (see :mod:`lexiam.terraform_json.syntax`).
Terraform JSON has no comments (``"//"`` properties are skipped), hence no suppressions.
"""

from __future__ import annotations

from lexiam.terraform_json.syntax import JsonSyntaxError, parse_file

__all__ = ["JsonSyntaxError", "parse_file"]
