"""The ``lexiam`` command line: ``scan``, ``fix``, ``rules``, ``explain``, ``--version``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage error or no
input could be read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from lexiam import __version__

if TYPE_CHECKING:
    from lexiam.baseline import Baseline
    from lexiam.model import ScanResult

FAIL_ON = ("error", "warning", "info", "none")
FORMATS = ("text", "concise", "json", "sarif", "github")
CONFIG_MODES = ("trusted", "restricted", "off")


class UsageError(Exception):
    """A bad command line or configuration: reported on stderr, exit 2 (after the command's usage when
    ``usage``: a flag's value was wrong)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def _split_ids(values: Sequence[str] | None) -> frozenset[str]:
    out: set[str] = set()
    for v in values or ():
        out.update(x.strip().upper() for x in v.split(",") if x.strip())
    return frozenset(out)


# The region names of the AWS partitions: the ``regionRegex`` of each partition in the AWS SDKs' partitions
# file (botocore/data/partitions.json: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f,
# aws-eusc), in one expression.
REGION = re.compile(r"(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-\w+|us-gov-\w+|us-iso[bf]?-\w+|eu-isoe-\w+|eusc-de-\w+)"
                    r"-\d+", re.ASCII)
COMMANDS = ("scan", "fix", "rules", "explain")


class _Parser(argparse.ArgumentParser):
    """argparse, with its error messages sanitised (they quote the arguments given, which may be names
    from the scanned tree: ``lexiam scan *``)."""

    def error(self, message: str) -> NoReturn:
        from lexiam.sanitize import visible

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {visible(message)}\n")


def build_parser(width: int | None = None) -> argparse.ArgumentParser:
    """The parser of every command (``width``: wrap help and usage at that many columns, as the README's
    usage block is; else at the terminal's width)."""
    kwargs: dict[str, object] = {}
    if width is not None:
        kwargs["formatter_class"] = lambda prog: argparse.HelpFormatter(prog, width=width)
    parser = _Parser(
        prog="lexiam", description="Find Amazon Lex V2 IAM mistakes in CloudFormation and Terraform.",
        epilog="Without a command, lexiam scans: 'lexiam' is 'lexiam scan .', 'lexiam infra/' is 'lexiam scan infra/'.",
        **kwargs)  # type: ignore[arg-type]
    parser.add_argument("--version", action="version", version=f"lexiam {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan files and folders (the default command)",
                          description="Scan CloudFormation and Terraform files.", **kwargs)  # type: ignore[arg-type]
    scan.add_argument("paths", nargs="*", metavar="PATH",
                      help="files or folders, scanned recursively (default: the current folder); - reads one "
                           "template from stdin")
    out = scan.add_argument_group("output")
    out.add_argument("--format", "--output-format", "-f", dest="format", choices=FORMATS, default=None,
                     help="text (default), concise (one line per finding), json, sarif or github")
    out.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--sarif-file", metavar="FILE", help="also write a SARIF report to FILE")
    out.add_argument("--sarif-category", metavar="NAME",
                     help="the SARIF run category, for several lexiam uploads in one repository (default: iac)")
    out.add_argument("--quiet", "-q", action="store_true",
                     help="print the findings only: no summary, no notices (warnings and errors still go to stderr)")
    out.add_argument("--statistics", action="store_true",
                     help="end the text report with the number of findings of each rule")
    out.add_argument("--show-suppressed", action="store_true", help="list suppressed findings in the text report")
    rules_group = scan.add_argument_group("rules and the gate")
    rules_group.add_argument("--fail-on", choices=FAIL_ON, default=None,
                             help="exit 1 when a finding is at or above this severity (default: warning)")
    rules_group.add_argument("--select", action="append", metavar="RULE",
                             help="report only these rule IDs or prefixes (repeatable, comma-separated); unreadable "
                                  "files (E9500) are reported whatever is selected")
    rules_group.add_argument("--ignore", action="append", metavar="RULE",
                             help="rule IDs or prefixes to skip (repeatable, comma-separated); E9500 only when "
                                  "named exactly")
    rules_group.add_argument("--no-inline-ignores", action="store_true",
                             help="ignore suppressions written in templates")
    rules_group.add_argument("--baseline", metavar="FILE", help="report only findings that FILE does not record")
    rules_group.add_argument("--write-baseline", metavar="FILE", help="record today's findings in FILE (then exit 0)")
    facts = scan.add_argument_group("the deployment")
    facts.add_argument("--account-id", metavar="ID", help="the 12-digit account the templates deploy to")
    facts.add_argument("--region", metavar="REGION", help="the region the templates deploy to (eu-west-1)")
    facts.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a Terraform variable value")
    facts.add_argument("--var-file", action="append", default=[], metavar="FILE", help="a Terraform .tfvars file")
    conf = scan.add_argument_group("configuration")
    conf.add_argument("--config", metavar="FILE",
                      help="a .lexiam.yaml or pyproject.toml (default: found from the scanned paths upwards)")
    conf.add_argument("--config-mode", choices=CONFIG_MODES, default=None,
                      help="how far the repository's configuration file is trusted: trusted (the default) applies "
                           "every key; restricted lets it add visible suppressions and excludes and make the gate "
                           "stricter, and refuses the rest with a warning; off reads none (see docs/security.md)")
    conf.add_argument("--no-config", action="store_true", help="read no configuration file (--config-mode off)")
    inputs = scan.add_argument_group("input")
    inputs.add_argument("--stdin-filename", metavar="NAME",
                        help="with -: the name of the template read from stdin, for its format and the report")
    inputs.add_argument("--root", metavar="DIR", help="report paths relative to DIR (default: the current folder)")
    inputs.add_argument("--parse-all", action="store_true",
                        help="parse every template, even those with no Lex or IAM content (slower; for auditing)")
    inputs.add_argument("--jobs", "-j", type=_limit(int), default=None, metavar="N",
                        help="processes that parse files at once (default: the number of CPUs; 1: no worker "
                             "processes); the report is the same whatever N")
    limits = scan.add_argument_group(
        "limits", "Bounds on the work one input can cause (see docs/robustness.md). A file over a limit is one "
        "E9500 finding; the scan goes on.")
    limits.add_argument("--max-file-size", type=_limit(parse_size), metavar="SIZE",
                        help="largest file read, in bytes or with K/M/G (default: 5M)")
    limits.add_argument("--max-files", type=_limit(int), metavar="N",
                        help="most template files read in one scan; the rest are listed as skipped (default: 100000)")
    limits.add_argument("--max-depth", type=_limit(int), metavar="N",
                        help="deepest nesting of YAML/JSON collections, in files and in JSON policy text (default: 256)")
    limits.add_argument("--max-nodes", type=_limit(int), metavar="N",
                        help="most YAML/JSON nodes in one file, YAML aliases counted expanded (default: 1000000)")

    fixing = scan.add_argument_group("fixes", "lexiam fix PATH... is lexiam scan --fix PATH... (see docs/usage/fix.md)")
    fixing.add_argument("--fix", action="store_true", help="fix what has a safe fix, then report what is left")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="also make the fixes marked unsafe")
    fix = sub.add_parser("fix", parents=[scan], add_help=False, help="fix what has a safe fix",
                         description="Fix the findings that have one right answer, in place, in each file's own "
                                     "style; then report what is left. The same as lexiam scan --fix.",
                         **kwargs)  # type: ignore[arg-type]
    # its options are the scan's (the same action objects: a default set on one is set on both), but --fix,
    # which it is: not shown in its usage, not accepted
    fix_option = fix._option_string_actions.pop("--fix")
    fix._actions.remove(fix_option)
    for group in fix._action_groups:
        if fix_option in group._group_actions:
            group._group_actions.remove(fix_option)

    rules = sub.add_parser("rules", help="list the rules", **kwargs)  # type: ignore[arg-type]
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text")

    explain = sub.add_parser("explain", help="explain a rule", **kwargs)  # type: ignore[arg-type]
    explain.add_argument("rule_id", metavar="ID", help="a rule ID (E9501) or slug (rp-unsupported-action)")
    return parser


