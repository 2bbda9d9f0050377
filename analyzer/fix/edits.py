"""From a rule's value-level fix to a byte-exact edit of the file, in the file's own style.

:class:`FileFixer` reads one file (YAML or JSON CloudFormation, Terraform HCL), finds the value a
finding points at (in the file, or inside a JSON policy written in a string of it), checks that the
value is written there, inside the finding's resource, exactly as the rule read it, and turns the fix
into edits:

* replace: the string's text, in its style (plain, quoted, ``!Sub``, HCL, JSON inside any of them);
* remove: the item leaves its list, the list stays valid and in its layout (a YAML block item is its
  line; in a flow list, JSON array or HCL tuple the item goes with its comma), never leaving it empty;
* reference: the value becomes a reference to a resource's ARN (``!GetAtt Alias.Arn``,
  ``{"Fn::GetAtt": ["Alias", "Arn"]}``, ``awscc_lex_bot_alias.x.arn``).

Nothing else of the file changes.  After the edits, :meth:`FileFixer.verify` parses the new text with
the same parser and checks that each edited value now reads as intended.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lexiam.fix.hcl import BLOCK, hcl_tree
from lexiam.fix.layer import Layer, double_quoted, hcl_layer, yaml_layer
from lexiam.fix.text import Edit, FixError, Source, apply_edits
from lexiam.fix.tree import MAP, SEQ, STR, Node, find_span, innermost_str, yaml_tree
from lexiam.model import FIX_REFERENCE, FIX_REMOVE, FIX_REPLACE, Finding, Fix

YAML_SUFFIXES = (".yaml", ".yml", ".template", ".cfn")
PLAN_HINT = re.compile(r'"(?:planned_values|resource_changes|terraform_version)"\s*:')


def syntax_of(rel: str, text: str) -> str:
    """The syntax of a file lexiam edits: "yaml", "json" or "hcl"; FixError for any other file."""
    low = rel.lower()
    if low.endswith(".tf"):
        return "hcl"
    if low.endswith(".json"):
        if low.endswith(".tf.json"):
            raise FixError("Terraform JSON files are not edited yet")
        if PLAN_HINT.search(text[:100_000]):
            raise FixError("a Terraform plan is generated: fix the configuration it was made from")
        return "json"
    if low.endswith(YAML_SUFFIXES):
        return "yaml"
    raise FixError("lexiam does not edit this kind of file")


@dataclass
class Target:
    """Where a finding's value is written: a node of the file, or of JSON text inside a string of it."""

    node: Node
    layer: Layer | None = None  # the string holding the JSON text (None: the node is the file's own)
    outer: Node | None = None  # that string's node in the file
    sub: bool = False  # the value (or the string holding it) is a CloudFormation Fn::Sub template


@dataclass
class Change:
    """The edits that fix some findings of one file, and what the file must say once they are made."""

    findings: list[Finding]
    edits: list[Edit]
    # what the file must say once every edit is made: (offset of a node before the edits, what, value):
    # "value" a string's new text, "expr" the new text written there, "items" the offsets of a list's
    # items that stay, "str" the text inside a string: (its text before, [(start, end, new text)] in it)
    expect: list[tuple[int, str, object]] = field(default_factory=list)


