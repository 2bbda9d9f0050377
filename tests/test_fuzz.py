"""Property-based fuzzing of the whole scan: generated CloudFormation and Terraform, mutated corpus files.

Properties, for every input: no exception escapes ``scan``; the JSON report is valid JSON; two scans
give byte-identical reports; a finding does not disappear when an unrelated broken file joins the scan.

The CI budget is small and derandomized (the same examples every run).  The long run explores::

    LEXIAM_FUZZ=long python -m pytest -q tests/test_fuzz.py      # about 20x the cases, random seeds

(``LEXIAM_FUZZ_EXAMPLES=N`` sets the number of cases per test directly.)
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexiam import jobs
from lexiam.engine import Options, scan
from lexiam.report import json_report
from tests.conftest import SHARED, run_lexiam

PROFILE = os.environ.get("LEXIAM_FUZZ", "ci")
_DEFAULT_EXAMPLES = {"ci": 25, "long": 500}.get(PROFILE, 25)
EXAMPLES = int(os.environ.get("LEXIAM_FUZZ_EXAMPLES", _DEFAULT_EXAMPLES))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=PROFILE != "long", database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(scale: float = 1.0) -> settings:
    return settings(FUZZ, max_examples=max(1, int(EXAMPLES * scale)))


# --- the scan as a function of files -------------------------------------------------------------

Files = dict[str, bytes]


def scan_files(files: Files, **options: Any) -> str:
    """Write the files into a fresh folder, scan it in process, return the JSON report."""
    with tempfile.TemporaryDirectory(prefix="lexiam-fuzz-") as tmp:
        root = Path(tmp)
        for name, data in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        result = scan([root], Options(root=root, **options))
        report = json_report.render(result, {})
    json.loads(report)
    return report


def findings_of(report: str, exclude_prefix: str = "\0") -> set[tuple[str, str, int, int, str]]:
    return {(f["file"], f["rule_id"], f["line"], f["column"], f["message"])
            for f in json.loads(report)["findings"] if not f["file"].startswith(exclude_prefix)}


def check(files: Files) -> str:
    """Scan twice: no exception, valid JSON, byte-identical reports."""
    first = scan_files(files)
    assert scan_files(files) == first
    return first


# --- values shaped like the model ------------------------------------------------------------------

ACCOUNTS = ["123456789012", "111122223333", "999999999999", "*", "", "12345", "${AWS::AccountId}"]
REGIONS = ["us-east-1", "eu-west-1", "*", "", "${AWS::Region}"]
LEX_ACTIONS = ["lex:RecognizeText", "lex:RecognizeUtterance", "lex:StartConversation", "lex:CreateBot",
               "lex:CreateBotAlias", "lex:DescribeBot", "lex:UpdateBot", "lex:ListBots", "lex:TagResource",
               "lex:PostText", "lex:PostContent", "lex:GetSession", "lex:*", "lex:List*", "lex:Recognize*", "*",
               "lex:recognizetext", "lexv2:RecognizeText", "lex:RecogniseText", "lex: RecognizeText",
               "polly:SynthesizeSpeech", "sts:AssumeRole", "iam:PassRole", "lambda:InvokeFunction"]
SERVICES = ["lexv2.amazonaws.com", "lex.amazonaws.com", "lambda.amazonaws.com", "connect.amazonaws.com",
            "channels.lexv2.amazonaws.com", "*"]
CONDITION_KEYS = ["aws:SourceAccount", "aws:SourceArn", "aws:PrincipalOrgID", "lex:sessionAttributes",
                  "aws:RequestTag/x", "aws:NoSuchKey", "s3:prefix"]
OPERATORS = ["StringEquals", "StringLike", "ArnLike", "ArnEquals", "ForAnyValue:StringEquals", "Bool", "Nope"]

junk = st.one_of(st.none(), st.booleans(), st.integers(-2, 10**12), st.floats(allow_nan=True),
                 st.text(max_size=12), st.lists(st.text(max_size=4), max_size=2),
                 st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2))


def arn_of(kind: str) -> st.SearchStrategy[str]:
    resource = {
        "bot": st.sampled_from(["bot/ABCDEFGHIJ", "bot/*", "bot/", "bot-alias/ABCDEFGHIJ/TSTALIASID"]),
        "role": st.sampled_from(["role/lex", "role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots",
                                 "role/*", "user/u", "root"]),
        "function": st.sampled_from(["function:f", "function:f:1", "function:*"]),
    }[kind]
    service = {"bot": "lex", "role": "iam", "function": "lambda"}[kind]
    region = st.just("") if kind == "role" else st.sampled_from(REGIONS)
    return st.builds(lambda p, r, a, res: f"arn:{p}:{service}:{r}:{a}:{res}",
                     st.sampled_from(["aws", "aws-cn", "*", "aws-us-gov"]), region, st.sampled_from(ACCOUNTS), resource)


def intrinsic(text: st.SearchStrategy[Any], names: list[str]) -> st.SearchStrategy[Any]:
    """A value as written in a template: plain, or behind an intrinsic function."""
    refs = st.sampled_from(names + ["AWS::AccountId", "AWS::Region", "Missing"])
    return st.one_of(
        text, text, text, text, text,  # mostly plain
        st.builds(lambda r: {"Ref": r}, refs),
        st.builds(lambda r: {"Fn::GetAtt": [r, "Arn"]}, refs),
        st.builds(lambda t: {"Fn::Sub": t}, text.filter(lambda t: isinstance(t, str))),
        st.builds(lambda a, b: {"Fn::Join": ["", [a, b]]}, text, text),
        st.builds(lambda a, b: {"Fn::If": ["Cond", a, b]}, text, text),
        st.builds(lambda t: {"Fn::ImportValue": t}, st.text(max_size=8)),
        junk,
    )


def one_or_many(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(s, st.lists(s, max_size=4))


def statement(names: list[str], resource_policy: bool) -> st.SearchStrategy[dict[str, Any]]:
    principal = st.one_of(
        st.just("*"),
        st.just({"AWS": "arn:aws:iam::123456789012:root"}),
        st.builds(lambda v: {"AWS": v}, arn_of("role")),
        st.builds(lambda v: {"AWS": v}, one_or_many(intrinsic(st.one_of(arn_of("role"), st.sampled_from(ACCOUNTS)), names))),
        st.builds(lambda v: {"Service": v}, one_or_many(st.sampled_from(SERVICES))),
        st.builds(lambda v: {"Federated": v}, st.text(max_size=6)),
        junk,
    )
    condition = st.dictionaries(
        st.sampled_from(OPERATORS),
        st.dictionaries(st.sampled_from(CONDITION_KEYS),
                        one_or_many(intrinsic(st.one_of(st.sampled_from(ACCOUNTS), arn_of("bot")), names)), max_size=2),
        max_size=2)
    fields: dict[str, st.SearchStrategy[Any]] = {
        "Effect": st.sampled_from(["Allow", "Deny", "allow", ""]),
        "Action": one_or_many(st.one_of(st.sampled_from(LEX_ACTIONS), st.text(max_size=10))),
        "Resource": one_or_many(intrinsic(st.one_of(arn_of("bot"), arn_of("function"), st.just("*")), names)),
    }
    if resource_policy:
        fields["Principal"] = principal
    optional = {"Sid": st.text(max_size=8), "Condition": condition, "NotAction": st.sampled_from(LEX_ACTIONS),
                "NotPrincipal": principal, "NotResource": arn_of("bot")}
    return st.fixed_dictionaries(fields, optional=optional)


def policy(names: list[str], resource_policy: bool) -> st.SearchStrategy[Any]:
    doc = st.fixed_dictionaries({"Version": st.sampled_from(["2012-10-17", "2008-10-17"]),
                                 "Statement": one_or_many(statement(names, resource_policy))})
    return st.one_of(doc, doc, doc, doc, doc.map(json.dumps), doc.map(json.dumps),
                     st.builds(lambda d: {"Fn::Sub": json.dumps(d)}, doc), junk)


NAMES = ["Bot", "Alias", "Role", "Fn", "Slr"]


def resource(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    v = lambda s: intrinsic(s, NAMES)  # noqa: E731
    props: dict[str, st.SearchStrategy[Any]] = {
        "AWS::Lex::Bot": st.fixed_dictionaries({
            "Name": v(st.text(max_size=8)), "RoleArn": v(arn_of("role")),
            "DataPrivacy": st.just({"ChildDirected": False}), "IdleSessionTTLInSeconds": st.just(300)}),
        "AWS::Lex::BotAlias": st.fixed_dictionaries({
            "BotId": v(st.text(max_size=10)), "BotAliasName": st.text(max_size=8),
            "BotAliasLocaleSettings": st.just([{"LocaleId": "en_US", "BotAliasLocaleSetting": {
                "Enabled": True, "CodeHookSpecification": {"LambdaCodeHook": {
                    "LambdaArn": {"Fn::GetAtt": ["Fn", "Arn"]}, "CodeHookInterfaceVersion": "1.0"}}}}])}),
        "AWS::Lex::ResourcePolicy": st.fixed_dictionaries({
            "ResourceArn": v(arn_of("bot")), "Policy": policy(NAMES, True)}),
        "AWS::IAM::Role": st.fixed_dictionaries({
            "AssumeRolePolicyDocument": policy(NAMES, True)},
            optional={"Policies": st.lists(st.fixed_dictionaries({
                "PolicyName": st.text(max_size=6), "PolicyDocument": policy(NAMES, False)}), max_size=2),
                "ManagedPolicyArns": st.lists(st.sampled_from([
                    "arn:aws:iam::aws:policy/AmazonLexFullAccess", "arn:aws:iam::aws:policy/AdministratorAccess"]),
                    max_size=2)}),
        "AWS::IAM::ServiceLinkedRole": st.fixed_dictionaries({
            "AWSServiceName": st.sampled_from(SERVICES)}, optional={"CustomSuffix": st.text(max_size=70)}),
        "AWS::Lambda::Permission": st.fixed_dictionaries({
            "Action": st.sampled_from(["lambda:InvokeFunction", "lambda:*", "lex:RecognizeText"]),
            "FunctionName": v(arn_of("function")), "Principal": st.sampled_from(SERVICES)},
            optional={"SourceArn": v(arn_of("bot")), "SourceAccount": v(st.sampled_from(ACCOUNTS))}),
        "AWS::Lambda::Function": st.just({"Runtime": "python3.12", "Handler": "x.y"}),
    }[kind]
    return st.fixed_dictionaries({"Type": st.just(kind), "Properties": st.one_of(*[props] * 9, junk)})


KINDS = ["AWS::Lex::Bot", "AWS::Lex::BotAlias", "AWS::Lex::ResourcePolicy", "AWS::IAM::Role",
         "AWS::IAM::ServiceLinkedRole", "AWS::Lambda::Permission", "AWS::Lambda::Function"]


@st.composite
def cfn_template(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
    if draw(st.integers(0, 9)) < 7:  # most templates have a bot and its policy
        kinds = ["AWS::Lex::Bot", "AWS::Lex::BotAlias", "AWS::Lex::ResourcePolicy", *kinds][: max(3, len(kinds))]
    resources = {(NAMES[i] if i < len(NAMES) else f"R{i}"): draw(resource(k)) for i, k in enumerate(kinds)}
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if draw(st.booleans()):
        template["Parameters"] = {"Missing": {"Type": "String"}}
    if draw(st.booleans()):
        template["Conditions"] = {"Cond": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    return template


def render_cfn(template: dict[str, Any], style: str) -> bytes:
    if style == "json":
        return json.dumps(template, indent=1).encode()
    return yaml.safe_dump(template, sort_keys=False, allow_unicode=True).encode()


# --- Terraform text ----------------------------------------------------------------------------------

def hcl(value: Any) -> str:
    """A Python value as an HCL expression."""
    if isinstance(value, dict):
        if len(value) == 1 and "Ref" in value:
            return f"aws_iam_role.{value['Ref']}.arn" if isinstance(value["Ref"], str) and value["Ref"].isidentifier() \
                else "var.missing"
        return "{" + ", ".join(f"{json.dumps(str(k))} = {hcl(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value) if value == value and abs(value) != float("inf") else "0"
    return json.dumps(str(value)).replace("${", "$${").replace("%{", "%%{")


@st.composite
def tf_module(draw: st.DrawFn) -> str:
    names = ["bot", "role", "fn"]
    blocks = []
    doc = lambda rp: policy(names, rp)  # noqa: E731
    wrap = st.sampled_from(["jsonencode({})", "{}", "local.doc", "data.aws_iam_policy_document.d.json", "var.policy"])
    for kind in draw(st.lists(st.sampled_from(["bot", "alias", "role", "policy", "slr", "perm", "data", "locals", "var"]),
                              min_size=1, max_size=6)):
        name = draw(st.sampled_from(names))
        if kind == "bot":
            role = draw(st.one_of(arn_of("role").map(hcl), st.just("aws_iam_role.role.arn"), st.just("var.role")))
            blocks.append(f'resource "aws_lexv2models_bot" "{name}" {{\n  name = "{name}"\n  role_arn = {role}\n'
                          f'  data_privacy {{\n    child_directed = false\n  }}\n  idle_session_ttl_in_seconds = 300\n}}')
        elif kind == "alias":
            blocks.append(f'resource "awscc_lex_bot_alias" "{name}" {{\n  bot_id = aws_lexv2models_bot.bot.id\n'
                          f'  bot_alias_name = "live"\n}}')
        elif kind == "role":
            form = draw(wrap)
            body = hcl(draw(doc(True)))
            value = form.format(body) if "{}" in form else form
            blocks.append(f'resource "aws_iam_role" "{name}" {{\n  assume_role_policy = {value}\n}}')
        elif kind == "policy":
            value = draw(wrap)
            value = value.format(hcl(draw(doc(False)))) if "{}" in value else value
            blocks.append(f'resource "awscc_lex_resource_policy" "{name}" {{\n'
                          f'  resource_arn = aws_lexv2models_bot.bot.arn\n  policy = {value}\n}}')
        elif kind == "slr":
            blocks.append(f'resource "aws_iam_service_linked_role" "{name}" {{\n'
                          f'  aws_service_name = {hcl(draw(st.sampled_from(SERVICES)))}\n'
                          f'  custom_suffix = {hcl(draw(st.text(max_size=8)))}\n}}')
        elif kind == "perm":
            blocks.append(f'resource "aws_lambda_permission" "{name}" {{\n  action = "lambda:InvokeFunction"\n'
                          f'  function_name = {hcl(draw(arn_of("function")))}\n'
                          f'  principal = {hcl(draw(st.sampled_from(SERVICES)))}\n'
                          f'  source_arn = {hcl(draw(arn_of("bot")))}\n}}')
        elif kind == "data":
            actions = draw(st.lists(st.sampled_from(LEX_ACTIONS), min_size=1, max_size=3))
            blocks.append(f'data "aws_iam_policy_document" "d" {{\n  statement {{\n    actions = {hcl(actions)}\n'
                          f'    resources = [{hcl(draw(arn_of("bot")))}]\n    principals {{\n      type = "AWS"\n'
                          f'      identifiers = [{hcl(draw(st.sampled_from(ACCOUNTS)))}]\n    }}\n  }}\n}}')
        elif kind == "locals":
            blocks.append(f'locals {{\n  doc = {hcl(draw(doc(True)))}\n  loop = local.loop\n}}')
        else:
            blocks.append(f'variable "{draw(st.sampled_from(["role", "policy", "missing"]))}" {{\n'
                          f'  default = {hcl(draw(junk))}\n}}')
    return "\n\n".join(blocks) + "\n"


# --- corpus files and mutations ------------------------------------------------------------------------

def _corpus_files() -> list[Path]:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        return []
    out = [p for p in sorted((corpus / "lex").rglob("*"))
           if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".tf") and p.stat().st_size < 40_000]
    general = sorted((corpus / "general" / "cfn").glob("*"))[:80:4] + sorted((corpus / "general" / "tf").glob("*.tf"))[:400:20]
    return out + [p for p in general if p.is_file() and p.stat().st_size < 40_000]


CORPUS = _corpus_files()
needs_corpus = pytest.mark.skipif(not CORPUS, reason="../shared/corpus is not present")

SPLICES = [b"{", b"}", b"[", b"]", b'"', b"'", b":", b": ", b"\n", b"\r\n", b"\t", b"\x00", b"\xff", b"\xef\xbb\xbf",
           b"&a ", b"*a", b"<<: *a", b"!Ref ", b"!GetAtt ", b"!Sub '${", b"${", b"%{", b"}}", b"\\", b"\\u", b"#",
           b"---\n", b"...", b"- ", b"  ", b"=", b"<<EOF\n", b"\nEOF\n", b'"${', b"lex:*", b"arn:aws:lex:",
           b"\xed\xa0\x80", b"\xc3", b"\xf0\x9f\x98\x80", b"/*", b"*/", b"//", b"(", b")", b"${local.x}",
           b"AWSTemplateFormatVersion: x\n", b"Resources:\n"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        op = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if op == 0:  # splice in a token that matters to a parser
            out[at:at] = rng.choice(SPLICES)
        elif op == 1:  # delete a range
            del out[at:at + rng.randrange(1, 40)]
        elif op == 2:  # duplicate a range
            out[at:at] = out[at:at + rng.randrange(1, 200)]
        elif op == 3:  # flip a byte
            if out:
                i = rng.randrange(len(out))
                out[i] = rng.randrange(256)
        elif op == 4:  # truncate
            del out[at:]
        else:  # swap two lines
            lines = bytes(out).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                out = bytearray(b"\n".join(lines))
    return bytes(out)


corpus_file = st.sampled_from(CORPUS) if CORPUS else st.nothing()


@st.composite
def mutated_corpus_file(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(corpus_file)
    return "m" + path.suffix, draw(mutated(path.read_bytes()))


BROKEN: list[tuple[str, bytes]] = [
    ("broken.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: [\n"),
    ("broken.json", b'{"Resources": {"X": {"Type": "AWS::Lex::Bot",,}}'),
    ("broken.tf", b'resource "aws_lexv2models_bot" "x" {\n  name = "lex\n'),
    ("binary.yaml", b"Resources:\x00\xff\xfe"),
    ("laughs.yaml", b"Description: lex\nResources: &r {a: &a [1,1,1,1,1,1,1,1,1,1], b: [*a,*a,*a,*a,*a,*a,*a,*a]}\n"),
]


# --- the properties ---------------------------------------------------------------------------------

def with_broken_neighbour(files: Files, broken: tuple[str, bytes]) -> None:
    """A finding never disappears when an unrelated broken file joins the scan (in another folder)."""
    alone = check(files)
    together = scan_files({**files, f"zz-unrelated/{broken[0]}": broken[1]})
    assert findings_of(alone) <= findings_of(together, "zz-unrelated/")
    assert findings_of(together, "zz-unrelated/") <= findings_of(alone)


@fuzz()
@given(template=cfn_template(), style=st.sampled_from(["yaml", "json"]), broken=st.sampled_from(BROKEN))
def test_generated_cloudformation(template: dict[str, Any], style: str, broken: tuple[str, bytes]) -> None:
    with_broken_neighbour({f"t.{style}": render_cfn(template, style)}, broken)


@fuzz(0.5)
@given(module=tf_module(), broken=st.sampled_from(BROKEN))
def test_generated_terraform(module: str, broken: tuple[str, bytes]) -> None:
    with_broken_neighbour({"main.tf": module.encode()}, broken)


@needs_corpus
@fuzz(2)
@given(file=mutated_corpus_file(), broken=st.sampled_from(BROKEN))
def test_mutated_corpus_files(file: tuple[str, bytes], broken: tuple[str, bytes]) -> None:
    name, data = file
    with_broken_neighbour({name: data}, broken)


@fuzz(0.5)
@given(template=cfn_template(), broken=st.sampled_from(BROKEN[:2] + BROKEN[3:]))
def test_broken_file_in_the_same_folder(template: dict[str, Any], broken: tuple[str, bytes]) -> None:
    # CloudFormation files are independent: a broken one beside a template changes none of its findings
    files = {"t.yaml": render_cfn(template, "yaml")}
    alone = findings_of(check(files))
    together = findings_of(scan_files({**files, broken[0]: broken[1]}))
    assert alone <= together and not {f for f in together - alone if f[0] != broken[0]}


@fuzz(2)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json", ".tf", ".template"]),
       head=st.sampled_from([b"", b"Resources:\n", b'{"Resources": ', b"AWSTemplateFormatVersion: x\nlex: ",
                             b'resource "aws_lexv2models_bot" "x" {\n', b"\xff\xfe", b"\xef\xbb\xbf"]))
def test_arbitrary_bytes(data: bytes, suffix: str, head: bytes) -> None:
    check({"x" + suffix: head + data})


@fuzz(0.4)
@given(template=cfn_template(), module=tf_module(),
       file=mutated_corpus_file() if CORPUS else st.just(("m.yaml", b"Resources: {}\n")))
def test_jobs_give_the_same_report(template: dict[str, Any], module: str, file: tuple[str, bytes]) -> None:
    # the pool is forced even for these small trees (it normally starts only for a large scan)
    files = {"a/t.yaml": render_cfn(template, "yaml"), "b/t.json": render_cfn(template, "json"),
             "c/main.tf": module.encode(), f"d/{file[0]}": file[1]}
    serial = check(files)
    with mock.patch.object(jobs, "MIN_POOL_WORK", 0):
        assert scan_files(files, jobs=2) == serial


# --- end to end: the real CLI, and --jobs ----------------------------------------------------------------

def _has_option(flag: str) -> bool:
    from lexiam.cli import build_parser

    parser = build_parser()
    scan_parser = parser._subparsers._group_actions[0].choices["scan"]  # type: ignore[union-attr]
    return any(flag in a.option_strings for a in scan_parser._actions)


def _mutated_tree(root: Path, seed: int, count: int) -> None:
    rng = random.Random(seed)
    for i, path in enumerate(rng.sample(CORPUS, min(count, len(CORPUS)))):
        data = bytearray(path.read_bytes())
        for _ in range(rng.randrange(0, 4)):
            at = rng.randrange(len(data) + 1)
            data[at:at] = rng.choice(SPLICES)
        folder = root / f"d{i % 7}"
        folder.mkdir(exist_ok=True)
        (folder / f"f{i}{path.suffix}").write_bytes(bytes(data))


@needs_corpus
def test_cli_on_mutated_corpus_is_deterministic(tmp_path: Path) -> None:
    _mutated_tree(tmp_path, 7, 40)
    args = ("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--parse-all")
    first = run_lexiam(*args, cwd=tmp_path)
    second = run_lexiam(*args, cwd=tmp_path)
    assert first.code == 0 and first.stdout == second.stdout
    json.loads(first.stdout)
    if _has_option("--jobs"):
        for jobs in ("1", "2"):
            assert run_lexiam(*args, "--jobs", jobs, cwd=tmp_path).stdout == first.stdout
