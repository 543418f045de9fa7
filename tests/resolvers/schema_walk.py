"""Every argument and input field of the schema, found by walking its types, each with a
document that reaches it and valid values for everything else: a generated list for input
tests, so a new argument is tested without anyone listing it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from graphql.pyutils import Undefined

from resolvers.node import encode_id
from resolvers.schema import schema

SCHEMA = schema._schema

# Keys and ids of the nodes `SEEDED` creates, so that nested fields are reached.
KEYS = {
    "Partner": "P1",
    "Customer": "C1",
    "Solution": "S1",
    "Agreement": "A1",
    "Campaign": "K1",
    "Deal": "D1",
    "Partner2": "P2",
}
SEEDED = """
MATCH (p1:Partner {key: 'P1'}), (p2:Partner {key: 'P2'}), (p3:Partner {key: 'P3'}),
      (c1:Customer {key: 'C1'}), (c2:Customer {key: 'C2'})
CREATE (p1)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c1),
       (p2)-[:HAS_ACCOUNT {status: 'PROSPECT', strength: 0.3}]->(c1),
       (p1)-[:HAS_ACCOUNT {status: 'OPPORTUNITY', strength: 0.6}]->(c2),
       (p2)-[:SUB_PARTNER_OF {strength: 0.8}]->(p1),
       (p1)-[:CO_SELLS_WITH {strength: 0.7}]->(p3),
       (p1)-[:CO_CREATED {role: 'LEAD', strength: 0.7}]->
         (:Solution {key: 'S1', name: 'Sol', nameLower: 'sol'}),
       (p1)-[:GRANTS]->(:Agreement {key: 'A1', scopes: ['ACCOUNT_LIST'],
         validFrom: date('2020-01-01'), status: 'ACTIVE'})-[:TO]->(p2),
       (p1)-[:PARTICIPATES_IN {role: 'LEAD'}]->
         (:Campaign {key: 'K1', name: 'Camp', nameLower: 'camp', startsOn: date('2026-01-01')}),
       (p1)-[:REGISTERED]->(:Deal {key: 'D1', amount: 10.0, status: 'PENDING',
         registeredOn: date('2026-01-01')})-[:FOR]->(c1)
"""

Slot = tuple[str | int, ...]  # where in an argument's value: ("partners", 0, "role")


@dataclass(frozen=True)
class Place:
    """One argument (and a slot inside its value) of one field, reached from a root type."""

    operation: str  # query or mutation
    path: tuple[tuple[GraphQLField, str], ...]  # the fields from the root, with their names
    argument: str
    slot: Slot
    leaf: GraphQLInputType  # the type at the slot

    @property
    def field(self) -> str:
        """The name the API gives the slot: `input.partners[0].role`."""
        name = self.argument
        for step in self.slot:
            name += f"[{step}]" if isinstance(step, int) else f".{step}"
        return name

    def __str__(self) -> str:
        return ".".join(name for _, name in self.path) + f"({self.field})"

    def document(self, value: Any, inline: bool = False) -> tuple[str, dict[str, Any]]:
        """A document giving `value` at the slot (as a variable named after the argument, or
        inline), and valid values everywhere else."""
        variables: dict[str, Any] = {}
        definitions: list[str] = []
        text = ""
        for depth, (field, name) in enumerate(reversed(self.path)):
            last = depth == 0
            arguments: list[str] = []
            for arg_name, argument in field.args.items():
                target = last and arg_name == self.argument
                tested = self.argument if last else None
                if not target and not _needed(name, arg_name, argument.type, tested):
                    continue
                given = dummy(argument.type, arg_name, field) if not target else None
                if target:
                    given = _put(
                        dummy(argument.type, arg_name, field), argument.type, self.slot, value
                    )
                variable = arg_name if target else f"{arg_name}{len(self.path) - depth}"
                if target and inline:
                    arguments.append(f"{arg_name}: {literal(given)}")
                    continue
                definitions.append(f"${variable}: {argument.type}")
                variables[variable] = given
                arguments.append(f"{arg_name}: ${variable}")
            args = f"({', '.join(arguments)})" if arguments else ""
            inner = text or _selection(field)
            text = f"{name}{args} {inner}".strip()
            text = "{ " + text + " }"
        header = f"{self.operation}({', '.join(definitions)})" if definitions else self.operation
        return f"{header} {text}", variables


# Optional arguments of which a field needs one: the first unless another is the one tested.
ONE_OF = {"suggestPartners": ("partners", "campaign")}


def _needed(field: str, argument: str, type_: GraphQLInputType, tested: str | None) -> bool:
    """Whether a document gives the argument a value when it is not the one tested."""
    if isinstance(type_, GraphQLNonNull):
        return True
    choices = ONE_OF.get(field, ())
    return bool(choices) and argument == choices[0] and tested not in choices


def _selection(field: GraphQLField) -> str:
    named = get_named_type(field.type)
    return "{ __typename }" if isinstance(named, GraphQLObjectType | GraphQLInterfaceType) else ""


def _put(value: Any, type_: GraphQLInputType, slot: Slot, given: Any) -> Any:
    """The value with `given` at the slot (making the optional fields on the way)."""
    if not slot:
        return given
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        items = list(value or [dummy(inner.of_type)])
        items[0] = _put(items[0], inner.of_type, slot[1:], given)
        return items
    assert isinstance(inner, GraphQLInputObjectType)
    step = str(slot[0])
    field_type = inner.fields[step].type
    fields = dict(value or {})
    fields[step] = _put(fields.get(step, dummy(field_type, step)), field_type, slot[1:], given)
    return fields


def dummy(type_: GraphQLInputType, name: str = "", field: GraphQLField | None = None) -> Any:
    """A valid value of the type (keys and ids of seeded nodes where an argument names one)."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        if name == "members":  # commonAccounts asks of two partners at least
            return [{"partner": encode_id("Partner", key)} for key in ("P1", "P2")]
        return [dummy(type_.of_type, name, field)]
    if isinstance(type_, GraphQLInputObjectType):
        return {
            key: dummy(inner.type, key)
            for key, inner in type_.fields.items()
            if isinstance(inner.type, GraphQLNonNull) and inner.default_value is Undefined
        }
    if isinstance(type_, GraphQLEnumType):
        return Enum(next(iter(type_.values)))
    assert isinstance(type_, GraphQLScalarType)
    returned = get_named_type(field.type).name if field is not None else ""
    return {
        "String": KEYS.get(returned, "x") if name == "key" else "x",
        "ID": encode_id(_id_type(name, returned).rstrip("2"), KEYS[_id_type(name, returned)]),
        "Int": 1,
        "Float": 0.5,
        "Boolean": True,
        "Date": "2026-01-01",
    }[type_.name]


