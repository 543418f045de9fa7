"""What every argument and input field must hold, checked once before anything runs.

- a String holds at most MAX_TEXT characters, an ID at most MAX_ID, a cursor (`after`) at most
  MAX_CURSOR — enough for any id or cursor this API hands out;
- no string holds a control character (U+0000-U+001F, U+007F) or a lone surrogate;
- a Float is finite (no NaN, no Infinity: a literal `1e999` is Infinity);
- a list holds at least one item (an optional one is left out, or null, for its default) and at
  most MAX_ITEMS as sent, a bound on the request's size like the string lengths.

A list argument or input field is a set (`distinct`): a value listed twice counts once, the
first time it is listed keeps its place where order matters (overlapMatrix's partners order the
matrix), and a field's own limit (planReach's 500 partners, 50 target industries) counts
distinct values. Two kinds of list are not sets: `nodes(ids:)` answers one entry per id as
given, duplicates included, as Relay expects; and a list of input objects (commonAccounts'
members, a mutation's partners) names each partner once, since two entries for one partner
could say different things.

Each breach is BAD_USER_INPUT naming the argument or input field (`input.name`,
`filter.tier`). GraphQL's own String, ID and Float cannot be redefined (graphql-core reserves
their names), so the rules sit here instead of in scalar overrides: literals are checked with
the document's validation, which is cached per query text; variables once per request, walking
each value along its declared type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeVar

from graphql import (
    ArgumentNode,
    DocumentNode,
    FloatValueNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectFieldNode,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    type_from_ast,
    visit,
)

from graph.errors import InvalidInput

T = TypeVar("T", bound=Hashable)

MAX_TEXT = 1_000  # keys, names, regions: at most 4 KB of UTF-8, within what Neo4j indexes
MAX_ID = 12_000  # a global id of the longest key an import accepts
MAX_CURSOR = 32_000  # a cursor of the longest sort values an import accepts
BAD_INPUT = "BAD_USER_INPUT"
MAX_ITEMS = 1_000  # items as sent in any list argument or input field (a field may allow fewer)
EMPTY = "give at least one value, or leave it out"
EMPTY_REQUIRED = "give at least one value"
TOO_MANY = f"give at most {MAX_ITEMS:,} values"

RULES = (
    f"Every String argument and input field holds at most {MAX_TEXT:,} characters, an ID at"
    f" most {MAX_ID:,}, a cursor (`after`) at most {MAX_CURSOR:,}; no string holds a control"
    " character (U+0000-U+001F, U+007F) or a lone surrogate; every Float is finite; every list"
    f" holds 1 to {MAX_ITEMS:,} items as sent. An empty list is refused: a required list"
    " (`[ID!]!`) needs a value; an optional one is left out, or null, for its default. A list is"
    " a set: a value listed twice counts once, where order matters its first place counts, and"
    " a field's own limit counts distinct values; but `nodes(ids:)` answers one entry per id as"
    " given, duplicates included, and a list of input objects (`members`, a mutation's"
    " `partners`) names each partner once. A cursor is good only for the list, parent, filter"
    " and order it came from. Anything else is BAD_USER_INPUT naming the field."
)


def distinct(
    values: Sequence[T],
    field: str = "",
    *,
    most: int | None = None,
    least: int = 1,
    what: str = "values",
) -> dict[T, int]:
    """The values of a list argument once each, in the order first given, each with the index
    it was first given at (`partners[3]` names it). With `most`, BAD_USER_INPUT naming the
    field when the distinct values are fewer than `least` or more than `most`."""
    first: dict[T, int] = {}
    for index, value in enumerate(values):
        first.setdefault(value, index)
    if most is not None and not least <= len(first) <= most:
        wanted = f"at most {most:,}" if least <= 1 else f"{least:,} to {most:,}"
        raise InvalidInput(
            f"{field}: give {wanted} different {what}, not {len(first):,}", field=field
        )
    return first


_UNFIT = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def text_problem(value: str, type_name: str, name: str) -> str | None:
    """Why a string may not be this argument's value, or None."""
    limit = MAX_ID if type_name == "ID" else MAX_CURSOR if name == "after" else MAX_TEXT
    if len(value) > limit:
        return f"must be at most {limit:,} characters long"
    found = _UNFIT.search(value)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return "must be valid unicode (it holds a lone surrogate)"
    return f"must not hold the control character U+{code:04X}"


def number_problem(value: float) -> str | None:
    return None if math.isfinite(value) else "must be a finite number (not NaN or Infinity)"


def _refusal(field: str, reason: str, nodes: Node | Sequence[Node] | None) -> GraphQLError:
    return GraphQLError(f"{field}: {reason}", nodes, extensions={"code": BAD_INPUT, "field": field})


