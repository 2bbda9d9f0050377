"""Build rules/data/global_condition_keys.json: IAM's documented global condition keys.

The source is the IAM User Guide page "AWS global condition context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html). Its opening
table lists every global key in five columns (properties of the principal, of a role session, of the
network, of the resource, of the request); ``SECTIONS`` below holds that table's keys, column by column,
as the page names them. A key written ``aws:PrincipalTag/tag-key`` on the page stands for every key that
starts with ``aws:PrincipalTag/``.

Usage:
    python rules/data/build_condition_keys.py [--out FILE] [--check] [--page FILE]

``--page FILE`` reads a saved copy of the page (its markdown or HTML text) and compares its key table with
``SECTIONS``: the way to refresh the list when AWS adds a key. Exit codes: 0 ok (written, up to date, or the
page agrees); 1 --check found the output stale; 2 the page disagrees with SECTIONS or cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().with_name("global_condition_keys.json")
GENERATED_BY = "rules/data/build_condition_keys.py"

SOURCE = {
    "title": "AWS global condition context keys",
    "section": "the table of keys at the top of the page (five columns of properties)",
    "url": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    "as_of": "2026-12",
}

# The page's opening table, column by column, keys as the page spells them.
SECTIONS: dict[str, tuple[str, ...]] = {
    "Properties of the principal": (
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID",
        "aws:PrincipalTag/tag-key", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:userid", "aws:username",
    ),
    "Properties of a role session": (
        "aws:AssumedRoot", "aws:FederatedProvider", "aws:TokenIssueTime", "aws:SignInSessionArn",
        "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:ChatbotSourceArn",
        "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIdentity",
        "ec2:RoleDelivery", "ec2:SourceInstanceArn", "glue:RoleAssumedBy", "glue:CredentialIssuingService",
        "codebuild:BuildArn", "codebuild:ProjectArn", "lambda:SourceFunctionArn", "ssm:SourceInstanceArn",
        "identitystore:UserId",
    ),
    "Properties of the network": (
        "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:VpceAccount",
        "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:VpcSourceIp",
    ),
    "Properties of the resource": (
        "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/tag-key",
    ),
    "Properties of the request": (
        "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CalledViaAWSMCP", "aws:ViaAWSService",
        "aws:ViaAWSMCPService", "aws:CurrentTime", "aws:EpochTime", "aws:referer", "aws:RequestedRegion",
        "aws:RequestTag/tag-key", "aws:TagKeys", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
        "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:UserAgent", "aws:IsMcpServiceAction",
    ),
}

# How the page writes a key that takes a tag key after the slash.
TAG_PLACEHOLDER = "/tag-key"
# The keys ABAC uses (the Lex V2 feature table: "ABAC (tags in policies)": Yes): never reported.
TAG_KEYS = ("aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/", "aws:TagKeys")

_KEY = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9]+(?:/tag-key)?$")


class PageError(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def build(sections: dict[str, tuple[str, ...]] = SECTIONS) -> dict[str, Any]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    exact: list[str] = []
    prefixes: list[str] = []
    for section, keys in sections.items():
        for key in keys:
            if not _KEY.match(key):
                problems.append(f"{section}: {key!r} is not a condition key")
                continue
            folded = key.lower()
            if folded in seen:
                problems.append(f"{key} is listed twice ({seen[folded]} and {section})")
                continue
            seen[folded] = section
            if key.endswith(TAG_PLACEHOLDER):
                prefixes.append(key[: -len(TAG_PLACEHOLDER)] + "/")
            else:
                exact.append(key)
    for tag in TAG_KEYS:
        if tag not in prefixes and tag not in exact:
            problems.append(f"{tag} (an ABAC key) is not in the page's table")
    if problems:
        raise PageError(problems)
    return {
        "generated_by": GENERATED_BY,
        "source": SOURCE,
        "sections": {name: list(keys) for name, keys in sections.items()},
        "keys": sorted(exact, key=str.lower),
        "prefixes": sorted(prefixes, key=str.lower),
        "tag_keys": list(TAG_KEYS),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------- a saved page

_CELL_KEY = re.compile(r"`?([A-Za-z0-9-]+:[A-Za-z0-9]+(?:/\*?tag-key\*?)?)`?")


def keys_of_page(text: str) -> dict[str, tuple[str, ...]]:
    """The key table of a saved copy of the page: the table row whose header cells are the section names."""
    lines = text.splitlines()
    names = list(SECTIONS)
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[: len(names)] != names:
            continue
        for row in lines[i + 1:]:
            cells = [c.strip() for c in row.strip().strip("|").split("|")]
            if not cells or all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                continue
            if len(cells) < len(names):
                break
            out = {}
            for name, cell in zip(names, cells):
                found = [m.group(1).replace("*tag-key*", "tag-key") for m in _CELL_KEY.finditer(cell)]
                out[name] = tuple(found)
            return out
        break
    raise PageError(["the page has no table headed " + " | ".join(names)])


def compare(page: dict[str, tuple[str, ...]]) -> list[str]:
    problems = []
    for name, keys in SECTIONS.items():
        have, want = {k.lower() for k in keys}, {k.lower() for k in page.get(name, ())}
        problems += [f"{name}: the page lists {k}, SECTIONS does not" for k in sorted(want - have)]
        problems += [f"{name}: SECTIONS lists {k}, the page does not" for k in sorted(have - want)]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --out is stale")
    parser.add_argument("--page", type=Path, help="a saved copy of the IAM page to compare SECTIONS with")
    args = parser.parse_args(argv)
    if args.page is not None:
        try:
            problems = compare(keys_of_page(args.page.read_text(encoding="utf-8", errors="replace")))
        except (OSError, PageError) as exc:
            print(f"build_condition_keys: {args.page}: {exc}", file=sys.stderr)
            return 2
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        if problems:
            print("build_condition_keys: the page and SECTIONS differ; update SECTIONS", file=sys.stderr)
            return 2
        print("build_condition_keys: the page agrees with SECTIONS")
        return 0
    try:
        text = render(build())
    except PageError as exc:
        for p in exc.problems:
            print(f"  - {p}", file=sys.stderr)
        return 2
    current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    if args.check:
        if current != text:
            print(f"build_condition_keys: {args.out} is stale; rerun rules/data/build_condition_keys.py",
                  file=sys.stderr)
            return 1
        print(f"build_condition_keys: {args.out} is up to date")
        return 0
    if current != text:
        with args.out.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    print(f"build_condition_keys: {'unchanged' if current == text else 'wrote'} {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
