"""A template is data: scanning never constructs, imports, runs, fetches or reads what it names.

The CLI runs with a Python audit hook (installed by a ``sitecustomize`` module put first on the path)
that logs every socket, process and file-open event; the tests then check the log.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from lexiam.engine import Options, scan
from tests.conftest import REPO, SAMPLES, run_lexiam

BAD = SAMPLES / "cloudformation" / "E9501-rp-unsupported-action" / "bad.yaml"

AUDIT = textwrap.dedent('''
    import os, sys

    _fd = os.open(os.environ["LEXIAM_AUDIT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    _WATCH = ("socket.", "subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
              "os.forkpty", "pty.spawn", "urllib.Request", "http.client.connect", "ctypes.dlopen")

    def _hook(event, args):
        if event == "open":
            path = args[0]
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if isinstance(path, str):
                os.write(_fd, ("open " + os.path.realpath(path) + "\\n").encode("utf-8", "surrogateescape"))
        elif event.startswith(_WATCH):
            os.write(_fd, (event + " " + repr(args)[:200] + "\\n").encode("utf-8", "backslashreplace"))

    sys.addaudithook(_hook)
''')

CANARY = textwrap.dedent('''
    import os
    open(os.environ["LEXIAM_CANARY"], "w").write("imported")
''')


def audited_scan(tmp_path: Path, scan_dir: Path, *args: str) -> tuple[dict, list[str]]:
    """Run ``lexiam scan scan_dir`` under the audit hook, with an importable canary module on the path."""
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(AUDIT, encoding="utf-8")
    (hook_dir / "lexiam_canary.py").write_text(CANARY, encoding="utf-8")
    log = tmp_path / "audit.log"
    env = {"PYTHONPATH": os.pathsep.join([str(hook_dir), str(REPO), os.environ.get("PYTHONPATH", "")]),
           "LEXIAM_AUDIT_LOG": str(log), "LEXIAM_CANARY": str(tmp_path / "canary-imported")}
    # --jobs 1: the worker processes of a large scan are lexiam's own forks (and their socket pairs);
    # what is checked here is that nothing a template names starts a process or opens a socket
    run = run_lexiam("scan", str(scan_dir), "--format", "json", "--fail-on", "none", "--no-config", "--jobs", "1",
                     *args, cwd=scan_dir, env=env)
    assert run.code == 0, run.stderr
    assert not (tmp_path / "canary-imported").exists(), "a module named by a template was imported"
    events = log.read_text(encoding="utf-8").splitlines()
    assert any(e.startswith("open ") for e in events), "the audit hook did not run"
    return run.json(), events


PYTHON_TAGS = """
Metadata:
  run: !!python/object/apply:os.system ["touch {marker}"]
  new: !!python/object/new:lexiam_canary.Thing []
  name: !!python/name:lexiam_canary.run
  module: !!python/module:lexiam_canary
  apply: !!python/object/apply:subprocess.check_call [["touch", "{marker}"]]