class InputRule(ValidationRule):
    """The rules above for the literals of a document."""

    def enter_string_value(self, node: StringValueNode, *args: Any) -> None:
        field = _field_of(*args)
        named = get_named_type(self.context.get_input_type())
        reason = text_problem(node.value, named.name if named else "", _last(field))
        if reason:
            self.report_error(_refusal(field, reason, node))

    def enter_float_value(self, node: FloatValueNode, *args: Any) -> None:
        named = get_named_type(self.context.get_input_type())
        if named is not None and named.name == "Float":
            reason = number_problem(float(node.value))
            if reason:
                self.report_error(_refusal(_field_of(*args), reason, node))

    def enter_list_value(self, node: ListValueNode, *args: Any) -> None:
        if not node.values:
            empty = _empty(self.context.get_parent_input_type())
            self.report_error(_refusal(_field_of(*args), empty, node))
        elif len(node.values) > MAX_ITEMS:
            self.report_error(_refusal(_field_of(*args), TOO_MANY, node))


def _empty(type_: GraphQLInputType | None) -> str:
    """Why an empty list is refused: an optional one may be left out instead."""
    return EMPTY_REQUIRED if isinstance(type_, GraphQLNonNull) else EMPTY


def _field_of(key: Any, parent: Any, path: Sequence[Any], ancestors: Sequence[Any]) -> str:
    """`input.partners[2].role` for a value inside an argument (or `$v` in a variable default)."""
    parts: list[str] = []
    chain = [*ancestors, parent]
    for index, item in enumerate(chain):
        if isinstance(item, ArgumentNode | ObjectFieldNode):
            parts.append(("." if parts else "") + item.name.value)
        elif isinstance(item, VariableDefinitionNode):
            parts.append("$" + item.variable.name.value)
        elif isinstance(item, tuple) and index and isinstance(chain[index - 1], ListValueNode):
            parts.append(f"[{path[index]}]")
    return "".join(parts) or "argument"


def _last(field: str) -> str:
    return field.rsplit(".", 1)[-1].split("[", 1)[0]


def variable_problems(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> list[GraphQLError]:
    """The rules above for the variables of the operation to run (none when it is unclear
    which that is: execution says so)."""
    if not variables or not isinstance(variables, Mapping):
        return []
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    errors: list[GraphQLError] = []
    usages: dict[str, str] | None = None  # looked for only when needed: most requests pass
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name not in variables or type_ is None:
            continue
        value = variables[name]
        if isinstance(value, str) and len(value) > MAX_TEXT:
            usages = usages if usages is not None else _usages(operation)
        role = _last(usages.get(name, name)) if usages else name
        found: list[tuple[str, str]] = []
        _walk(value, type_, name, role, found)  # type: ignore[arg-type]
        if found:
            usages = usages if usages is not None else _usages(operation)
            given = usages.get(name, name)
            errors.extend(
                _refusal(given + field[len(name) :], reason, definition) for field, reason in found
            )
    return errors


def _usages(operation: OperationDefinitionNode) -> dict[str, str]:
    """Where each variable is given (`input.amount` for `input: {amount: $a}`): the field an
    error names, and the argument that says whether a string is a cursor."""
    found: dict[str, str] = {}

    class Usages(Visitor):
        def enter_variable(self, node: VariableNode, *args: Any) -> None:
            if not isinstance(args[1], VariableDefinitionNode):
                found.setdefault(node.name.value, _field_of(*args))

    visit(operation, Usages())
    return found


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def _walk(
    value: Any,
    type_: GraphQLInputType,
    field: str,
    name: str,
    found: list[tuple[str, str]],
) -> None:
    """Gather (field, reason) for what breaks the rules in a variable's value."""
    empty = _empty(type_)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            _walk(value, type_.of_type, field, name, found)  # a single item is a list
            return
        if not value:
            found.append((field, empty))
        elif len(value) > MAX_ITEMS:
            found.append((field, TOO_MANY))
            return
        for index, item in enumerate(value):
            _walk(item, type_.of_type, f"{field}[{index}]", name, found)
    elif isinstance(type_, GraphQLInputObjectType):
        if isinstance(value, dict):
            for key, inner in type_.fields.items():
                if key in value:
                    _walk(value[key], inner.type, f"{field}.{key}", key, found)
    elif isinstance(value, str):
        reason = text_problem(value, type_.name, name)
        if reason:
            found.append((field, reason))
    elif isinstance(value, float):
        reason = number_problem(value)
        if reason:
            found.append((field, reason))
