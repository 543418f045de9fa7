"""Limits checked before any database work: depth, aliases and an estimated cost.

The cost counts the objects a request may resolve: each field is 1, times the size of every
list it sits in. A list with `first` counts `first` items (20 when not given, or the variable's
default); `nodes(ids:)` counts its ids; other lists count 10, except a connection's edges and
nodes, which its `first` counts.
Introspection (fields starting with `__`) is free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)
from graphql.language import DocumentNode

from graph.paging import MAX_FIRST

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_COST = 25_000
DEFAULT_PAGE = 20
LIST_GUESS = 10


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def problem(self) -> str | None:
        if self.depth > MAX_DEPTH:
            return f"the query nests {self.depth} levels deep; the limit is {MAX_DEPTH}"
        if self.aliases > MAX_ALIASES:
            return f"the query has {self.aliases} aliases; the limit is {MAX_ALIASES}"
        if self.cost > MAX_COST:
            return f"the query may resolve about {self.cost:,} fields; the limit is {MAX_COST:,}"
        return None


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> Measure:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    if not chosen:
        return Measure()
    operation = chosen[0]
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    walker = _Walker(schema, fragments, {**_defaults(operation), **(variables or {})})
    result = Measure()
    if root is not None:
        result.cost = walker.cost(operation.selection_set, root, 1, result, set())
    return result


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The default values of the operation's variables: one left out of a request takes it."""
    return {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def cost(
        self,
        selections: SelectionSetNode,
        parent: GraphQLNamedType,
        depth: int,
        seen: Measure,
        visiting: set[str],
    ) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, depth, seen, visiting)
            elif isinstance(selection, InlineFragmentNode):
                kind = parent
                if selection.type_condition is not None:
                    kind = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self.cost(selection.selection_set, kind, depth, seen, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                kind = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.cost(fragment.selection_set, kind, depth, seen, visiting | {name})
        return total

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        depth: int,
        seen: Measure,
        visiting: set[str],
    ) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        if node.alias is not None:
            seen.aliases += 1
        seen.depth = max(seen.depth, depth)
        definition = parent.fields.get(name) if isinstance(parent, GraphQLObjectType) else None
        if definition is None:
            interface_fields = getattr(parent, "fields", {})
            definition = interface_fields.get(name)
        if definition is None or node.selection_set is None:
            return 1
        kind, is_list = _unwrap(definition.type)
        fanout = 1
        if "first" in definition.args:
            # No field answers more than MAX_FIRST items: a larger `first` is its field's
            # BAD_USER_INPUT (naming the argument), not a cost to refuse the whole request for.
            fanout = min(self._int(node, "first", DEFAULT_PAGE), MAX_FIRST)
        elif is_list and not parent.name.endswith("Connection"):  # edges: counted by `first`
            fanout = self._length(node, "ids", LIST_GUESS)
        inner = self.cost(node.selection_set, kind, depth + 1, seen, visiting)
        return 1 + fanout * inner

    def _given(self, node: FieldNode, argument: str) -> Any:
        """An argument's value as written: a literal node, a variable's value, or None."""
        for arg in node.arguments or ():
            if arg.name.value == argument:
                if isinstance(arg.value, VariableNode):
                    return self.variables.get(arg.value.name.value)
                return arg.value
        return None

    def _int(self, node: FieldNode, argument: str, default: int) -> int:
        value = self._given(node, argument)
        if isinstance(value, IntValueNode):
            return max(int(value.value), 1)
        return max(value, 1) if isinstance(value, int) else default

    def _length(self, node: FieldNode, argument: str, default: int) -> int:
        """How many items a list argument holds (`nodes(ids:)` answers one object per id)."""
        value = self._given(node, argument)
        if isinstance(value, ListValueNode):
            return max(len(value.values), 1)
        return max(len(value), 1) if isinstance(value, list) else default


def _unwrap(kind: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        if isinstance(kind, GraphQLList):
            is_list = True
        kind = kind.of_type
    return kind, is_list
