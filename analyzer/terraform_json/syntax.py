"""Terraform JSON syntax -> :mod:`lexiam.terraform.nodes`, as HashiCorp's "JSON Configuration Syntax"
defines it (https://developer.hashicorp.com/terraform/language/syntax/json).

* The root object's properties are top-level block types; a block's labels are nested object keys,
  one level per label (``{"resource": {"aws_iam_role": {"bot": {...body...}}}}``), and at any level an
  array of objects stands for several blocks in order.
* In a body, a property is an argument or a nested block.  Which one is the provider's schema, which
  lexiam does not have; it reads an object (or an array of objects) as nested blocks, except in the
  resources of the ``awscc`` provider (Cloud Control resources have attributes only) and for the map
  arguments ``tags``, ``tags_all``, ``variables`` and ``triggers``.  Terraform's own nested blocks
  (``lifecycle``, ``provisioner``, ``connection``, ``dynamic`` and its ``content``) are always blocks,
  ``count`` and ``for_each`` always arguments.  For the rules the choice matters little: a nested block
  and an object argument both evaluate to maps.
* A string is a template (``"${...}"`` interpolations, ``%{...}`` directives, ``$${`` for a literal
  ``${``); a string that is a single interpolation is that expression's value.  The arguments that
  Terraform takes literally (a variable's ``default``, ``description`` and ``type``, a module's
  ``source`` and ``version``, ``depends_on``, ``provider``, the ``terraform`` block...) are not parsed.
* ``"//"`` properties of a body are comments and are skipped.

Positions are exact: the JSON is read with :mod:`lexiam.positioned`, and each character of a string
keeps its place in the file (escapes included) down to the expressions inside ``${...}``.  A key
written twice in one object (JSON readers keep the last one; Terraform reads every block) is one
E9500, and the rest of the file is still read.
"""

from __future__ import annotations

import json

from lexiam import positioned
from lexiam.positioned import PList, PMap, PScalar
from lexiam.terraform.hcl import HclError, ParsedFile, plain_chunk, source_lines, split_template
from lexiam.terraform.jsontext import json_string_segs, load_json
from lexiam.terraform.nodes import Attribute, Block, Body, Chunk, Expr, Literal, ObjectExpr, ObjectItem, Template, TupleExpr
from lexiam.values import Location


class JsonSyntaxError(HclError):
    """A ``.tf.json`` file that is not Terraform JSON: a reason and a 1-based position."""

    syntax = "Terraform JSON"


# the number of labels of each top-level block type (an unknown type is read as a block without labels)
_LABELS = {"resource": 2, "data": 2, "ephemeral": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
           "check": 1, "locals": 0, "terraform": 0, "moved": 0, "import": 0, "removed": 0}
# the map arguments of providers whose objects are otherwise nested blocks
_MAP_ARGUMENTS = frozenset({"tags", "tags_all", "variables", "triggers"})
# the meta-arguments Terraform takes literally (references or keywords written as strings)
_LITERAL_META = frozenset({"provider", "depends_on"})



