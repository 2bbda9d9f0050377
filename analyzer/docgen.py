"""Generate the rule documentation from the rule metadata: ``python -m lexiam.docgen [--check]``.

Writes ``docs/rules/<ID>.md`` (one page per rule, with the bad and good sample templates), the index
``docs/rules/README.md`` and ``docs/feature-table.md`` (every row of the Lex V2 feature table and what
the pack checks for it).  ``--check`` writes nothing and exits 1 when a page is missing or stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lexiam.rules.data import tables
from lexiam.rules.pack import RENAMED, all_rules
from lexiam.rules.registry import RuleMeta


def _repository() -> Path:
    """The checkout the docs belong to: the package's own folder's parent in a checkout (an editable
    install), else the current folder when it is one (the package installed from it, as CI does)."""
    for candidate in (Path(__file__).resolve().parents[1], Path.cwd()):
        if (candidate / "sample_templates").is_dir() and (candidate / "docs").is_dir():
            return candidate
    return Path(__file__).resolve().parents[1]


REPO = _repository()

# What the pack does for rows of the feature table, beyond the rules that cite the row.
_ROW_NOTES = {
    "Identity-based policies": "Every identity policy is read: role inline policies, managed and standalone "
                               "policies, user and group policies, SAM Policies entries.",
    "Resource-based policies": "Bot and bot alias policies: actions, principals, conditions, resources and "
                               "structure.",
    "Policy actions": "Action names are checked against the Lex V2 action table; where the feature table and the "
                      "Service Authorization Reference disagree, the feature table wins.",
    "Policy resources": "Bot and bot alias ARNs must name a Lex V2 resource with its IDs, in the stack's "
                        "account and region.",
    "Policy condition keys": "Lex V2 defines no service condition keys; the lex: keys belong to Lex V1, and only "
                             "IAM's documented global keys can be in a Lex V2 request.",
    "ACLs": "Lex V2 resources take no access control list, so there is nothing to check: no template "
            "property of a Lex resource holds an ACL.",
    "ABAC (tags in policies)": "aws:ResourceTag/*, aws:RequestTag/*, aws:PrincipalTag/* and aws:TagKeys are never "
                               "flagged.",
    "Temporary credentials": "The table's \"No\" concerns signing in to the Lex console with temporary "
                             "credentials, which no template expresses. What a template can get wrong is naming a "
                             "temporary-credential session as a principal of a bot or bot alias policy: W9513 "
                             "reports STS assumed-role and federated-user session ARNs there (they match one session "
                             "only) and asks for the role or user instead.",
    "Principal permissions": "A Lex action is checked against the resource type it acts on.",
    "Service roles": "The bot's role: its trust, its account, what it is granted and what its features need.",
    "Service-linked roles": "Partial: Lex V2 creates its own service-linked roles; templates may declare them "
                            "with AWS::IAM::ServiceLinkedRole / aws_iam_service_linked_role but never build or "
                            "modify them by hand.",
}


def evidence_lines(meta: RuleMeta) -> list[str]:
    """The "Why this is right" section of a rule: its sources, how directly each one says it."""
    lines = ["## Why this is right", ""]
    for ev in meta.evidence:
        how = "direct: the page says it" if ev.kind == "direct" else "inferred: it follows from what the page says"
        lines.append(f"- [{ev.source}]({ev.url}), {ev.section} ({how}). {ev.says}".rstrip())
    if any(ev.kind != "direct" for ev in meta.evidence) and all(ev.kind != "direct" for ev in meta.evidence):
        lines += ["", "No AWS page states this claim in so many words; it is inferred from the pages above."]
    old = sorted(o for o, new in RENAMED.items() if meta.id in new)
    if old:
        lines += ["", f"Before the first release this was reported as {', '.join(old)}; suppressions and baselines "
                  "that name the old ID still match, with a notice."]
    return lines + [""]


def _sar_decided(meta: RuleMeta) -> list[str]:
    """For E9501/E9502: the actions the feature table does not list, decided by the SAR's resource types."""
    if meta.id not in ("E9501", "E9502"):
        return []
    t = tables()
    infos = [t.action(n) for n in t.all_names]
    decided = [i for i in infos if i is not None and i.decided_by_sar]
    disagree = [i for i in infos if i is not None and i.sar_resource_types is not None]
    lines = ["## Actions decided by the Service Authorization Reference", "", t.precedence, "",
             "The feature table does not list these actions, so the Service Authorization Reference's resource "
             "types decide where they may be used:", "",
             "| action | usable in a resource-based policy | on |", "|---|---|---|"]
    for i in decided:
        on = ", ".join(sorted(i.resource_types)) or "-"
        lines.append(f"| {i.name} | {i.resource_policy} | {on} |")
    lines += ["", "Where the two disagree, the feature table wins (an action the two place on different resource "
              "types is accepted on either: AWS's own example bot policy grants ListBotAliases):", "",
              "| action | feature table | Service Authorization Reference |", "|---|---|---|"]
    for i in disagree:
        table = ", ".join(sorted(i.resource_types)) or "not usable"
        lines.append(f"| {i.name} | {table} | {', '.join(sorted(i.sar_resource_types or ()))} |")
    return lines + [""]


