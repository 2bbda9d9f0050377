"""terraform show -json: resources from planned_values, references from configuration, positions in the JSON."""

from __future__ import annotations

from pathlib import Path

from lexiam import model
from lexiam.engine import Options
from lexiam.terraform.plan import load_plan
from lexiam.values import ACCOUNT, RESOURCE
from tests.terraform.conftest import FIXTURES, at, entity, texts

PLAN = FIXTURES / "plan"


def _load(name: str):  # noqa: ANN202
    path = PLAN / name
    return load_plan(path, name, path.read_text(encoding="utf-8"), Options(root=PLAN))


def _pos(path: Path, token: str) -> tuple[int, int]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        col = line.find(token)
        if col >= 0:
            return lineno, col + 1
    raise AssertionError(token)


def test_a_json_that_is_not_a_plan_is_left_to_cloudformation() -> None:
    assert _load("not-a-plan.json") is None
    assert load_plan(PLAN / "x.json", "x.json", '{"Resources": {}}', Options(root=PLAN)) is None


def test_plan_resources_root_and_child_modules() -> None:
    out = _load("plan.json")
    assert out is not None and [(f.file, f.status) for f in out.files] == [("plan.json", "scanned")]
    (unit,) = out.units
    assert unit.format == "terraform-plan"
    assert unit.resource_types == {
        "aws_iam_role.bot": "aws_iam_role",
        "aws_lexv2models_bot.order": "aws_lexv2models_bot",
        "module.policy.awscc_lex_resource_policy.this": "awscc_lex_resource_policy",
    }
    rp = entity(unit, "module.policy.awscc_lex_resource_policy.this")
    assert isinstance(rp, model.LexResourcePolicy)
    assert rp.resource_arn.text == "arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID12345/ALIAS12345"
    st = rp.policy.statements[0]
    assert texts(st.actions) == ["lex:RecognizeText", "lex:CreateBot"]


def test_positions_inside_an_escaped_policy_string() -> None:
    for name in ("plan.json", "plan-pretty.json"):
        out = _load(name)
        rp = entity(out.units[0], "module.policy.awscc_lex_resource_policy.this")
        create_bot = rp.policy.statements[0].actions[1]
        assert at(create_bot) == (name, *_pos(PLAN / name, '\\"lex:CreateBot\\"'))
        principal = rp.policy.statements[0].principals[0].value
        assert at(principal) == (name, *_pos(PLAN / name, '\\"arn:aws:iam::999999999999:root\\"'))


def test_unknown_after_apply_values_come_from_configuration_references() -> None:
    unit = _load("plan.json").units[0]
    bot = entity(unit, "aws_lexv2models_bot.order")
    # role_arn is known only after apply: the configuration says it is aws_iam_role.bot.arn
    kinds = [s.kind for s in bot.role_arn.symbols]
    assert ACCOUNT in kinds and bot.role_arn.symbols[-1].kind == RESOURCE
    assert bot.role_arn.symbols[-1].address == "aws_iam_role.bot"
    role = entity(unit, "aws_iam_role.bot")
    assert texts(role.managed_policy_arns) == ["arn:aws:iam::aws:policy/AmazonLexFullAccess"]
    assert texts(role.trust.statements[0].actions) == ["sts:AssumeRole"]


def test_broken_plan_json_is_one_input_error() -> None:
    text = '{"format_version": "1.2", "terraform_version": "1.7.5", "planned_values": {"root_module": {"resources": [}'
    out = load_plan(PLAN / "broken.json", "broken.json", text, Options(root=PLAN))
    assert out is not None and len(out.errors) == 1 and out.errors[0].rule_id == "E9500"
    assert out.files[0].status == "error"


def test_a_plan_without_lex_content_is_skipped() -> None:
    text = '{"format_version": "1.2", "terraform_version": "1.7.5", "planned_values": {"root_module": {}}}'
    out = load_plan(PLAN / "empty.json", "empty.json", text, Options(root=PLAN))
    assert out is not None and out.units == [] and out.files[0].status == "skipped"


def test_findings_get_their_path_inside_the_planned_values() -> None:
    from lexiam.engine import scan

    result = scan([PLAN / "plan-pretty.json"], Options(root=PLAN, jobs=1))
    paths = {(f.rule_id, f.resource): f.path for f in result.findings}
    assert paths[("W9526", "aws_iam_role.bot")] == ("managed_policy_arns", 0)
    assert paths[("E9501", "module.policy.awscc_lex_resource_policy.this")] == ("policy", "Statement", 0, "Action")