def parse_file(text: str, rel: str) -> ParsedFile:
    """Parse one ``.tf.json`` file; raises :class:`JsonSyntaxError`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_json(text)
    try:
        tree, duplicates = load_json(text, rel)
    except positioned.LoadError as exc:
        raise JsonSyntaxError(f"not valid JSON: {exc.reason}", exc.line, exc.column) from None
    if not isinstance(tree, PMap):
        loc = getattr(tree, "loc", None)
        raise JsonSyntaxError("a Terraform JSON file is one JSON object", loc.line if loc else 1, loc.column if loc else 1)
    lines = source_lines(text)
    conv = _Converter(rel, lines)
    try:
        body = conv.root(tree)
    except RecursionError:
        raise JsonSyntaxError("nesting too deep to analyse") from None
    problems = [(f"the key {key!r} is written twice in one object: only its last value "
                 "is read", loc) for key, loc in duplicates] + conv.problems
    return ParsedFile(rel, body, [], lines, problems)


def _check_json(text: str) -> None:
    """Refuse what is not JSON (the positioned reader is a YAML reader: it would take ``300 300`` or a
    trailing comma), at the position Python's JSON reader gives."""
    try:
        json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise JsonSyntaxError(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise JsonSyntaxError("not valid JSON: nested too deeply") from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _span(start: Location, end: Location) -> Location:
    return Location(start.file, start.line, start.column, end.end_line, end.end_column)


def _what(node: object) -> str:
    if isinstance(node, PList):
        return "an array"
    if isinstance(node, PScalar):
        return "a string" if node.is_str else "a number, true, false or null"
    return "an object"


class _Converter:
    def __init__(self, rel: str, lines: list[str]) -> None:
        self.rel = rel
        self.lines = lines
        self.problems: list[tuple[str, Location]] = []

    # -- structure --------------------------------------------------------------------------------
    def root(self, tree: PMap) -> Body:
        out = Body()
        for key, value in tree.items():
            if key == "//":
                continue
            kind = key if key in _LABELS else "other"
            self.blocks(out.blocks, key, value, _LABELS.get(key, 0), [], tree.key_locs[key], kind, "")
        return out

    def blocks(self, out: list[Block], type_: str, node: object, labels_left: int, labels: list[str],
               start: Location, kind: str, rtype: str) -> None:
        """The blocks a property value stands for: one level of labels per object, arrays in order."""
        if isinstance(node, PList):
            for item in node:
                self.blocks(out, type_, item, labels_left, labels, item.loc if labels_left == 0 else start,
                            kind, rtype)
            return
        if not isinstance(node, PMap):
            name = " ".join([type_, *labels])
            self.problems.append((f"the block {name} is {_what(node)}, not an object: it is not read", node.loc))
            return
        if labels_left > 0:
            for key, value in node.items():
                if key != "//":
                    self.blocks(out, type_, value, labels_left - 1, [*labels, key], node.key_locs[key],
                                kind, rtype)
            return
        if kind in ("resource", "data", "ephemeral") and labels:
            rtype = labels[0]
        elif kind == "provider" and labels:
            rtype = labels[0]
        out.append(Block(type_, labels, self.body(node, kind, rtype), _span(start, node.loc), self.rel))

    def body(self, node: PMap, kind: str, rtype: str) -> Body:
        out = Body()
        for key, value in node.items():
            if key == "//":
                continue
            key_loc = node.key_locs[key]
            block = self.block_kind(kind, rtype, key, value)
            if block is not None:
                labels, child = block
                self.blocks(out.blocks, key, value, labels, [], key_loc, child, rtype)
                continue
            literal = self.is_literal(kind, key)
            out.attrs[key] = Attribute(key, self.expr(value, literal), _span(key_loc, value.loc), key_loc)
        return out

    def block_kind(self, kind: str, rtype: str, key: str, value: object) -> tuple[int, str] | None:
        """(labels, kind of body) when a body's property is a nested block; None for an argument."""
        if kind in ("locals", "module", "connection", "condition"):
            return None
        if kind == "variable":
            return (0, "condition") if key == "validation" else None
        if kind == "output":
            return (0, "condition") if key == "precondition" else None
        if kind == "lifecycle":
            return (0, "condition") if key in ("precondition", "postcondition") else None
        if kind == "dynamic":
            return (0, "nested") if key == "content" else None
        if kind == "terraform":
            return ((1 if key == "backend" else 0), "terraform") if isinstance(value, PMap) else None
        if kind in ("resource", "data", "ephemeral"):
            if key in ("count", "for_each") or key in _LITERAL_META:
                return None
            if key == "lifecycle":
                return 0, "lifecycle"
            if key == "provisioner":
                return 1, "provisioner"
            if key == "connection":
                return 0, "connection"
        if key == "dynamic":
            return 1, "dynamic"
        if kind == "provisioner":
            return (0, "connection") if key == "connection" else None
        objects = isinstance(value, PMap) or (isinstance(value, PList) and len(value) > 0
                                              and all(isinstance(v, PMap) for v in value))
        if not objects or key in _MAP_ARGUMENTS or rtype.startswith("awscc_"):
            return None
        return 0, "nested"

    @staticmethod
    def is_literal(kind: str, key: str) -> bool:
        """Whether Terraform takes an argument's JSON value as it is, without reading templates."""
        if kind == "variable":
            return True
        if kind == "output":
            return key in ("description", "sensitive", "ephemeral", "depends_on")
        if kind == "module":
            return key in ("source", "version", "providers", "depends_on")
        if kind in ("terraform", "lifecycle"):
            return True
        if kind == "connection":
            return key == "type"
        if kind in ("resource", "data", "ephemeral"):
            return key in _LITERAL_META
        return False

    # -- expressions ------------------------------------------------------------------------------
    def expr(self, node: object, literal: bool) -> Expr:
        if isinstance(node, PScalar):
            if node.is_str:
                return self.template(node, literal)
            if node.text is None:
                return Literal(node.loc, None, "null")
            if node.text.lower() in ("true", "false"):
                return Literal(node.loc, node.text.lower(), "bool")
            return Literal(node.loc, node.text, "num")
        if isinstance(node, PList):
            return TupleExpr(node.loc, [self.expr(item, literal) for item in node])
        assert isinstance(node, PMap)
        items = [ObjectItem(self.key(key, node.key_locs[key], literal), None, self.expr(value, literal),
                            node.key_locs[key]) for key, value in node.items()]
        return ObjectExpr(node.loc, items)

    def key(self, key: str, loc: Location, literal: bool) -> Expr:
        return self.template(PScalar(key, loc, '"', True), literal)

    def template(self, node: PScalar, literal: bool) -> Template:
        text = node.text or ""
        chunk = self.chunk(text, node.loc)
        if literal or ("${" not in text and "%{" not in text):
            return Template(node.loc, [chunk] if text else [])
        return Template(node.loc, split_template(chunk, self.rel, self.lines))

    def chunk(self, text: str, loc: Location) -> Chunk:
        """A string's text and where each of its characters is written (escapes taken into account)."""
        segs = json_string_segs(self.lines, loc)
        if segs is None:  # not a quoted JSON string (the reader also takes YAML's plain scalars)
            return plain_chunk(text, loc.line, loc.column)
        return Chunk(text, segs)