class FileFixer:
    """The fixes of one file.  ``module`` holds the texts of the Terraform files of the file's folder (by
    report name, the file itself included): a value written in a data source or a local that only the
    finding's resource uses is that resource's own."""

    def __init__(self, rel: str, text: str, module: dict[str, str] | None = None) -> None:
        self.rel = rel
        self.module = module or {}
        self.syntax = syntax_of(rel, text)
        self.src = Source(text)
        if text.startswith("\ufeff"):
            raise FixError("the file starts with a byte order mark")
        self.root = hcl_tree(self.src, rel) if self.syntax == "hcl" else yaml_tree(text)
        self._layers: dict[int, tuple[Layer, Node]] = {}

    # -- finding the value ------------------------------------------------------------------------------
    def target(self, f: Finding, fix: Fix) -> Target:
        src = self.src
        start = src.offset(f.line, f.column)
        end = src.offset(f.end_line, f.end_column)
        if end <= start:
            raise FixError("the finding has no span to edit")
        self._scope(f, fix, start, end)
        exact = find_span(self.root, start, end)
        if exact:
            node = exact[0]
            return Target(node, sub=self._is_sub(node))
        outer = innermost_str(self.root, start, end)
        if outer is None:
            raise FixError("no value of the file is written at the finding's position")
        layer, inner = self._inner(outer)
        lo = _index(layer.starts, start)
        hi = _index(layer.ends, end)
        nodes = find_span(inner, lo, hi + 1) if lo is not None and hi is not None else []
        if not nodes:  # a position shifted by a ${...} earlier on its line: the one such string on that line
            line = f.line
            nodes = [n for n in inner.walk() if n.kind == STR and n.value == fix.old and n.start < len(layer.starts)
                     and layer.starts[n.start] >= 0 and src.position(layer.starts[n.start])[0] == line]
            if len(nodes) != 1:
                raise FixError("the value's position inside the policy text could not be found")
        return Target(nodes[0], layer, outer, self._is_sub(outer))

    def _inner(self, outer: Node) -> tuple[Layer, Node]:
        key = outer.start
        if key not in self._layers:
            sub = self._is_sub(outer)
            layer = hcl_layer(self.src, outer) if self.syntax == "hcl" else yaml_layer(self.src, outer, sub)
            self._layers[key] = (layer, yaml_tree(layer.text))
        return self._layers[key]

    def _is_sub(self, node: Node) -> bool:
        if self.syntax == "hcl":
            return False
        if node.tag == "!Sub":
            return True
        p = node.parent
        if p is not None and p.kind == MAP and p.keys == ["Fn::Sub"]:
            return True
        if p is not None and p.kind == SEQ and p.items and p.items[0] is node:
            return p.tag == "!Sub" or (p.parent is not None and p.parent.kind == MAP and p.parent.keys == ["Fn::Sub"])
        return False

    def _scope(self, f: Finding, fix: Fix, start: int, end: int) -> None:
        """FixError unless the value is written inside the finding's resource (or, for a fix that is right
        wherever the text stands, in a data source, a local or a policy file of the configuration)."""
        if self.syntax == "hcl":
            return self._hcl_scope(f, fix, start, end)
        root = self.root
        resources = _get(root, "Resources")
        if resources is None or resources.kind != MAP:
            if fix.anywhere:
                return None  # a policy document in a file of its own (read with file())
            raise FixError("the value is written in a file other resources may read too")
        logical = f.resource.split(".", 1)[0]
        res = _get(resources, logical)
        if res is None:
            raise FixError(f"resource {logical} is not in this file")
        if not res.start <= start < end <= res.end:
            where = _cfn_section(root, start)
            raise FixError(f"the value is written outside {logical}{where}: fix it where it is defined")
        for n in [*_ancestors_or_self(self._node_at(start, end))]:
            if n.anchor:
                raise FixError("the value is shared through a YAML anchor")
        return None

    def _node_at(self, start: int, end: int) -> Node:
        node = self.root
        while True:
            inside = next((c for c in node.items if c.start <= start and end <= c.end), None)
            if inside is None:
                return node
            node = inside

    def _hcl_scope(self, f: Finding, fix: Fix, start: int, end: int) -> None:
        block = next((b for b in self.root.items if b.kind == BLOCK and b.start <= start and end <= b.end), None)
        address = re.sub(r"^(?:module\.[^.]+\.)+", "", f.resource)
        address = re.sub(r"\[[^\]]*\]", "", address)
        want = ("data " + " ".join(address.split(".")[1:3])) if address.startswith("data.") else \
            "resource " + " ".join(address.split(".")[:2])
        if block is not None and block.tag == want:
            return None
        kind, _, labels = (block.tag if block is not None else "").partition(" ")
        name = labels.replace(" ", ".")
        if fix.anywhere and kind in ("data", "locals"):
            return None
        if block is not None and kind in ("data", "locals") and self._only_user(block, start, want):
            return None
        why = {
            "variable": f"is the default of variable {name}: fix it where the module is called or in a .tfvars file",
            "module": f"is an input of module {name}: fix it in that module's caller",
            "locals": "is a local value, which other resources may use",
            "data": f"is in data source {name}, which other resources may use",
            "output": f"is in output {name}",
            "resource": f"is in another resource, {name}",
        }.get(kind, "comes from a variable file" if self.rel.endswith((".tfvars", ".tfvars.json"))
              else "is outside the finding's resource")
        raise FixError(f"the value {why}")

    def _only_user(self, block: Node, start: int, want: str) -> bool:
        """Whether the data source or local holding the value is used once in the module's files, inside the
        finding's resource (the value is then that resource's own)."""
        kind, _, labels = (block.tag or "").partition(" ")
        if kind == "data":
            ref = "data." + labels.replace(" ", ".")
        else:
            key = next((k for k, v in zip(block.keys, block.items) if k and v.start <= start < v.end), None)
            if key is None:
                return False
            ref = f"local.{key}"
        pattern = re.compile(rf"(?<![\w.-]){re.escape(ref)}(?![\w-])")
        uses = [(rel, m.start()) for rel, text in sorted(self.module.items()) for m in pattern.finditer(text)]
        if len(uses) != 1:
            return False
        rel, at = uses[0]
        try:
            holder = self if rel == self.rel else FileFixer(rel, self.module[rel])
        except FixError:
            return False
        return any(b.kind == BLOCK and b.tag == want and b.start <= at < b.end for b in holder.root.items)

    # -- what the value says ----------------------------------------------------------------------------
    def literal(self, t: Target) -> str:
        """The text of a string value as written (FixError when it is not one: a reference, a parameter)."""
        node = t.node
        if node.kind == STR and node.value is not None and (t.layer is not None or _intrinsic(node) in (None, "Fn::Sub")):
            if t.sub and t.layer is None:
                if re.search(r"\$\{(?!!)", node.value):
                    raise FixError("the value is built by Fn::Sub from other values: fix those")
                return node.value.replace("${!", "${")
            return node.value
        raise FixError(self._not_literal(node))

    def _not_literal(self, node: Node) -> str:
        fn = _intrinsic(node)
        if fn == "Ref":
            name = _ref_name(node)
            if name and _get(_get(self.root, "Parameters"), name) is not None:
                return f"the value comes from parameter {name}: fix the value the stack is deployed with"
            return f"the value is a reference to {name or 'another value'}"
        if fn == "Fn::FindInMap":
            return "the value comes from the template's Mappings: fix it there"
        if fn:
            return f"the value is computed by {fn}: fix the values it is built from"
        if node.tag and node.tag.startswith("ref:"):
            ref = node.tag[4:]
            head = ref.split(".", 1)[0]
            what = {"var": "variable", "local": "local value", "module": "module output", "data": "data source"}.get(head)
            return f"the value comes from {what} {ref}: fix it where it is defined" if what else \
                f"the value is the reference {ref}"
        if node.kind == STR:
            return "the value is built from expressions: fix the values it is built from"
        return "the value is not a string written in the file"

    # -- edits ------------------------------------------------------------------------------------------
    def plan(self, todo: list[tuple[Finding, Fix]]) -> tuple[list[Change], list[tuple[Finding, str]]]:
        """The changes for the findings (each finding once), and the findings that cannot be fixed, with
        why.  Removals from one list are one change; changes are independent of each other."""
        changes: list[Change] = []
        refused: list[tuple[Finding, str]] = []
        removals: dict[int, list[tuple[Finding, Fix, Target]]] = {}
        for f, fix in todo:
            try:
                t = self.target(f, fix)
                if fix.kind == FIX_REMOVE:
                    _mismatch(self.literal(t), fix)
                    parent = t.node.parent
                    if parent is None or parent.kind != SEQ:
                        raise FixError(f"'{fix.old}' is the statement's only action: removing it would leave no Action")
                    removals.setdefault(id(parent), []).append((f, fix, t))
                elif fix.kind == FIX_REPLACE:
                    changes.append(self._replace(f, fix, t))
                elif fix.kind == FIX_REFERENCE:
                    changes.append(self._reference(f, fix, t))
                else:
                    raise FixError(f"a fix of kind {fix.kind!r}")
            except FixError as exc:
                refused.append((f, str(exc)))
        for group in removals.values():
            try:
                changes.append(self._remove(group))
            except FixError as exc:
                refused.extend((f, str(exc)) for f, _fix, _t in group)
        return changes, refused

    def _replace(self, f: Finding, fix: Fix, t: Target) -> Change:
        old = self.literal(t)
        if old != fix.old:
            _mismatch(old, fix)
        node = t.node
        if t.layer is not None:
            if node.style != '"':
                raise FixError("the policy text is not JSON here")
            assert t.outer is not None
            a, b = t.layer.raw_range(node.start, node.end)
            token = json.dumps(fix.new, ensure_ascii=False)
            edit = Edit(a, b, t.layer.encode(token))
            inside = (t.layer.text, [(node.start, node.end, token.replace("${", "${!") if t.sub else token)])
            return Change([f], [edit], [(t.outer.start, "str", inside)])
        new = fix.new.replace("${", "${!") if t.sub else fix.new
        a, b = node.inner
        style = node.style
        if style == "plain":
            text = new if _plain_ok(new, self._in_flow(node)) else '"' + double_quoted(new) + '"'
        elif style in ('"', "'"):
            from lexiam.fix.layer import ENCODERS

            text = ENCODERS[style](new)
        elif style == "hcl":
            from lexiam.fix.layer import hcl_quoted

            text = hcl_quoted(new)
        else:
            raise FixError("the value is written as a block of text; edit it by hand")
        return Change([f], [Edit(a, b, text)], [(node.start, "value", fix.new)])

    def _in_flow(self, node: Node) -> bool:
        p = node.parent
        while p is not None:
            if p.style == "flow":
                return True
            p = p.parent
        return False

    def _reference(self, f: Finding, fix: Fix, t: Target) -> Change:
        node = t.node
        if t.layer is not None:
            raise FixError("the value is inside policy text: a reference cannot be written there")
        self._self_contained(node)
        address = fix.new
        if self.syntax == "hcl":
            if not re.fullmatch(r"[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*", address):
                raise FixError(f"{address} cannot be referred to from here")
            text = f"{address}.arn"
        else:
            if not re.fullmatch(r"[A-Za-z0-9]+", address):
                raise FixError(f"{address} cannot be referred to with Fn::GetAtt")
            if self.syntax == "json" or self.root.style == "flow" and node.style == "flow":
                text = '{"Fn::GetAtt": ["' + address + '", "Arn"]}'
            elif node.kind == MAP and node.style == "block":
                text = f"Fn::GetAtt: [{address}, Arn]"
            elif node.kind == MAP:
                text = "{" + f'"Fn::GetAtt": [{address}, Arn]' + "}"
            else:
                text = f"!GetAtt {address}.Arn"
        return Change([f], [Edit(node.start, node.end, text)], [(node.start, "expr", text)])

    def _self_contained(self, node: Node) -> None:
        """FixError when the value being replaced takes anything from a parameter, variable or mapping."""
        params = _get(self.root, "Parameters") if self.syntax != "hcl" else None
        for n in node.walk():
            fn = _intrinsic(n) if self.syntax != "hcl" else None
            if fn == "Ref" and _get(params, _ref_name(n) or "") is not None:
                raise FixError(f"the value comes from parameter {_ref_name(n)}")
            if fn in ("Fn::FindInMap", "Fn::ImportValue", "Fn::If", "Fn::Select", "Fn::Split"):
                raise FixError(f"the value is computed by {fn}")
            if n.kind == STR and self._is_sub(n) and n.value and params is not None:
                for name in re.findall(r"\$\{([^!}][^}]*)\}", n.value):
                    if _get(params, name.strip()) is not None:
                        raise FixError(f"the value comes from parameter {name.strip()}")
            if n.tag and n.tag.startswith("ref:") and n.tag[4:].split(".", 1)[0] in ("var", "local", "module", "each",
                                                                                   "count"):
                raise FixError(f"the value comes from {n.tag[4:]}")

    def _remove(self, group: list[tuple[Finding, Fix, Target]]) -> Change:
        seq = group[0][2].node.parent
        assert seq is not None
        gone = {t.node.index() for _f, _fix, t in group}
        if len(gone) >= len(seq.items):
            raise FixError("removing every action of the statement would leave no Action")
        layer = group[0][2].layer
        text = layer.text if layer is not None else self.src.text
        if seq.style == "block":
            ranges = _block_removals(text, seq, gone)
        else:
            comments = "hcl" if self.syntax == "hcl" and layer is None else "yaml" if layer is None else ""
            ranges = _flow_removals(text, seq, gone, comments)
        if layer is not None:
            edits = [Edit(*layer.raw_range(a, b), "") for a, b in ranges]
            assert group[0][2].outer is not None
            expect = [(group[0][2].outer.start, "str", (text, [(a, b, "") for a, b in ranges]))]
        else:
            edits = [Edit(a, b, "") for a, b in ranges]
            expect = [(seq.start, "items", [n.start for i, n in enumerate(seq.items) if i not in gone])]
        return Change([f for f, _fix, _t in group], edits, expect)

    # -- after the edits --------------------------------------------------------------------------------
    def verify(self, changes: list[Change], new_text: str) -> list[Change]:
        """The changes whose values do not read as intended once all the edits are made (FixError when the
        new text does not parse at all).  Edits inside one string are checked together: the string must
        read as its old text with all of them made."""
        edits = sorted((e for c in changes for e in c.edits), key=lambda e: e.start)
        after = FileFixer(self.rel, new_text)

        def moved(offset: int) -> int:
            return offset + sum(len(e.text) - (e.end - e.start) for e in edits if e.end <= offset)

        inside: dict[int, tuple[str, list[tuple[int, int, str]], list[Change]]] = {}
        wrong: list[Change] = []
        for change in changes:
            for offset, what, value in change.expect:
                if what == "str":
                    old, pieces = value  # type: ignore[misc]
                    entry = inside.setdefault(offset, (old, [], []))
                    entry[1].extend(pieces)
                    entry[2].append(change)
                elif not any(after._reads(n, what, value, moved) for n in after.root.walk() if n.start == moved(offset)):
                    wrong.append(change)
        for offset, (old, pieces, owners) in inside.items():
            try:
                expected = apply_edits(old, [Edit(a, b, t) for a, b, t in pieces])
            except FixError:
                expected = None
            if not any(after._reads(n, "str", expected, moved) for n in after.root.walk() if n.start == moved(offset)):
                wrong.extend(owners)
        return [c for c in changes if c in wrong]

    def _reads(self, n: Node, what: str, value: object, moved) -> bool:  # noqa: ANN001 - offset -> offset
        if what == "value" and n.kind == STR:
            return (n.value.replace("${!", "${") if n.value is not None and self._is_sub(n) else n.value) == value
        if what == "str" and n.kind == STR:
            try:
                layer = hcl_layer(self.src, n) if self.syntax == "hcl" else yaml_layer(self.src, n, False)
            except FixError:
                return False
            return layer.text == value
        if what == "items" and n.kind == SEQ:
            return [i.start for i in n.items] == [moved(o) for o in value]  # type: ignore[attr-defined]
        return what == "expr" and isinstance(value, str) and self.src.text[n.start:n.start + len(value)] == value


