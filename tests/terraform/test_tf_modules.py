"""Local modules: a child is analysed with its caller's inputs, inside the caller's unit, once."""

from __future__ import annotations

from pathlib import Path

from lexiam import model
from lexiam.engine import Options, scan
from tests.terraform.conftest import FIXTURES, at, entity, load, only_unit, where

ROOT = FIXTURES / "modules" / "root"


def test_child_entities_get_module_addresses_and_caller_inputs() -> None:
    unit = only_unit(load(ROOT))
    assert unit.resource_types == {
        "module.role.aws_iam_role.this": "aws_iam_role",
        "module.bot.aws_lexv2models_bot.this": "aws_lexv2models_bot",
        "awscc_lex_resource_policy.bot": "awscc_lex_resource_policy",
    }
    role = entity(unit, "module.role.aws_iam_role.this")
    assert isinstance(role, model.IamRole)
    # the child's value comes from the caller: its position is in the caller's file
    assert role.name is not None and role.name.text == "order-bot"
    assert at(role.name) == ("main.tf", *where(ROOT / "main.tf", '"order-bot"'))
    principal = role.trust.statements[0].principals[0].value
    assert principal.text == "lex.amazonaws.com"
    # the entity itself is located in the child's file
    assert role.loc is not None and role.loc.file == "modules/role/main.tf"
    bot = entity(unit, "module.bot.aws_lexv2models_bot.this")
    # module.role.arn -> the child's output -> a typed ARN of the child's role, with its module address
    assert bot.role_arn.symbols[-1].address == "module.role.aws_iam_role.this"
    rp = entity(unit, "awscc_lex_resource_policy.bot")
    assert rp.resource_arn.symbols[-1].address == "module.bot.aws_lexv2models_bot.this"
    # a registry module is not fetched: its outputs are unknown
    assert rp.policy.statements[0].principals[0].value.is_unknown


def test_a_called_folder_is_not_analysed_twice() -> None:
    out = load(ROOT / "modules" / "bot", root=ROOT)
    assert out.units == []
    assert [(f.file, f.status, f.reason) for f in out.files] == [
        ("modules/bot/main.tf", "scanned", "analysed as module.bot of .")]


def test_scan_reports_child_findings_once() -> None:
    result = scan([ROOT], Options(root=ROOT))
    keys = [(f.rule_id, f.file, f.line, f.column) for f in result.findings]
    assert len(keys) == len(set(keys))
    assert ("E9524", "main.tf", *where(ROOT / "main.tf", '"lex.amazonaws.com"')) in keys
    assert {f.file for f in result.files} == {"main.tf", "modules/bot/main.tf", "modules/role/main.tf"}


def test_a_folder_nobody_calls_is_analysed_on_its_own(tmp_path: Path) -> None:
    child = ROOT / "modules" / "bot"
    out = load(child)  # the scan root is the child itself: its caller is not part of the scan
    unit = only_unit(out)
    bot = entity(unit, "aws_lexv2models_bot.this")
    assert bot.role_arn.is_unknown  # var.role_arn has no default and no caller


def test_module_cycles_and_missing_sources_do_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "main.tf").write_text('module "b" {\n  source = "../b"\n}\nresource "aws_iam_role" "lex" {\n'
                                            '  name = module.b.name\n}\noutput "name" {\n  value = "a"\n}\n')
    (tmp_path / "b" / "main.tf").write_text('module "a" {\n  source = "../a"\n}\nmodule "gone" {\n  source = "./gone"\n}\n'
                                            'output "name" {\n  value = "lex-${module.a.name}"\n}\n')
    result = scan([tmp_path], Options(root=tmp_path))
    assert {f.file for f in result.files} == {"a/main.tf", "b/main.tf"}
    assert all(f.status == "scanned" for f in result.files)


def test_a_child_scanned_without_its_caller_is_analysed_on_its_own() -> None:
    # pre-commit names the staged file: its caller is not part of the scan, so nothing would analyse
    # the child if it waited for the caller
    child_file = ROOT / "modules" / "bot" / "main.tf"
    result = scan([child_file], Options(root=ROOT))
    assert [(f.file, f.status, f.reason) for f in result.files] == [("modules/bot/main.tf", "scanned", "")]
    whole = scan([ROOT], Options(root=ROOT))
    assert ("modules/bot/main.tf", "scanned", "analysed as module.bot of .") in {
        (f.file, f.status, f.reason) for f in whole.files}


