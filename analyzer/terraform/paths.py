"""Where a finding stands inside a Terraform resource: the ``path`` of the JSON report.

A CloudFormation finding's path is the keys from the resource down to the value
(``["Properties", "AssumeRolePolicyDocument", "Statement", 0, "Principal", "Service"]``).  The
Terraform equivalent walks the resource block's HCL nodes down to the innermost one written at the
finding's position: attribute names, nested block types with their index among blocks of that type,
object keys and list indexes, through ``jsonencode(...)`` and the like, which only change the
encoding.  ``aws_iam_role.bot`` + the position of ``"lex.amazonaws.com"`` in
``assume_role_policy = jsonencode({Statement = [{Principal = {Service = "lex.amazonaws.com"}}]})``
gives ``("assume_role_policy", "Statement", 0, "Principal", "Service")``.

A part of a resource (``awscc_lex_bot.order.TestBotAlias``, a bot's test alias) is inside the resource's
block, as in CloudFormation: its path starts at ``test_bot_alias_settings``.

A position that is not inside the resource's own block (a value that came from a module's caller or
a variable default) has no path: ``()``.
"""

from __future__ import annotations

from collections.abc import Callable

from lexiam.model import enclosing
from lexiam.terraform.nodes import Block, Body, Call, Chunk, Expr, ObjectExpr, Template, TupleExpr
from lexiam.values import Location

PathTo = tuple[str | int, ...]

# functions whose result is their argument, re-encoded: the path goes on inside the argument
_TRANSPARENT = frozenset({"jsonencode", "yamlencode", "tolist", "toset", "tomap", "tostring"})


def block_path_finder(blocks: dict[str, Block]) -> Callable[[str, Location], PathTo]:
    """``path_at(address, loc)`` over the resource blocks of one unit (address -> its block)."""

    def path_at(address: str, loc: Location) -> PathTo:
        block = blocks.get(address)
        if block is None:  # a part of a resource (a bot's test alias): the resource's block
            block = next((blocks[a] for a in enclosing(address) if a in blocks), None)
        if block is None or block.file != loc.file or not block.loc.covers(loc):
            return ()
        return tuple(_in_body(block.body, loc))

    return path_at


def _in_body(body: Body, loc: Location) -> list[str | int]:
    for name, attr in body.attrs.items():
        if attr.loc.covers(loc):
            return [name, *_in_expr(attr.expr, loc)]
    index: dict[str, int] = {}
    for block in body.blocks:
        i = index[block.type] = index.get(block.type, -1) + 1
        if block.loc.covers(loc):
            return [block.type, i, *_in_body(block.body, loc)]
    return []


def _in_expr(expr: Expr, loc: Location) -> list[str | int]:
    if isinstance(expr, ObjectExpr):
        for item in expr.items:
            if item.value.loc.covers(loc):
                key = item.bare if item.bare is not None else _literal_key(item.key)
                return [] if key is None else [key, *_in_expr(item.value, loc)]
    elif isinstance(expr, TupleExpr):
        for i, item in enumerate(expr.items):
            if item.loc.covers(loc):
                return [i, *_in_expr(item, loc)]
    elif isinstance(expr, Call) and expr.name in _TRANSPARENT and len(expr.args) == 1:
        if expr.args[0].loc.covers(loc):
            return _in_expr(expr.args[0], loc)
    return []


def _literal_key(key: Expr | None) -> str | None:
    """The text of a quoted object key with no interpolation (``"Service" = ...``)."""
    if isinstance(key, Template) and all(isinstance(p, Chunk) for p in key.parts):
        return "".join(p.text for p in key.parts if isinstance(p, Chunk))
    return None