def _samples(rule_id: str) -> list[tuple[str, Path]]:
    out = []
    for fmt, pattern in (("CloudFormation", "cloudformation"), ("Terraform", "terraform")):
        base = REPO / "sample_templates" / pattern
        for folder in sorted(base.glob(f"{rule_id}-*")) if base.is_dir() else []:
            for name in ("bad", "good"):
                for f in sorted(folder.glob(f"{name}*")):
                    if f.is_file():
                        out.append((f"{fmt}, {name}", f))
                    elif f.is_dir():
                        out.extend((f"{fmt}, {name}", tf) for tf in sorted(f.glob("*.tf")))
    return out


def _lang(path: Path) -> str:
    return {".tf": "hcl", ".json": "json"}.get(path.suffix, "yaml")


def rule_page(meta: RuleMeta) -> str:
    lines = [
        f"# {meta.id} {meta.slug}",
        "",
        f"**{meta.title}**",
        "",
        "| | |",
        "|---|---|",
        f"| ID | `{meta.id}` |",
        f"| Slug | `{meta.slug}` |",
        f"| Severity | {meta.severity} |",
        f"| Family | {meta.family} |",
    ]
    if meta.tags:
        lines.append(f"| Tags | {', '.join(meta.tags)} |")
    if meta.security_severity is not None:
        lines.append(f"| Security severity | {meta.security_severity} |")
    if meta.feature_rows:
        lines.append(f"| Feature-table rows | {', '.join(meta.feature_rows)} |")
    if meta.fix_safety:
        lines.append(f"| Fix | `lexiam fix` fixes it ({meta.fix_safety}: see [lexiam fix](../usage/fix.md)) |")
    lines += ["", "## Why", "", meta.rationale, ""]
    lines += evidence_lines(meta)
    lines += _sar_decided(meta)
    lines += ["## How to fix", "", meta.fix, ""]
    lines += ["## Suppressing", "",
              f"CloudFormation: `Metadata: {{lexiam: {{ignore: [{{id: {meta.id}, reason: ...}}]}}}}` on the resource "
              f"(or the template); Terraform: a `# lexiam:ignore {meta.id} <reason>` comment on the line above the "
              f"finding; CLI: `--ignore {meta.id}`.", ""]
    samples = _samples(meta.id)
    if samples:
        lines += ["## Examples", ""]
        for label, path in samples:
            rel = path.relative_to(REPO).as_posix()
            lines += [f"{label}: `{rel}`", "", f"```{_lang(path)}", path.read_text(encoding="utf-8").rstrip(), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def index_page(metas: list[RuleMeta]) -> str:
    lines = ["# Rules", "", "Generated from the rule metadata by `python -m lexiam.docgen`.", "",
             "| ID | slug | severity | title |", "|---|---|---|---|"]
    lines += [f"| [{m.id}]({m.id}.md) | `{m.slug}` | {m.severity} | {m.title} |" for m in metas]
    return "\n".join(lines) + "\n"


def feature_page(metas: list[RuleMeta]) -> str:
    lines = ["# The Lex V2 feature table, row by row", "",
             "Every row of the feature table of \"How Amazon Lex V2 works with IAM\", with what lexiam checks for it.",
             "Generated from the rule metadata by `python -m lexiam.docgen`.", "",
             "| IAM feature | Lex V2 support | rules | notes |", "|---|---|---|---|"]
    for row, support in tables().feature_table:
        ids = [f"[{m.id}](rules/{m.id}.md)" for m in metas if row in m.feature_rows]
        lines.append(f"| {row} | {support} | {', '.join(ids) or 'none'} | {_ROW_NOTES.get(row, '')} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[Path, str]:
    metas = sorted(all_rules(), key=lambda m: (m.id[1:], m.id))
    out = {REPO / "docs" / "rules" / f"{m.id}.md": rule_page(m) for m in metas}
    out[REPO / "docs" / "rules" / "README.md"] = index_page(metas)
    out[REPO / "docs" / "feature-table.md"] = feature_page(metas)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when the docs are stale")
    args = parser.parse_args(argv)
    stale = []
    wanted = pages()
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    extra = [p for p in (REPO / "docs" / "rules").glob("*.md") if p not in wanted]
    for p in extra:
        stale.append(p)
        if not args.check:
            p.unlink()
    if args.check and stale:
        for p in stale:
            print(f"stale: {p.relative_to(REPO)}", file=sys.stderr)
        print("run: python -m lexiam.docgen", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
