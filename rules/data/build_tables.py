"""Build rules/data/lexv2_actions.json from the seed material in ../shared/seed.

The markdown page "How Amazon Lex V2 works with IAM" is the primary source: its feature table and its
per-action resource-policy table are parsed from the .md file itself. seed/lexv2_actions.json is then used
to cross-check every doc row, to add the Service Authorization Reference (SAR) facts the doc lacks
(identity resource types, access level), to add the actions the doc table does not list, and to apply the
few corrections this module knows about (see KNOWN_* below). Any other disagreement between the two
sources stops the build with a non-zero exit and a message naming each problem.

One precedence rule decides between the two sources (PRECEDENCE, written into the output's notes): for an
action the feature table lists, the table decides whether and where it may be used in a bot or bot alias
policy, whatever the SAR says; the SAR decides only for the actions the table does not list (their basis
is "inferred_from_sar"). Where the SAR disagrees with a table row, the record keeps the SAR's view in
"sar_resource_types" and says so in its note.

Usage:
    python rules/data/build_tables.py [--seed DIR] [--out FILE] [--check]

Exit codes: 0 ok (written, or up to date with --check); 1 --check found the output stale;
2 the seed could not be read or the two sources disagree in an unexplained way.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SEED = REPO.parent / "shared" / "seed"
DEFAULT_OUT = Path(__file__).resolve().with_name("lexv2_actions.json")
GENERATED_BY = "rules/data/build_tables.py"

DOC_FILE = "how-lex-v2-works-with-iam.md"
JSON_FILE = "lexv2_actions.json"

FEATURE_TABLE_TITLE = "IAM features you can use with Amazon Lex V2"
ACTION_TABLE_HEADER = ("Action", "Supports resource-based policy", "Resource")
PERMISSION_ONLY_MARK = "[permission only]"

# Resource column of the doc table -> the resource-policy attachment point.
DOC_RESOURCE_IDS = {"BotId": "bot", "BotAliasId": "bot-alias"}
# SAR resource types that a Lex V2 resource-based policy can be attached to.
ATTACHABLE = frozenset({"bot", "bot-alias"})

# Corrections to the doc table that this builder knows about and will apply. Each one must also be backed
# by the matching machine-readable field of seed/lexv2_actions.json, otherwise the build fails.
# Doc row name -> the real IAM action it stands for.
KNOWN_MISSPELLINGS = {"ListBuiltIntSlotTypes": "ListBuiltInSlotTypes"}
# Doc rows that are not IAM actions at all.
KNOWN_NOT_ACTIONS = frozenset({"UpdateBotVersion"})
# Doc rows whose Resource column the SAR contradicts (the seed JSON records the SAR's view in
# resources_per_sar). The table wins (PRECEDENCE); the disagreement is kept in the record.
KNOWN_RESOURCE_DISAGREEMENTS = frozenset({"ListBotAliases"})

PRECEDENCE = (
    "Where the feature table of 'How Amazon Lex V2 works with IAM' and the Service Authorization Reference "
    "disagree about an action, the feature table wins: it is the page about resource-based policies, and "
    "for every action it lists it decides whether the action may appear in a bot or bot alias policy and "
    "on which of the two. The Service Authorization Reference decides only for actions the table does not "
    "list (basis inferred_from_sar), and always for identity policies (identity_resource_types)."
)

MISSPELLING_NOTE = (
    "The doc table spells this row '{doc}'; the IAM action is '{real}'. "
    "The doc row's resource-policy value ({policy}) is kept under the real name."
)
DISAGREEMENT_NOTE = (
    "The feature table gives {doc} as the resource; the SAR defines this action on {sar} "
    "(sar_resource_types). The feature table wins."
)
NOT_USABLE_NOTE = (
    "The feature table marks this action as not usable in a resource-based policy; the SAR defines it on "
    "{sar} (sar_resource_types). The feature table wins."
)

BASES_V2 = frozenset({"doc_table", "doc_table_misspelled_row", "inferred_from_sar"})
BASIS_V1 = "lex_v1_only_action"


class SeedError(Exception):
    """The seed cannot be parsed, or the doc table and the JSON disagree without a known explanation."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# --------------------------------------------------------------------------------------------- markdown

_MD_ESCAPE = re.compile(r"\\(.)")
_MD_LINK = re.compile(r"^\[(?P<text>.*)\]\((?P<target>[^)]*)\)$")
_ANCHOR = re.compile(r'<a name="(?P<name>[^"]+)"></a>')


def _unescape(text: str) -> str:
    return _MD_ESCAPE.sub(r"\1", text).strip()