# --- helpers ------------------------------------------------------------------------------------------------

def _mismatch(old: str, fix: Fix) -> None:
    if old != fix.old:
        raise FixError(f"the file says '{old}' here, not '{fix.old}'")


def _index(values: list[int], wanted: int) -> int | None:
    try:
        return values.index(wanted)
    except ValueError:
        return None


def _get(node: Node | None, key: str) -> Node | None:
    if node is None or node.kind != MAP:
        return None
    for k, v in zip(node.keys, node.items):
        if k == key:
            return v
    return None


def _ancestors_or_self(node: Node) -> list[Node]:
    out = [node]
    p = node.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out


def _cfn_section(root: Node, offset: int) -> str:
    for k, v in zip(root.keys, root.items):
        if v.start <= offset < v.end and k != "Resources":
            return f" (in the template's {k})"
    return ""


def _intrinsic(node: Node) -> str | None:
    """The CloudFormation function a YAML node is (``!Ref X`` or ``{Ref: X}`` -> "Ref")."""
    if node.tag and node.tag.startswith("!"):
        name = node.tag[1:]
        return name if name in ("Ref", "Condition") else "Fn::" + name
    if node.kind == MAP and len(node.keys) == 1 and node.keys[0] is not None:
        key = node.keys[0]
        if key == "Ref" or key.startswith("Fn::"):
            return key
    return None