def _id_type(name: str, returned: str) -> str:
    if name in ("b", "to"):  # overlap(a:, b:) and influencePaths(from:, to:) ask of two partners
        return "Partner2"
    if name == "avoid":  # a node kept off a path: not one of its ends
        return "Solution"
    for label in KEYS:
        if label.lower() in name.lower():
            return label
    return returned if returned in KEYS else "Partner"


def literal(value: Any) -> str:
    """A value as a GraphQL literal (enum values are the strings `Enum` wraps)."""
    if value is None:
        return "null"
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "1e999" if value > 0 else "-1e999"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    return "{" + ", ".join(f"{key}: {literal(item)}" for key, item in value.items()) + "}"


class Enum(str):
    """An enum value in a dummy input: a plain string as a variable, a name as a literal."""

    @property
    def name(self) -> str:
        return str(self)


def places(wanted: Callable[[GraphQLInputType], bool]) -> list[Place]:
    """Every slot of every argument whose type `wanted` accepts (a list slot, or a leaf), each
    reached by the shortest path of fields from Query or Mutation."""
    found: list[Place] = []
    seen: set[tuple[str, str]] = set()
    for operation, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        queue: list[tuple[GraphQLObjectType, tuple[tuple[GraphQLField, str], ...]]] = [(root, ())]
        reached: set[str] = {root.name}
        while queue:
            type_, path = queue.pop(0)
            for name, field in type_.fields.items():
                here = (*path, (field, name))
                if (type_.name, name) not in seen:
                    seen.add((type_.name, name))
                    for arg_name, argument in field.args.items():
                        for slot, leaf in _slots(argument.type, ()):
                            if wanted(leaf):
                                found.append(Place(operation, here, arg_name, slot, leaf))
                named = get_named_type(field.type)
                if isinstance(named, GraphQLObjectType) and named.name not in reached:
                    reached.add(named.name)
                    queue.append((named, here))
    return found


def _slots(type_: GraphQLInputType, slot: Slot, depth: int = 0) -> Iterator[tuple[Slot, Any]]:
    yield slot, type_
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if depth > 4:
        return
    if isinstance(inner, GraphQLList):
        yield from _slots(inner.of_type, (*slot, 0), depth + 1)
    elif isinstance(inner, GraphQLInputObjectType):
        for key, field in inner.fields.items():
            yield from _slots(field.type, (*slot, key), depth + 1)


def named(*names: str) -> Callable[[GraphQLInputType], bool]:
    """Leaves of these named scalar types."""

    def wanted(type_: GraphQLInputType) -> bool:
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        return isinstance(inner, GraphQLNamedType) and inner.name in names

    return wanted


def lists(type_: GraphQLInputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)