README_WIDTH = 104


def usage_block() -> str:
    """The usage of every command, as the README shows it (tests/test_readme_usage.py keeps the two equal)."""
    parser = build_parser(README_WIDTH)
    out: list[str] = []
    for name in COMMANDS:
        first, *rest = _subparser(parser, name).format_usage().rstrip().splitlines()
        out.append(first.removeprefix("usage: "))
        out.extend(line.removeprefix(" " * len("usage: ")) for line in rest)
    return "\n".join(out) + "\n"


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    raise KeyError(name)


def with_command(argv: Sequence[str]) -> list[str]:
    """The arguments with ``scan`` put first when no command is named (``lexiam``, ``lexiam infra/``,
    ``lexiam --format json .``), as ``ruff`` users expect of a checker."""
    argv = list(argv)
    if not argv:
        return ["scan"]
    if argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version"):
        return argv
    return ["scan", *argv]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        return _closed_pipe()
    except KeyboardInterrupt:
        return 130


def _main(argv: Sequence[str]) -> int:
    parser = build_parser()
    argv = with_command(argv)
    args, extra = parser.parse_known_args(argv)
    command = _subparser(parser, args.command) if args.command else parser
    if extra:  # argparse would print the top-level usage: the command's is the one that helps
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command in ("scan", "fix"):
            args.fix = args.command == "fix" or bool(getattr(args, "fix", False))
            return cmd_scan(args)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "explain":
            return cmd_explain(args)
    except UsageError as exc:
        if exc.usage:
            emit(sys.stderr, command.format_usage())
        _say("error", str(exc))
        return 2
    parser.print_help(sys.stderr)
    return 2