def _ref_name(node: Node) -> str | None:
    if node.kind == STR and node.tag == "!Ref":
        return node.value
    if node.kind == MAP and node.items and node.items[0].kind == STR:
        return node.items[0].value
    return None


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._/*?@+=$-]*")
_PLAIN_FLOW = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._/*?@+=-]*")


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether text can be a plain YAML scalar that reads back as that string, unchanged."""
    from lexiam.fix.tree import _resolves_to_other

    pattern = _PLAIN_FLOW if flow else _PLAIN
    return bool(pattern.fullmatch(text)) and ": " not in text and not text.endswith(":") and not _resolves_to_other(text)


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _block_removals(text: str, seq: Node, gone: set[int]) -> list[tuple[int, int]]:
    """Each removed item of a YAML block sequence is its line (``- item`` and its comment)."""
    out = []
    for i in sorted(gone):
        item = seq.items[i]
        ls = _line_start(text, item.start)
        if not re.fullmatch(r"[ \t]*-[ \t]+", text[ls:item.start]):
            raise FixError("the list item does not stand on a line of its own")
        le = _line_end(text, item.end)
        if "\n" in text[item.start:item.end] or not re.fullmatch(r"[ \t]*(?:#.*)?\r?", text[item.end:le]):
            raise FixError("the list item does not stand on a line of its own")
        out.append((ls, min(le + 1, len(text))))
    return out


def _trivia(text: str, a: int, b: int, comments: str) -> list[int]:
    """The offsets of the commas in text[a:b], which must hold only blanks, line breaks, comments and commas."""
    commas = []
    i = a
    while i < b:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == ",":
            commas.append(i)
            i += 1
        elif comments and c == "#" or comments == "hcl" and text.startswith("//", i):
            i = _line_end(text, i)
        elif comments == "hcl" and text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0 or close >= b:
                raise FixError("an unclosed comment in the list")
            i = close + 2
        else:
            raise FixError("unexpected text between the items of the list")
    return commas


def _flow_removals(text: str, seq: Node, gone: set[int], comments: str) -> list[tuple[int, int]]:
    """The ranges to delete to take items out of a flow list (``[a, b]``, JSON, HCL): a removed item goes
    with the comma after it, or, when it is the last one, with the comma before it; items that stand on
    lines of their own go with their lines."""
    items = seq.items
    n = len(items)
    if text[seq.start:seq.start + 1] != "[" or text[seq.end - 1:seq.end] != "]":
        raise FixError("the list is not written in brackets")
    gaps = []  # the comma after each item (None after the last one when there is no trailing comma)
    for k in range(n):
        nxt = items[k + 1].start if k + 1 < n else seq.end - 1
        commas = _trivia(text, items[k].end, nxt, comments)
        if len(commas) > 1 or (k + 1 < n and len(commas) != 1):
            raise FixError("the list's separators cannot be read")
        gaps.append(commas[0] if commas else None)
    out: list[tuple[int, int]] = []
    k = 0
    while k < n:
        if k not in gone:
            k += 1
            continue
        j = k
        while j + 1 < n and j + 1 in gone:
            j += 1
        first, last = items[k], items[j]
        ls = _line_start(text, first.start)
        le = _line_end(text, last.end)
        after_last = text[last.end:le]
        own_lines = (text[ls:first.start].strip(" \t") == "" and ls > seq.start
                     and re.fullmatch(r"[ \t]*,?[ \t]*(?:(?:#|//).*)?\r?", after_last) is not None
                     and (gaps[j] is None or gaps[j] < le) and le < seq.end - 1)
        if own_lines:
            out.append((ls, le + 1))
            if j == n - 1 and gaps[j] is None:  # the kept item before becomes the last: its comma goes
                prev = gaps[k - 1]
                assert prev is not None
                out.append((prev, prev + 1))
        elif j + 1 < n:
            out.append((first.start, items[j + 1].start))
        else:
            out.append((items[k - 1].end, last.end))
        k = j + 1
    out.sort()
    for (_a1, b1), (a2, _b2) in zip(out, out[1:]):
        if a2 < b1:
            raise FixError("the items to remove cannot be taken out one by one")
    return out