"""


def hostile_tree(root: Path, secret: Path) -> None:
    marker = root.parent / "system-ran"
    bad = BAD.read_text(encoding="utf-8")
    (root / "tags.yaml").write_text(bad + PYTHON_TAGS.format(marker=marker), encoding="utf-8")
    (root / "transform.yaml").write_text(
        "Transform: [lexiam_canary, AWS::Serverless-2016-10-31]\n" + bad.replace(
            "Type: AWS::IAM::Role", "Type: Custom::lexiam_canary", 1), encoding="utf-8")
    tf = root / "tf"
    tf.mkdir()
    rel_secret = os.path.relpath(secret, tf)
    (tf / "main.tf").write_text(textwrap.dedent(f'''
        terraform {{
          required_providers {{
            lexiam_canary = {{ source = "lexiam_canary" }}
          }}
        }}
        module "remote" {{
          source = "git::https://example.invalid/lexiam_canary.git"
        }}
        module "registry" {{
          source = "lexiam_canary/lex/aws"
        }}
        data "external" "x" {{
          program = ["touch", "{marker}"]
        }}
        resource "aws_lexv2models_bot" "bot" {{
          name     = "bot"
          role_arn = "arn:aws:iam::123456789012:role/lex"
          data_privacy {{ child_directed = false }}
          idle_session_ttl_in_seconds = 300
        }}
        resource "aws_iam_policy" "up" {{
          policy = file("{rel_secret}")
        }}
        resource "aws_iam_policy" "absolute" {{
          policy = file("{secret}")
        }}
        resource "aws_iam_policy" "template" {{
          policy = templatefile("${{path.module}}/{rel_secret}", {{}})
        }}
        resource "aws_iam_policy" "linked" {{
          policy = file("${{path.module}}/link.json")
        }}
    '''), encoding="utf-8")
    os.symlink(secret, tf / "link.json")
    # links out of the tree where Terraform reads whole folders: a sibling .tf, auto-loaded variables,
    # a child module's file
    secret_tf = secret.with_suffix(".tf")
    os.symlink(secret_tf, tf / "evil.tf")
    os.symlink(secret_tf, tf / "terraform.tfvars")
    child = tf / "child"
    child.mkdir()
    (child / "main.tf").write_text('variable "x" {}\n', encoding="utf-8")
    os.symlink(secret_tf, child / "evil.tf")
    with open(tf / "main.tf", "a", encoding="utf-8") as fh:
        fh.write('module "child" {\n  source = "./child"\n  x      = "lex"\n}\n')


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("safety")
    secret = base / "secret.json"
    secret.write_text('{"Statement": [{"Effect": "Allow", "Action": "lex:SecretCanary", "Resource": "*"}]}')
    secret.with_suffix(".tf").write_text('SecretCanary = {{{ "lex" \n', encoding="utf-8")
    root = base / "scan"
    root.mkdir()
    hostile_tree(root, secret)
    doc, events = audited_scan(base, root)
    return {"doc": doc, "events": events, "secret": secret, "base": base}


def test_yaml_python_tags_construct_nothing(hostile: dict) -> None:
    assert not (hostile["base"] / "system-ran").exists()
    rules = [f["rule_id"] for f in hostile["doc"]["findings"] if f["file"] == "tags.yaml"]
    assert rules == ["E9501"]  # the tags are inert data; the template is checked as usual


def test_no_network_and_no_process(hostile: dict) -> None:
    assert [e for e in hostile["events"] if not e.startswith("open ")] == []
    assert not (hostile["base"] / "system-ran").exists()


def test_file_and_templatefile_never_read_outside_the_scanned_tree(hostile: dict) -> None:
    secret = hostile["secret"]
    assert f"open {secret}" not in hostile["events"]
    assert f"open {secret.with_suffix('.tf')}" not in hostile["events"]
    assert not any("SecretCanary" in f["message"] or "evil" in f["file"] for f in hostile["doc"]["findings"])
    errors = [f for f in hostile["doc"]["findings"] if f["file"] == "tf/main.tf" and f["rule_id"] == "E9500"]
    assert len(errors) == 1 and "outside the scanned tree; it was not read" in errors[0]["message"]
    assert not any("SecretCanary" in f["message"] for f in hostile["doc"]["findings"])  # would be an E9540


def test_nothing_outside_the_scan_python_and_the_package_is_opened(hostile: dict) -> None:
    allowed = [str(hostile["base"] / "scan"), str(hostile["base"] / "hook"), str(hostile["base"] / "audit.log"),
               str(REPO), sys.prefix, sys.base_prefix, sys.exec_prefix, "/dev/", "/proc/", "/sys/", "/etc/",
               "/usr/lib/", "/usr/share/", "/usr/local/lib/"]
    for path in sys.path:
        if path:
            allowed.append(os.path.realpath(path))
    opened = [e[5:] for e in hostile["events"] if e.startswith("open ")]
    outside = [p for p in opened if not any(p == a or p.startswith(a.rstrip("/") + "/") for a in allowed)]
    assert outside == []


def test_scanning_in_process_imports_no_module_a_template_names(tmp_path: Path) -> None:
    root = tmp_path / "scan"
    root.mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    secret.with_suffix(".tf").write_text("")
    hostile_tree(root, secret)
    before = set(sys.modules)
    result = scan([root], Options(root=root))
    assert any(f.rule_id == "E9501" for f in result.findings)
    new = set(sys.modules) - before
    assert not [m for m in new if "canary" in m or m in ("subprocess", "socket", "urllib.request", "http.client")]