def _closed_pipe() -> int:
    """stdout was closed early (``lexiam rules | head -2``): no traceback, the exit status of a process
    ended by SIGPIPE, as a shell reports it (128 + 13)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the flush at exit must not fail again
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 141


def cmd_scan(args: argparse.Namespace) -> int:
    import gc

    from lexiam.engine import Options, scan
    from lexiam.jobs import default_jobs
    from lexiam.report import reporter
    from lexiam.rules.pack import RENAMED, all_rules, successors
    from lexiam.rules.registry import SEVERITY_RANK

    if not args.paths:
        args.paths = ["."]
    if "-" in args.paths and len(args.paths) > 1:
        raise UsageError("- (stdin) must be the only path", usage=True)
    if args.stdin_filename and args.paths != ["-"]:
        raise UsageError("--stdin-filename names the template read from stdin: give - as the path", usage=True)
    root = Path(args.root) if args.root else Path.cwd()
    _apply_config(args, {r.id: r.severity for r in all_rules()})
    known = {r.id for r in all_rules()}
    ignore = _split_ids(args.ignore)
    select = _split_ids(args.select) if args.select else None
    visible_ignore, visible_select = _split_ids(args.visible_ignore), _split_ids(args.visible_select) or None
    # an ID renamed before the first release stands for the rules that report what it reported
    old = [r for r in (*ignore, *(select or ()), *visible_ignore, *(visible_select or ()), *args.severity) if r in RENAMED]
    for rid in dict.fromkeys(old):
        _say("notice", f"{rid} was renamed or split before the first release; it now means {', '.join(RENAMED[rid])}")

    def renewed(ids: list[str]) -> list[str]:
        return [new for rid in ids for new in (successors(rid) if rid in RENAMED else (rid,))]

    ignore, visible_ignore = renewed(ignore), renewed(visible_ignore)
    select = renewed(select) if select else None
    visible_select = renewed(visible_select) if visible_select else None
    args.severity = {new: sev for rid, sev in args.severity.items()
                     for new in (successors(rid) if rid in RENAMED else (rid,))}
    for rid in (*ignore, *(select or ()), *visible_ignore, *(visible_select or ()), *args.severity):
        if not any(k.startswith(rid) for k in known):
            raise UsageError(f"{rid}: no rule has this ID or prefix (see 'lexiam rules')")
    if args.account_id and not (args.account_id.isdigit() and len(args.account_id) == 12):
        raise UsageError(f"--account-id must be 12 digits, got {args.account_id!r}", usage=True)
    if args.region and not REGION.fullmatch(args.region):
        raise UsageError(f"--region {args.region!r} is not an AWS region name (such as eu-west-1, us-gov-west-1, "
                         "cn-north-1)", usage=True)
    tf_vars: dict[str, str] = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--var expects NAME=VALUE, got {item!r}", usage=True)
        tf_vars[name.strip()] = value
    for var_file in args.var_file:
        if not os.path.isfile(var_file):
            raise UsageError(f"cannot read the variable file {var_file}: no such file", usage=True)
    if args.paths == ["-"] and (args.fix or args.diff):
        raise UsageError("lexiam fix edits files: it cannot fix standard input", usage=True)
    stdin = _Stdin(args) if args.paths == ["-"] else None
    paths = [stdin.path] if stdin else [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if len(missing) == len(paths):
        raise UsageError("no input could be read: " + ", ".join(missing) + " not found")
    for m in missing:
        _say("warning", f"{m}: no such file or folder")
    options = Options(
        account_id=args.account_id, region=args.region, ignore=ignore, select=select, visible_ignore=visible_ignore,
        visible_select=visible_select, tf_vars=tf_vars,
        tf_var_files=tuple(Path(v) for v in args.var_file), inline_ignores=not args.no_inline_ignores,
        prefilter=not args.parse_all, jobs=args.jobs or default_jobs(),
        root=stdin.root if stdin else root, exclude=args.exclude, severity=args.severity, progress=_progress(),
        **_limits(args))
    # A scan allocates parse trees by the million and makes few reference cycles: run the cycle collector
    # less often (measured on a 50,000-file repository: a third of the time went to full collections
    # walking what the scan keeps).  Forked --jobs workers inherit this.
    baseline = _read_baseline(args)
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 50, 100)
    try:
        result = scan(paths, options, baseline)
        fix_plan = None
        if args.fix or args.diff or _wants_fix_counts(args, result):
            from lexiam.fix import plan_fixes

            fix_plan = plan_fixes(result, paths, options, baseline, unsafe=args.unsafe_fixes)
    finally:
        gc.set_threshold(*thresholds)
        if stdin:
            stdin.close()
    if stdin:
        result = stdin.renamed(result)
    if fix_plan is not None and (args.fix or args.diff):
        from lexiam.fix import report_fixes

        code = report_fixes(fix_plan, paths, diff=args.diff, out=sys.stdout, err=sys.stderr)
        if args.diff:
            return code
        result = fix_plan.result
    for skipped in result.files:  # a limit that left files out must not pass unnoticed
        if skipped.status == "skipped" and "(--max-files)" in skipped.reason:
            _say("warning", f"{skipped.file}: {skipped.reason}")
    if not args.quiet:
        for notice in result.notices:
            _say("notice", notice)
    _write_baseline(args, result)
    fmt = args.format or "text"
    if args.statistics and fmt not in ("text", "concise"):
        _say("warning", f"--statistics applies to the text and concise formats, not to {fmt}")
    context: dict[str, object] = {
        "root": str(root), "colour": args.output is None and colour(sys.stdout), "rules": all_rules(),
        "show_suppressed": args.show_suppressed, "sarif_category": args.sarif_category, "quiet": args.quiet,
        "statistics": args.statistics, "max_file_bytes": options.max_file_bytes,
        "sarif_file": args.sarif_file, "fix_plan": fix_plan}
    if stdin:
        context["sources"] = stdin.sources
    if args.sarif_file:
        _write(args, "sarif_file", reporter("sarif")(result, context))
    report = reporter(fmt)(result, context)
    if args.output:
        _write(args, "output", report)
    else:
        emit(sys.stdout, report)
    fail_on = args.fail_on or "warning"
    if fail_on == "none" or args.write_baseline:
        return 0
    threshold = SEVERITY_RANK[fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= threshold for f in result.findings if f.suppressed is None)
    return 1 if failing else 0


def colour(stream: TextIO) -> bool:
    """Whether a report on ``stream`` is coloured: never with NO_COLOR (https://no-color.org), always with
    FORCE_COLOR (https://force-color.org), else on a terminal that is not ``dumb``; both variables count
    when set to a non-empty value, and NO_COLOR wins, as in Python's own colour support."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


class _Stdin:
    """``lexiam scan -``: one template read from stdin, scanned as a file of its own and reported under
    ``--stdin-filename`` (else ``-``).  The name decides the format (``x.tf`` is Terraform); without one, a
    text that starts with ``{`` is JSON, anything else YAML."""

    def __init__(self, args: argparse.Namespace) -> None:
        import tempfile

        from lexiam.contract import Options

        limit = getattr(args, "max_file_size", None) or Options.max_file_bytes
        data = sys.stdin.buffer.read(limit + 1)  # bounded: a larger input is one E9500, as a file would be
        name = Path(args.stdin_filename).name if args.stdin_filename else ""
        if not name:
            name = "stdin.json" if data.lstrip()[:1] == b"{" else "stdin.yaml"
        self.display = args.stdin_filename or "-"
        self.folder = tempfile.TemporaryDirectory(prefix="lexiam-stdin-")
        self.root = Path(self.folder.name)
        self.path = self.root / name
        self.name = name
        self.path.write_bytes(data)
        self.sources = {self.display: data}

    def close(self) -> None:
        self.folder.cleanup()

    def renamed(self, result: ScanResult) -> ScanResult:
        import dataclasses

        from lexiam.model import ScanResult

        def name(file: str) -> str:
            return self.display if file == self.name else file

        findings = [dataclasses.replace(f, file=name(f.file)) for f in result.findings]
        files = [dataclasses.replace(r, file=name(r.file)) for r in result.files]
        notices = [self.display + n[len(self.name):] if n.startswith(self.name + ":") else n for n in result.notices]
        return ScanResult(findings, files, result.baselined, notices=notices)


def _wants_fix_counts(args: argparse.Namespace, result: ScanResult) -> bool:
    """Whether the report tells what ``lexiam fix`` would do (SARIF fixes, the GitHub step summary)."""
    reports = {args.format or "text"} | ({"sarif"} if args.sarif_file else set())
    return bool(reports & {"sarif", "github"}) and any(f.fix is not None for f in result.findings)


def _apply_config(args: argparse.Namespace, known: dict[str, str]) -> None:
    """Fill unset scan options from the configuration file (see analyzer/config.py), as far as
    ``--config-mode`` lets it; what it refuses is a warning on stderr."""
    from lexiam import config
    from lexiam.contract import Options

    mode = "off" if args.no_config else (args.config_mode or "trusted")
    defaults = {"max_file_size": Options.max_file_bytes, "max_files": Options.max_files,
                "max_depth": Options.max_depth, "max_nodes": Options.max_nodes}
    try:
        if mode == "off":
            cfg = config.Config()
        elif args.config:
            cfg = config.load_file(Path(args.config))
        else:
            start = [args.stdin_filename] if args.paths == ["-"] and args.stdin_filename else args.paths
            cfg = config.find(_config_start(start))
        warnings = config.merge_into(args, cfg, mode, known, defaults)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None
    for warning in warnings:
        _say("warning", warning)


def _config_start(paths: Sequence[str]) -> Path:
    """Where the search for a configuration file starts: the folder of the scanned paths (a file's own
    folder), the deepest folder they share when there are several; the current folder for none or stdin."""
    folders = []
    for p in paths:
        if p == "-":
            continue
        path = Path(os.path.abspath(p))
        folders.append(str(path if path.is_dir() else path.parent))
    if not folders:
        return Path.cwd()
    return Path(os.path.commonpath(folders))


def _read_baseline(args: argparse.Namespace) -> Baseline | None:
    """The baseline whose findings the scan leaves out (--baseline; not when writing one)."""
    from lexiam.baseline import BaselineError, read_baseline

    if not args.baseline or args.write_baseline:
        return None
    try:
        return read_baseline(Path(args.baseline))
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _write_baseline(args: argparse.Namespace, result: ScanResult) -> None:
    """--write-baseline: record today's unsuppressed findings."""
    from lexiam.baseline import baseline_document

    if not args.write_baseline:
        return
    text, count = baseline_document(result.findings)
    try:
        _write(args, "write_baseline", text)
    except UsageError as exc:
        raise UsageError(f"cannot write the baseline: {exc}") from None
    _say("", f"wrote {count} finding{'' if count == 1 else 's'} to the baseline {args.write_baseline}")


def _limit(convert: Callable[[str], int]) -> Callable[[str], int]:
    """An argparse type for a positive limit."""
    def check(text: str) -> int:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
        return value
    return check


def parse_size(text: str) -> int:
    from lexiam.config import parse_size as parse

    return parse(text)


def _limits(args: argparse.Namespace) -> dict[str, int]:
    """The Options fields of the limits given (by flag or configuration file)."""
    fields = {"max_file_size": "max_file_bytes", "max_files": "max_files", "max_depth": "max_depth",
              "max_nodes": "max_nodes"}
    return {field: getattr(args, arg) for arg, field in fields.items() if getattr(args, arg, None) is not None}


def _write(args: argparse.Namespace, key: str, text: str) -> None:
    """Write a report or a baseline by the one safe path (lexiam.output.safe_write).

    A path the configuration file chose may only be written inside that file's folder; one from the
    command line anywhere the user may write.  Neither is ever written through a link or into ``.git``.
    """
    from lexiam.output import OutputError, safe_write

    base = getattr(args, "config_paths", {}).get(key)
    try:
        safe_write(Path(getattr(args, key)), text, base=base)
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def emit(stream: TextIO, text: str) -> None:
    """Write report text to a stream as UTF-8, whatever the locale says (a name that is not UTF-8 was already
    escaped by the reporter; a lone surrogate left anywhere becomes a visible escape, never a crash)."""
    data = text.encode("utf-8", "backslashreplace")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(data.decode("utf-8"))
    else:
        stream.flush()
        buffer.write(data)
    stream.flush()


def _say(kind: str, text: str) -> None:
    """A line on stderr (``lexiam: warning: ...``), sanitised: names and values from the scanned tree can
    hold terminal escapes or forged workflow commands."""
    from lexiam.sanitize import visible

    head = f"lexiam: {kind}: " if kind else "lexiam: "
    emit(sys.stderr, head + visible(text) + "\n")


PROGRESS_MIN_FILES = 50  # a scan of fewer files is over before a progress line helps


def _progress() -> Callable[[int, int], None] | None:
    """A progress line on stderr for long scans, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, total: int) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        text = f"lexiam: scanning {done}/{total} files"
        sys.stderr.write("\r" + text + ("\r" + " " * len(text) + "\r" if done == total else ""))
        sys.stderr.flush()

    return show


def cmd_rules(args: argparse.Namespace) -> int:
    from lexiam.rules.pack import all_rules

    metas = all_rules()
    if args.format == "json":
        print(json.dumps([{"id": m.id, "slug": m.slug, "severity": m.severity, "title": m.title,
                           "fix": m.fix_safety, "docs": m.docs_url} for m in metas], indent=2))
        return 0
    width = max(len(m.slug) for m in metas)
    for m in metas:
        fix = f"fix:{m.fix_safety}" if m.fix_safety else "-"
        print(f"{m.id}  {m.severity:<7}  {fix:<10}  {m.slug:<{width}}  {m.title}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from lexiam.rules.pack import all_rules

    wanted = args.rule_id.strip()
    for m in all_rules():
        if wanted.upper() == m.id or wanted.lower() == m.slug:
            print(f"{m.id} {m.slug} ({m.severity})\n{m.title}\n")
            print(f"Why: {m.rationale}\n")
            print(f"Fix: {m.fix}\n")
            if m.fix_safety:
                print(f"lexiam fix: fixes it ({m.fix_safety} fix)\n")
            print("Why this is right:")
            for ev in m.evidence:
                print(f"  - {ev.source}, {ev.section} ({ev.kind}): {ev.says}\n    {ev.url}")
            print(f"\nDocs: {m.docs_url}")
            return 0
    raise UsageError(f"unknown rule {wanted!r} (see 'lexiam rules')")
