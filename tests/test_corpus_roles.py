"""The role and invocation rules on the Lex corpus in ../shared: exactly the reviewed findings on CloudFormation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED, run_lexiam

RULES = {"E9520", "E9521", "E9522", "E9523", "E9524", "E9525", "W9526", "E9527", "W9528", "W9530", "E9531", "W9532",
         "W9533", "W9560", "E9561", "W9562", "W9563"}

# Reviewed by hand against corpus/lex/MANIFEST.tsv: each one is a real problem of the template.
EXPECTED_CFN = {
    # Lambda::Permission for lexv2.amazonaws.com with neither SourceArn nor SourceAccount
    ("lex/addvaluemachine__Bluecheck-LexBot/cfn/GenAI-FSI-Agent.yml", 142, "W9560"),
    ("lex/aws-samples__generative-ai-amazon-bedrock-langchain-agent-example/cfn/GenAI-FSI-Agent.yml", 252, "W9560"),
    ("lex/salemba__generative-ai-amazon-bedrock-langchain-agent-hexatech/cfn/GenAI-FSI-Agent.yml", 201, "W9560"),
    # the bot's locale has a voice (VoiceSettings: Stephen) and its role BotRuntimeRole allows only
    # "polly:SynthesizeSpeech," (a stray comma: no such action, E9540) and comprehend:DetectSentiment: Lex
    # cannot synthesize speech
    ("lex/aws-samples__amazon-connect-with-amazon-lex-genai-capabilities/template.yaml", 136, "W9532"),
}


@pytest.fixture(scope="module")
def lex_corpus_findings(tmp_path_factory) -> list[dict]:
    """The CloudFormation files of the Lex corpus, scanned through the CLI."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    out = tmp_path_factory.mktemp("lex-corpus") / "scan.json"
    corpus = SHARED / "corpus"
    templates = sorted(str(p.relative_to(corpus)) for p in (corpus / "lex").rglob("*")
                       if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".template"))
    run = run_lexiam("scan", *templates, "--parse-all", "--format", "json", "--fail-on", "none", "--output", str(out),
                     cwd=corpus)
    assert run.code == 0, run.stderr
    return json.loads(out.read_text())["findings"]


def test_cloudformation_findings_are_the_reviewed_ones(lex_corpus_findings: list[dict]) -> None:
    cfn = {(f["file"], f["line"], f["rule_id"]) for f in lex_corpus_findings
           if f["rule_id"] in RULES and not f["file"].endswith(".tf")}
    assert cfn == EXPECTED_CFN


def test_a_role_merely_named_like_a_service_linked_role_is_not_one(lex_corpus_findings: list[dict]) -> None:
    """aws-lex-v2-bot-analytics attaches a policy to a role taken from a custom resource's
    LexServiceLinkedRole output (a plain role): nothing to report."""
    analytics = [f for f in lex_corpus_findings if "aws-lex-v2-bot-analytics" in f["file"]]
    assert analytics == []


def test_the_kurokood_test_alias_permission_is_correct(lex_corpus_findings: list[dict], shared: Path) -> None:
    """bot-alias/${MeetyBot}/TSTALIASID: !Ref of an AWS::Lex::Bot is the bot ID, so this SourceArn matches."""
    path = "lex/kurokood__chatbot-with-amazon-lex/ch7-application-template.yaml"
    assert (shared / "corpus" / path).is_file()
    assert [f for f in lex_corpus_findings if f["file"] == path and f["rule_id"] in RULES] == []
