"""HCL as the fix package sees it: the Terraform front end's parse (python-hcl2's tree with the position
of every token), turned into :class:`lexiam.fix.tree.Node` with file offsets."""

from __future__ import annotations

from lexiam.fix.text import FixError, Source
from lexiam.fix.tree import EXPR, MAP, SEQ, STR, Node

BLOCK = "block"


def hcl_tree(src: Source, rel: str) -> Node:
    """The tree of a ``.tf`` file: a node per block (``tag`` its type and labels, ``extra`` the block)."""
    from lexiam.terraform.hcl import HclError, parse_file

    try:
        parsed = parse_file(src.text, rel)
    except HclError as exc:
        raise FixError(f"the file does not parse as HCL: {exc.reason}") from None
    if src.text.startswith("\ufeff"):
        raise FixError("the file starts with a byte order mark")
    root = Node(BLOCK, 0, len(src.text), tag="")
    _body(src, parsed.body, root)
    return root


def _span(src: Source, loc) -> tuple[int, int]:  # noqa: ANN001 - a Location
    return src.offset(loc.line, loc.column), src.offset(loc.end_line or loc.line, loc.end_column or loc.column)


def _body(src: Source, body, parent: Node) -> None:  # noqa: ANN001 - a Body
    for name, attr in body.attrs.items():
        node = _expr(src, attr.expr, parent)
        parent.keys.append(name)
        parent.items.append(node)
    for block in body.blocks:
        start, end = _span(src, block.loc)
        node = Node(BLOCK, start, end, parent, tag=" ".join([block.type, *block.labels]), extra=block)
        _body(src, block.body, node)
        parent.keys.append(None)
        parent.items.append(node)


def _expr(src: Source, expr, parent: Node) -> Node:  # noqa: ANN001, C901 - an Expr
    from lexiam.terraform.nodes import Access, Call, Chunk, Directive, ObjectExpr, Template, TupleExpr

    stack = [(expr, parent, None)]
    top: Node | None = None
    while stack:
        e, up, key = stack.pop()
        start, end = _span(src, e.loc)
        if isinstance(e, Template):
            heredoc = bool(getattr(e, "heredoc", False))
            literal = all(isinstance(p, Chunk) for p in e.parts)
            node = Node(STR, start, end, up, style="heredoc" if heredoc else "hcl", extra=e,
                        value="".join(p.text for p in e.parts) if literal else None)
            node.inner = _heredoc_inner(src, start, end) if heredoc else (start + 1, end - 1)
            if not heredoc and src.text[start:start + 1] != '"':
                raise FixError("a string that does not start with a quote")
            children = [p for p in e.parts if not isinstance(p, (Chunk, Directive))]
        elif isinstance(e, TupleExpr):
            node = Node(SEQ, start, end, up, style="flow")
            children = list(e.items)
        elif isinstance(e, ObjectExpr):
            node = Node(MAP, start, end, up, style="flow")
            children = [item.value for item in e.items]
            node.keys = [item.bare if item.bare is not None else _literal(item.key) for item in e.items]
        elif isinstance(e, Call):
            node = Node(EXPR, start, end, up, tag=f"call:{e.name}")
            children = list(e.args)
        elif isinstance(e, Access):
            node = Node(EXPR, start, end, up, tag=f"ref:{_reference(e)}")
            children = [arg for kind, arg in e.steps if kind == "index" and arg is not None]
        else:
            node = Node(EXPR, start, end, up, tag=type(e).__name__)
            children = [c for c in (getattr(e, "cond", None), getattr(e, "then", None), getattr(e, "other", None))
                        if c is not None] + list(getattr(e, "operands", ()) or ())
        if up is not parent or top is not None:
            up.items.append(node)
        else:
            top = node
        for child in reversed(children):
            stack.append((child, node, None))
    assert top is not None
    # children were appended to their parents in reverse order of discovery: restore source order
    for node in top.walk():
        node.items.sort(key=lambda n: n.start)
    return top


def _heredoc_inner(src: Source, start: int, end: int) -> tuple[int, int]:
    """The body of a heredoc: from the line after ``<<EOF`` to the start of the closing marker's line."""
    body = src.text.find("\n", start) + 1
    return body, max(src.line_start(end - 1), body) if end > start else body


def _literal(expr) -> str | None:  # noqa: ANN001
    from lexiam.terraform.nodes import Chunk, Template

    if isinstance(expr, Template) and all(isinstance(p, Chunk) for p in expr.parts):
        return "".join(p.text for p in expr.parts)
    return None


def _reference(e) -> str:  # noqa: ANN001 - an Access
    from lexiam.terraform.nodes import Name

    names = [e.base.name] if isinstance(e.base, Name) else ["?"]
    for kind, arg in e.steps:
        if kind != "attr":
            break
        names.append(str(arg))
    return ".".join(names)


def blocks(root: Node) -> list[Node]:
    """Every block of a file, outermost first."""
    return [n for n in root.walk() if n.kind == BLOCK and n is not root]