def _cells(line: str) -> list[str] | None:
    """The raw cells of a markdown table row, or None when the line is not a table row."""
    stripped = line.strip()
    if not stripped.startswith("|"):
        return None
    body = stripped[1:]
    body = body.removesuffix("|")
    # No cell of these tables contains an escaped pipe, so a plain split is exact.
    return [cell.strip() for cell in body.split("|")]


def _is_separator(cells: Sequence[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells)


def _table_after(lines: Sequence[str], start: int) -> tuple[int, list[list[str]]]:
    """The first table at or after line index ``start``: (index of its header, header + body rows)."""
    i = start
    while i < len(lines) and _cells(lines[i]) is None:
        i += 1
    rows: list[list[str]] = []
    header_at = i
    while i < len(lines):
        cells = _cells(lines[i])
        if cells is None:
            break
        if not _is_separator(cells):
            rows.append(cells)
        i += 1
    return header_at, rows


def parse_feature_table(lines: Sequence[str]) -> list[tuple[str, str, str]]:
    """(feature, support, anchor) for every row of the feature table, in doc order."""
    title_at = next((i for i, line in enumerate(lines) if FEATURE_TABLE_TITLE in line), None)
    if title_at is None:
        raise SeedError([f"{DOC_FILE}: no table titled {FEATURE_TABLE_TITLE!r}"])
    _, rows = _table_after(lines, title_at + 1)
    if len(rows) < 2:
        raise SeedError([f"{DOC_FILE}: the feature table has no rows"])
    header, body = rows[0], rows[1:]
    if [_unescape(c) for c in header] != ["IAM feature", "Amazon Lex V2 support"]:
        raise SeedError([f"{DOC_FILE}: unexpected feature table header {header!r}"])
    out: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for cells in body:
        if len(cells) != 2:
            problems.append(f"{DOC_FILE}: feature row with {len(cells)} cells: {cells!r}")
            continue
        link = _MD_LINK.match(cells[0])
        feature = _unescape(link.group("text") if link else cells[0])
        anchor = link.group("target").lstrip("#") if link else ""
        support = _unescape(cells[1])
        if support not in {"Yes", "No", "Partial"}:
            problems.append(f"{DOC_FILE}: feature {feature!r} has support {support!r}, not Yes/No/Partial")
        out.append((feature, support, anchor))
    if problems:
        raise SeedError(problems)
    return out


def check_feature_sections(lines: Sequence[str], features: Iterable[tuple[str, str, str]]) -> list[str]:
    """Each feature row links to a section that repeats the answer in a "Supports ..." box; compare them."""
    anchors = {m.group("name"): i for i, line in enumerate(lines) for m in [_ANCHOR.search(line)] if m}
    problems: list[str] = []
    for feature, support, anchor in features:
        if anchor not in anchors:
            problems.append(f"{DOC_FILE}: feature {feature!r} links to #{anchor}, which is not in the page")
            continue
        _, rows = _table_after(lines, anchors[anchor] + 1)
        boxed = [r for r in rows if len(r) == 2 and _unescape(r[0]).startswith("Supports ")]
        if not boxed:
            problems.append(f"{DOC_FILE}: section #{anchor} has no 'Supports ...' box")
        elif _unescape(boxed[0][1]) != support:
            problems.append(
                f"{DOC_FILE}: feature {feature!r} is {support!r} in the feature table "
                f"but {_unescape(boxed[0][1])!r} in its section"
            )
    return problems


def parse_action_table(lines: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Doc action name -> {"resource_policy": yes|no|permission-only, "resources": [...], "row": n}."""
    header_at = None
    for i, line in enumerate(lines):
        cells = _cells(line)
        if cells is not None and tuple(_unescape(c) for c in cells) == ACTION_TABLE_HEADER:
            header_at = i
            break
    if header_at is None:
        raise SeedError([f"{DOC_FILE}: no table with header {' | '.join(ACTION_TABLE_HEADER)!r}"])
    _, rows = _table_after(lines, header_at)
    out: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for n, cells in enumerate(rows[1:], start=1):
        where = f"{DOC_FILE}: action table row {n}"
        if len(cells) != 3:
            problems.append(f"{where}: {len(cells)} cells: {cells!r}")
            continue
        name_cell, support, resource_cell = (_unescape(c) for c in cells)
        permission_only = PERMISSION_ONLY_MARK in name_cell
        name = name_cell.replace(PERMISSION_ONLY_MARK, "").strip()
        if not re.fullmatch(r"[A-Z][A-Za-z]+", name):
            problems.append(f"{where}: {name_cell!r} is not an action name")
            continue
        if name in out:
            problems.append(f"{where}: {name} is listed twice")
            continue
        resources: list[str] = []
        for token in filter(None, (t.strip() for t in resource_cell.split(","))):
            if token not in DOC_RESOURCE_IDS:
                problems.append(f"{where}: {name} has unknown resource {token!r}")
                continue
            resources.append(DOC_RESOURCE_IDS[token])
        if support == "Supported":
            policy = "permission-only" if permission_only else "yes"
            if not resources:
                problems.append(f"{where}: {name} is Supported but names no resource")
        elif support == "No":
            policy = "no"
            if resources or permission_only:
                problems.append(f"{where}: {name} is No but has a resource or a permission-only mark")
        else:
            problems.append(f"{where}: {name} has support {support!r}, not Supported/No")
            continue
        out[name] = {"resource_policy": policy, "resources": sorted(set(resources)), "row": n}
    if problems:
        raise SeedError(problems)
    return out


# ------------------------------------------------------------------------------------------------- JSON


def _json_policy(value: object) -> str | None:
    """The seed JSON's resource_policy_supported (true / false / 'permission-only') in this file's terms."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == "permission-only":
        return "permission-only"
    return None


def _sar_attachable(sar_types: Iterable[str]) -> list[str]:
    return sorted({t.rstrip("*") for t in sar_types} & ATTACHABLE)


def load_json_actions(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    try:
        seed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError([f"{path}: {exc}"]) from exc
    if not isinstance(seed, dict) or not isinstance(seed.get("actions"), list):
        raise SeedError([f"{path}: expected an object with an 'actions' list"])
    entries: dict[str, dict[str, Any]] = {}
    seen_lower: dict[str, str] = {}
    problems: list[str] = []
    for entry in seed["actions"]:
        name = entry.get("action") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            problems.append(f"{JSON_FILE}: entry without an action name: {entry!r:.80}")
            continue
        if name.lower() in seen_lower:
            problems.append(f"{JSON_FILE}: {name} is listed twice (also as {seen_lower[name.lower()]})")
            continue
        seen_lower[name.lower()] = name
        entries[name] = entry
    if problems:
        raise SeedError(problems)
    return seed.get("_meta", {}), entries


# ------------------------------------------------------------------------------------------------ build


def _v2_record(name: str, entry: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    """The SAR half of an output record (identity resource types, access level) from a JSON entry."""
    sar_types = entry.get("sar_resource_types")
    access = entry.get("sar_access_level")
    if not isinstance(sar_types, list) or not all(isinstance(t, str) for t in sar_types):
        problems.append(f"{JSON_FILE}: {name} has no SAR resource types")
        return None
    if not isinstance(access, str) or not access:
        problems.append(f"{JSON_FILE}: {name} has no SAR access level")
        return None
    return {"identity_resource_types": list(sar_types), "access_level": access}


def build(seed_dir: Path) -> dict[str, Any]:
    """The full output document. Raises SeedError listing every unexplained disagreement."""
    if not seed_dir.is_dir():
        raise SeedError([f"seed directory {seed_dir} not found (pass --seed DIR)"])
    md_path = seed_dir / DOC_FILE
    try:
        lines = md_path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SeedError([f"{md_path}: {exc}"]) from exc
    features = parse_feature_table(lines)
    doc = parse_action_table(lines)
    meta, js = load_json_actions(seed_dir / JSON_FILE)

    problems = check_feature_sections(lines, features)
    actions: dict[str, dict[str, Any]] = {}
    invalid_names: dict[str, str | None] = {}

    # 1. Every doc row, checked against the JSON, with the known corrections applied.
    for name, row in doc.items():
        entry = js.get(name)
        if entry is None:
            problems.append(f"{name}: in the doc table but not in {JSON_FILE}")
            continue
        json_policy = _json_policy(entry.get("resource_policy_supported"))
        json_resources = sorted(entry.get("resources") or [])
        if entry.get("basis") != "doc_table":
            problems.append(f"{name}: a doc table row, but {JSON_FILE} gives basis {entry.get('basis')!r}")
            continue
        if (json_policy, json_resources) != (row["resource_policy"], row["resources"]):
            problems.append(
                f"{name}: doc table says {row['resource_policy']} {row['resources']}, "
                f"{JSON_FILE} says {json_policy} {json_resources}"
            )
            continue

        if name in KNOWN_MISSPELLINGS:
            real = KNOWN_MISSPELLINGS[name]
            if entry.get("valid_action") is not False or entry.get("canonical_action") != real:
                problems.append(f"{name}: known misspelling of {real}, but {JSON_FILE} does not say so")
                continue
            if real in doc:
                problems.append(f"{name}: misspelling of {real}, but the doc table also lists {real}")
                continue
            target = js.get(real)
            if target is None or target.get("basis") != "doc_table_misspelled_row":
                problems.append(f"{name}: {JSON_FILE} has no doc_table_misspelled_row entry for {real}")
                continue
            target_policy = _json_policy(target.get("resource_policy_supported"))
            target_resources = sorted(target.get("resources") or [])
            if (target_policy, target_resources) != (row["resource_policy"], row["resources"]):
                problems.append(
                    f"{real}: the doc row {name} says {row['resource_policy']} {row['resources']}, "
                    f"{JSON_FILE} says {target_policy} {target_resources}"
                )
                continue
            sar = _v2_record(real, target, problems)
            if sar is None:
                continue
            invalid_names[name] = real
            actions[real] = {
                "resource_policy": row["resource_policy"],
                "resource_types": row["resources"],
                **sar,
                "basis": "doc_table_corrected",
                "note": MISSPELLING_NOTE.format(doc=name, real=real, policy=row["resource_policy"]),
            }
            continue

        if name in KNOWN_NOT_ACTIONS:
            if entry.get("valid_action") is not False or entry.get("exists_in_sar") is not False:
                problems.append(f"{name}: known non-action, but {JSON_FILE} does not mark it invalid")
                continue
            invalid_names[name] = None
            continue

        if entry.get("valid_action") is not True:
            problems.append(
                f"{name}: {JSON_FILE} marks this doc row invalid and no known correction explains it"
            )
            continue
        if "canonical_action" in entry or "exists_in_sar" in entry:
            problems.append(f"{name}: {JSON_FILE} carries a correction field that this builder does not know")
            continue
        sar = _v2_record(name, entry, problems)
        if sar is None:
            continue
        if bool(entry.get("sar_permission_only")) != (row["resource_policy"] == "permission-only"):
            problems.append(
                f"{name}: the doc's [permission only] mark and the SAR's permission-only flag disagree"
            )
            continue

        record: dict[str, Any] = {
            "resource_policy": row["resource_policy"],
            "resource_types": row["resources"],
            **sar,
            "basis": "doc_table",
        }
        per_sar = entry.get("resources_per_sar")
        if name in KNOWN_RESOURCE_DISAGREEMENTS:
            if not isinstance(per_sar, list) or sorted(per_sar) == row["resources"]:
                problems.append(
                    f"{name}: known disagreement with the SAR, but {JSON_FILE} gives no differing "
                    "resources_per_sar"
                )
                continue
            if sorted(per_sar) != _sar_attachable(sar["identity_resource_types"]):
                problems.append(f"{name}: resources_per_sar {per_sar} does not follow the SAR resource types")
                continue
            record["sar_resource_types"] = sorted(per_sar)
            record["note"] = DISAGREEMENT_NOTE.format(
                doc=" and ".join(row["resources"]), sar=" and ".join(sorted(per_sar))
            )
        elif per_sar is not None:
            problems.append(
                f"{name}: {JSON_FILE} has resources_per_sar {per_sar}, which no known correction covers"
            )
            continue
        else:
            attach = _sar_attachable(sar["identity_resource_types"])
            if attach != row["resources"]:
                # e.g. TagResource: "No" in the table, though the SAR authorizes it on bots and aliases
                record["sar_resource_types"] = attach
                template = DISAGREEMENT_NOTE if row["resources"] else NOT_USABLE_NOTE
                record["note"] = template.format(doc=" and ".join(row["resources"]), sar=" and ".join(attach))
        actions[name] = record

    for name in sorted(KNOWN_MISSPELLINGS.keys() | KNOWN_NOT_ACTIONS | KNOWN_RESOURCE_DISAGREEMENTS):
        if name not in doc:
            problems.append(f"{name}: a known correction, but the doc table no longer has this row")

    # 2. Actions the doc table does not list: from the JSON, which infers them from the SAR.
    v1_actions: list[str] = []
    for name, entry in js.items():
        basis = entry.get("basis")
        if name in doc:
            continue
        if basis == "doc_table_misspelled_row":
            if name not in KNOWN_MISSPELLINGS.values():
                problems.append(
                    f"{name}: {JSON_FILE} says its doc row is misspelled, but no known correction maps to it"
                )
            continue
        if basis == "doc_table":
            problems.append(f"{name}: {JSON_FILE} says doc_table, but the doc table has no such row")
        elif basis == BASIS_V1:
            if entry.get("valid_in_lexv2") is not False or entry.get("lex_version") != "v1":
                problems.append(f"{name}: a V1-only action in {JSON_FILE} that is not marked V1")
            else:
                v1_actions.append(name)
        elif basis == "inferred_from_sar":
            if entry.get("valid_action") is not True:
                problems.append(f"{name}: inferred from the SAR but marked invalid")
                continue
            sar = _v2_record(name, entry, problems)
            if sar is None:
                continue
            policy = _json_policy(entry.get("resource_policy_supported"))
            resources = sorted(entry.get("resources") or [])
            attach = _sar_attachable(sar["identity_resource_types"])
            expected = (
                "no" if not attach else ("permission-only" if entry.get("sar_permission_only") else "yes")
            )
            if (policy, resources) != (expected, attach):
                problems.append(
                    f"{name}: {JSON_FILE} infers {policy} {resources} but its SAR types "
                    f"{sar['identity_resource_types']} give {expected} {attach}"
                )
                continue
            actions[name] = {
                "resource_policy": policy,
                "resource_types": resources,
                **sar,
                "basis": "inferred_from_sar",
            }
        else:
            problems.append(f"{name}: unknown basis {basis!r} in {JSON_FILE}")

    # 3. Whole-table checks.
    v2_lower = {n.lower() for n in actions}
    for name in v1_actions:
        if name.lower() in v2_lower:
            problems.append(f"{name}: listed both as a V1-only action and as a V2 action")
    expected_v2 = meta.get("sar_action_count_v2")
    if isinstance(expected_v2, int) and expected_v2 != len(actions):
        problems.append(f"{JSON_FILE} announces {expected_v2} V2 actions, the build has {len(actions)}")
    expected_rows = meta.get("doc_table_rows")
    if isinstance(expected_rows, int) and expected_rows != len(doc):
        problems.append(f"{JSON_FILE} announces {expected_rows} doc table rows, {DOC_FILE} has {len(doc)}")
    if problems:
        raise SeedError(problems)

    return {
        "generated_by": GENERATED_BY,
        "notes": {"precedence": PRECEDENCE},
        "sources": [DOC_FILE, JSON_FILE],
        "feature_table": [{"feature": f, "support": s} for f, s, _ in features],
        "actions": actions,
        "v1_actions": sorted(v1_actions),
        "invalid_names": invalid_names,
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -------------------------------------------------------------------------------------------------- CLI


def diff_summary(old_text: str, new_text: str, limit: int = 40) -> list[str]:
    """A short, readable account of how the checked-in file differs from a fresh build."""
    try:
        old = json.loads(old_text)
    except ValueError as exc:
        return [f"the checked-in file is not valid JSON ({exc})"]
    new = json.loads(new_text)
    if not isinstance(old, dict):
        return ["the checked-in file is not a JSON object"]
    out: list[str] = []
    old_actions, new_actions = old.get("actions") or {}, new.get("actions") or {}
    for name in sorted(new_actions.keys() - old_actions.keys()):
        out.append(f"+ action {name}")
    for name in sorted(old_actions.keys() - new_actions.keys()):
        out.append(f"- action {name}")
    for name in sorted(old_actions.keys() & new_actions.keys()):
        before, after = old_actions[name], new_actions[name]
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                out.append(f"~ action {name}.{key}: {before.get(key)!r} -> {after.get(key)!r}")
    for key in sorted((set(old) | set(new)) - {"actions"}):
        if old.get(key) != new.get(key):
            out.append(f"~ {key} differs")
    if not out:
        out.append("same content, different formatting (not the builder's canonical JSON layout)")
    if len(out) > limit:
        out = out[:limit] + [f"... and {len(out) - limit} more"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seed", type=Path, default=DEFAULT_SEED, help="seed directory (default: %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --out is stale")
    args = parser.parse_args(argv)

    try:
        text = render(build(args.seed))
    except SeedError as exc:
        print(f"build_tables: the seed in {args.seed} cannot be built:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2

    if args.check:
        try:
            current = args.out.read_text(encoding="utf-8")
        except OSError as exc:
            print(
                f"build_tables: {args.out} is missing or unreadable ({exc}); run build_tables.py",
                file=sys.stderr,
            )
            return 1
        if current != text:
            print(
                f"build_tables: {args.out} is stale; rerun rules/data/build_tables.py. Differences:",
                file=sys.stderr,
            )
            for line in diff_summary(current, text):
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"build_tables: {args.out} is up to date")
        return 0

    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        unchanged = args.out.read_text(encoding="utf-8") == text
    except OSError:
        unchanged = False
    if not unchanged:
        # newline="\n" keeps the file byte-identical on every platform.
        with args.out.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    print(f"build_tables: {'unchanged' if unchanged else 'wrote'} {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
