"""``data "aws_iam_policy_document"`` as the resolved map of the JSON policy it renders.

The map has the shape :func:`lexiam.policy.parse_policy` reads (Version, Statement with Sid,
Effect, Action/NotAction, Resource/NotResource, Principal/NotPrincipal, Condition), and every value
keeps the position it has in the HCL.  ``source_policy_documents`` come first; a statement of the
document itself replaces a source statement with the same ``sid`` (else it is appended);
``override_policy_documents`` then replace statements with the same ``sid`` (else are appended),
as the AWS provider does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lexiam.terraform.jsontext import decode
from lexiam.terraform.tfvalues import first_value, text_of, unk
from lexiam.values import NOVALUE, RList, RMap, Value, candidates

if TYPE_CHECKING:
    from lexiam.terraform.context import Evaluator
    from lexiam.terraform.nodes import Block

_LISTS = (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
          ("not_resources", "NotResource"))


def policy_document(scope: Evaluator, block: Block, env: dict[str, object] | None = None) -> RMap:
    doc = RMap(loc=block.loc)
    attrs = block.body.attrs
    version = attrs.get("version")
    doc["Version"] = first_value(scope.ev(version.expr, env)) if version else Value.of("2012-10-17", block.loc)
    if version:
        doc.key_locs["Version"] = version.name_loc
    policy_id = attrs.get("policy_id")
    if policy_id is not None:
        doc["Id"] = scope.ev(policy_id.expr, env)
        doc.key_locs["Id"] = policy_id.name_loc
    statements: list[object] = []
    sids: list[str | None] = []

    def add(stmt: object, replace: bool) -> None:
        sid = text_of(stmt["Sid"]) if isinstance(stmt, RMap) and "Sid" in stmt else None
        if replace and sid:
            for i, existing in enumerate(sids):
                if existing == sid:
                    statements[i] = stmt
                    return
        statements.append(stmt)
        sids.append(sid)

    src = attrs.get("source_policy_documents") or attrs.get("source_json")
    if src is not None:
        for stmt in _documents_statements(scope, scope.ev(src.expr, env), src.expr.loc):
            add(stmt, False)
    for st_block, st_env in scope.expand_blocks(block.body, "statement", env):
        add(_statement(scope, st_block, st_env), True)
    override = attrs.get("override_policy_documents") or attrs.get("override_json")
    if override is not None:
        for stmt in _documents_statements(scope, scope.ev(override.expr, env), override.expr.loc):
            add(stmt, True)
    doc["Statement"] = RList(statements, loc=block.loc)
    return doc


def _documents_statements(scope: Evaluator, node: object, loc: object) -> list[object]:
    """The statements of a list of policy documents (maps, or JSON text); unknown ones as unknown."""
    out: list[object] = []
    docs: list[object] = []
    for opt in candidates(node):
        if isinstance(opt, RList):
            for item in opt:
                docs.extend(candidates(item))
        else:
            docs.append(opt)
    for doc in docs:
        if isinstance(doc, Value) and not doc.is_unknown:
            decoded = decode(scope.ctx, doc)
            doc = decoded if decoded is not None else doc
        if isinstance(doc, RMap):
            stmts = doc.get("Statement")
            for s in candidates(stmts):
                if isinstance(s, RList):
                    out.extend(s)
                else:
                    out.append(s)
        else:
            out.append(unk("a policy document not known", getattr(doc, "loc", None)))
    return out


def _statement(scope: Evaluator, block: Block, env: dict[str, object] | None) -> RMap:
    st = RMap(loc=block.loc)
    attrs = block.body.attrs

    def put(key: str, attr_name: str) -> None:
        attr = attrs.get(attr_name)
        if attr is None:
            return
        value = scope.ev(attr.expr, env)
        if value is NOVALUE:
            return
        st[key] = value
        st.key_locs[key] = attr.name_loc

    put("Sid", "sid")
    if "effect" in attrs:
        put("Effect", "effect")
    else:
        st["Effect"] = Value.of("Allow", block.loc)
    for attr_name, key in _LISTS:
        put(key, attr_name)
    for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(scope, block, block_type, env)
        if principals is not None:
            st[key] = principals
            st.key_locs[key] = getattr(principals, "loc", None) or block.loc
    conditions = _conditions(scope, block, env)
    if conditions is not None:
        st["Condition"] = conditions
        st.key_locs["Condition"] = conditions.loc or block.loc
    return st


def _principals(scope: Evaluator, block: Block, block_type: str, env: dict[str, object] | None) -> object | None:
    entries = scope.expand_blocks(block.body, block_type, env)
    if not entries:
        return None
    out = RMap(loc=entries[0][0].loc)
    for p_block, p_env in entries:
        type_attr = p_block.body.attrs.get("type")
        ids_attr = p_block.body.attrs.get("identifiers")
        kind = text_of(scope.ev(type_attr.expr, p_env)) if type_attr else None
        ids = scope.ev(ids_attr.expr, p_env) if ids_attr else RList(loc=p_block.loc)
        if kind is None:
            kind = "AWS"  # a type not known: still a principal, read as an AWS one
        if kind == "*" and len(entries) == 1:
            texts = [text_of(v) for v in _items(ids)]
            if texts == ["*"]:
                first = _items(ids)[0]
                return Value.of("*", first.loc if isinstance(first, Value) else p_block.loc)
        existing = out.get(kind)
        merged = RList(loc=getattr(ids, "loc", None) or p_block.loc)
        if isinstance(existing, RList):
            merged.extend(existing)
        merged.extend(_items(ids) if _is_list(ids) else [ids])
        out[kind] = merged
        out.key_locs[kind] = type_attr.expr.loc if type_attr else p_block.loc
    return out


def _conditions(scope: Evaluator, block: Block, env: dict[str, object] | None) -> RMap | None:
    entries = scope.expand_blocks(block.body, "condition", env)
    if not entries:
        return None
    out = RMap(loc=entries[0][0].loc)
    for c_block, c_env in entries:
        attrs = c_block.body.attrs
        test_attr, var_attr, values_attr = attrs.get("test"), attrs.get("variable"), attrs.get("values")
        test = text_of(scope.ev(test_attr.expr, c_env)) if test_attr else None
        variable_node = scope.ev(var_attr.expr, c_env) if var_attr else None
        variable = first_value(variable_node) if variable_node is not None else None
        if test is None or variable is None:
            continue
        key = variable.text if variable.text is not None else variable.render()
        values = scope.ev(values_attr.expr, c_env) if values_attr else RList(loc=c_block.loc)
        by_test = out.get(test)
        if not isinstance(by_test, RMap):
            by_test = RMap(loc=c_block.loc)
            out[test] = by_test
            out.key_locs[test] = test_attr.expr.loc if test_attr else c_block.loc
        existing = by_test.get(key)
        merged = RList(loc=getattr(values, "loc", None) or c_block.loc)
        if isinstance(existing, RList):
            merged.extend(existing)
        merged.extend(_items(values) if _is_list(values) else [values])
        by_test[key] = merged
        by_test.key_locs[key] = var_attr.expr.loc if var_attr else c_block.loc
    return out


def _is_list(node: object) -> bool:
    options = list(candidates(node))
    return len(options) == 1 and isinstance(options[0], RList)


def _items(node: object) -> list[object]:
    options = list(candidates(node))
    if len(options) == 1 and isinstance(options[0], RList):
        return list(options[0])
    return options