def test_a_child_whose_caller_does_not_parse_is_analysed_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "child").mkdir()
    (tmp_path / "main.tf").write_text('module "bot" {\n  source = "./child"\n}\nresource "x" {{{\n')
    (tmp_path / "child" / "main.tf").write_text('resource "aws_lexv2models_bot" "b" {\n  name = "B"\n}\n')
    result = scan([tmp_path], Options(root=tmp_path))
    statuses = {(f.file, f.status, f.reason) for f in result.files}
    assert ("child/main.tf", "scanned", "") in statuses
    assert [f.rule_id for f in result.findings if f.file == "main.tf"] == ["E9500"]


def test_modules_installed_by_terraform_init_are_followed_inside_the_tree(tmp_path) -> None:  # noqa: ANN001
    import json
    import os

    from tests.conftest import run_lexiam

    (tmp_path / "main.tf").write_text('module "bot" {\n  source  = "example/lexbot/aws"\n  version = "1.0.0"\n'
                                      '  action  = "lex:*"\n}\nmodule "outside" {\n  source = "example/other/aws"\n}\n')
    installed = tmp_path / ".terraform" / "modules"
    (installed / "bot").mkdir(parents=True)
    (installed / "bot" / "main.tf").write_text('''variable "action" {}
resource "aws_lexv2models_bot" "order" {
  name = "OrderBot"
}
resource "awscc_lex_resource_policy" "bot" {
  resource_arn = aws_lexv2models_bot.order.arn
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" },
                                       Action = var.action, Resource = "*" }] })
}
''')
    elsewhere = tmp_path.parent / (tmp_path.name + "-elsewhere")
    elsewhere.mkdir()
    (elsewhere / "main.tf").write_text((installed / "bot" / "main.tf").read_text().replace("var.action", '"lex:*"'))
    os.symlink(elsewhere, installed / "linked")
    (installed / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "bot", "Source": "registry.terraform.io/example/lexbot/aws", "Version": "1.0.0",
         "Dir": ".terraform/modules/bot"},
        {"Key": "outside", "Source": "registry.terraform.io/example/other/aws", "Dir": ".terraform/modules/linked"},
        {"Key": "up", "Source": "x", "Dir": "../"}]}))
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    findings = run.json()["findings"]
    found = [(f["rule_id"], f["file"], f["resource"]) for f in findings]
    # the value comes from the root module's call, the resource from the installed folder; the module
    # linked out of the tree is not read
    assert found == [("W9509", "main.tf", "module.bot.awscc_lex_resource_policy.bot")]
    # the message says where the module comes from (the file and the resource do not)
    assert findings[0]["message"].endswith(
        " (module.bot is registry.terraform.io/example/lexbot/aws 1.0.0, as terraform init installed it)")
    # a source as long as the scanned tree likes is cut
    doc = json.loads((installed / "modules.json").read_text())
    doc["Modules"][1]["Source"] = "x" * 5000
    (installed / "modules.json").write_text(json.dumps(doc))
    run = run_lexiam("scan", ".", "--format", "json", "--fail-on", "none", "--no-config", "--account-id", "111122223333",
                     cwd=tmp_path)
    (message,) = [f["message"] for f in run.json()["findings"]]
    assert message.endswith(f" (module.bot is {'x' * 197}..., as terraform init installed it)")


def test_folder_weights_for_jobs_come_from_the_call_index(tmp_path: Path) -> None:
    from lexiam import contract
    from lexiam.engine import Task, task_weight

    bot = 'resource "aws_lexv2models_bot" "b" {\n  name = "b"\n}\n'
    files = {
        "app/main.tf": 'module "m" {\n  source = "../mod"\n}\n',  # calls a local module
        "mod/main.tf": 'resource "aws_s3_bucket" "x" {}\n',  # is called
        "bot/main.tf": bot,  # names Lex itself
        "quiet/main.tf": 'resource "aws_s3_bucket" "y" {}\n',  # none of these: nothing to parse
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    options = Options(root=tmp_path, scan_paths=(tmp_path,))
    cost = contract.by_name("terraform").cost

    def weight(folder: str) -> int:
        return task_weight(Task("terraform", tmp_path / folder, ("main.tf",)), options)

    assert weight("bot") == len(bot) * cost
    assert weight("app") == len(files["app/main.tf"]) * cost and weight("mod") == len(files["mod/main.tf"]) * cost
    assert weight("quiet") == 0
    (tmp_path / "late").mkdir()  # not in the index (written after it was built): its files are read and weighed
    (tmp_path / "late" / "main.tf").write_text(bot)
    assert weight("late") == len(bot.encode()) * cost
