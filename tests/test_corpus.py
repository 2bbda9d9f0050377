"""The public corpus in ../shared: no traceback, every file accounted for, no false alarm of the core rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CORE_RULES = {"E9501", "E9502", "E9503", "E9504", "E9505", "E9506", "E9507", "E9508", "W9509", "E9511", "W9512", "W9513",
              "E9540", "W9541", "W9542", "W9543", "I9545"}


@pytest.fixture(scope="module")
def cfn_corpus_scan(tmp_path_factory) -> dict:
    from tests.conftest import SHARED, run_lexiam
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    out = tmp_path_factory.mktemp("corpus") / "scan.json"
    run = run_lexiam("scan", str(SHARED / "corpus" / "general" / "cfn"), str(SHARED / "corpus" / "lex"),
                     "--parse-all", "--format", "json", "--fail-on", "none", "--output", str(out), cwd=SHARED)
    assert run.code == 0, run.stderr
    return json.loads(out.read_text())


def test_every_file_is_accounted_for(cfn_corpus_scan: dict, shared: Path) -> None:
    s = cfn_corpus_scan["summary"]
    on_disk = sum(1 for d in ("general/cfn", "lex") for p in (shared / "corpus" / d).rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".template", ".tf"))
    assert s["files"] == on_disk
    assert s["scanned"] + s["skipped"] + s["input_errors"] == s["files"]
    assert s["scanned"] >= 480


def test_core_rules_raise_no_false_alarm_on_cloudformation(cfn_corpus_scan: dict) -> None:
    core = [(f["file"].split("corpus/", 1)[-1], f["line"], f["rule_id"]) for f in cfn_corpus_scan["findings"]
            if f["rule_id"] in CORE_RULES and not f["file"].endswith(".tf")]
    # Reviewed by hand: none of the CloudFormation files in the corpus misuses a Lex resource policy or
    # misnames a Lex action. The one finding is real: the AWS sample's bot role grants 'polly:SynthesizeSpeech,'
    # (a trailing comma inside the string), which grants nothing, so the bot's voice fails.
    assert core == [("lex/aws-samples__amazon-connect-with-amazon-lex-genai-capabilities/template.yaml", 87, "E9540")]


# The findings of the rules across resources on the Lex corpus, each read by hand (issue 14): all true.
CROSS_RESOURCE = {"W9563", "E9531", "W9532", "W9533"}
REVIEWED_CROSS_RESOURCE = {
    # the locale's voice (Joanna); the role's only policy allows lambda:InvokeFunction
    ("lex/abaasi256__AWS-Health-Advice-Chatbot/infra/main.tf", 194, "W9532"),
    # the aliases log text to CloudWatch; the bots' roles (module lex_bot*) allow Polly and Lambda only, and the
    # log resource policy names lex.amazonaws.com, not the role: one finding per action (CreateLogStream,
    # PutLogEvents)
    ("lex/alokkulkarni__awsTfElements/connect_comprehensive_stack/main.tf", 977, "W9532"),
    ("lex/alokkulkarni__awsTfElements/connect_comprehensive_stack/main.tf", 1021, "W9532"),
    ("lex/alokkulkarni__awsTfElements/connect_comprehensive_stack/main.tf", 1565, "W9532"),
    ("lex/alokkulkarni__awsTfElements/lex_only_deployment/main.tf", 709, "W9532"),
    ("lex/alokkulkarni__awsTfElements/lex_only_deployment/main.tf", 802, "W9532"),
    # the fulfillment hook's one permission is for lex.amazonaws.com (Lex V1's principal; E9561 too)
    ("lex/alokkulkarni__awsTfElements/connect_nova_sonic_hybrid/main.tf", 453, "W9563"),
    # the voice (Stephen); the role grants "polly:SynthesizeSpeech," (stray comma) and Comprehend
    ("lex/aws-samples__amazon-connect-with-amazon-lex-genai-capabilities/template.yaml", 136, "W9532"),
    # the voice; the role's only policy allows lambda:InvokeFunction
    ("lex/leo111223__fisco/terraform/lex.tf", 167, "W9532"),
}


def test_cross_resource_findings_are_the_reviewed_ones(cfn_corpus_scan: dict) -> None:
    found = [(f["file"].split("corpus/", 1)[-1], f["line"], f["rule_id"]) for f in cfn_corpus_scan["findings"]
             if f["rule_id"] in CROSS_RESOURCE]
    assert set(found) == REVIEWED_CROSS_RESOURCE
    assert len(found) == 14  # the five text-log lines have two findings each
