"""E9500: a file that looks like a template but cannot be read or parsed."""

from __future__ import annotations

from lexiam.rules.registry import BY_ENGINE, rule
from lexiam.rules.sources import CFN_TEMPLATE, TF_SYNTAX

rule(
    "E9500", "input-error", "A template that cannot be read or parsed",
    "lexiam can only check what it can read. A file that looks like a CloudFormation template or a "
    "Terraform configuration but is not valid YAML, JSON or HCL (or is not UTF-8, too large or too deeply "
    "nested) is reported once, with the parser's reason and position, and the rest of the scan goes on.",
    "Fix the syntax error at the reported position (the same error stops CloudFormation or Terraform), or "
    "exclude the file from the scan if it is not infrastructure code.",
    "input", tags=("input",), reported_by=BY_ENGINE,
    evidence=(
        CFN_TEMPLATE.says("Template formats", "A CloudFormation template is a JSON or YAML document; one that does "
                          "not parse cannot be deployed."),
        TF_SYNTAX.says("Syntax", "Terraform reads configuration files in HCL (or JSON); one that does not parse stops "
                       "every Terraform command."),
    ),
)
