"""What production changes in the schema: no introspection, and no "Did you mean …?" in errors.

Both would hand a stranger the schema piece by piece. The schema is the same one, rebuilt with
one more extension (after the limits, which validate first) and an executor that leaves
suggestions out of variable errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, specified_rules, validate
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.limits import MAX_TOKENS
from resolvers.schema import Schema

RULES = (*specified_rules, NoSchemaIntrospectionCustomRule)


@lru_cache(maxsize=512)
def _validate(schema: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
    """Cached by the query's text: a document hashes by its whole tree."""
    document = parse(query, max_tokens=MAX_TOKENS)  # it parsed before; this is a cache miss
    return tuple(validate(schema, document, RULES, hide_suggestions=True))


class Quiet(SchemaExtension):
    """Validation again, without suggestions and with introspection refused; where it finds
    errors they replace those found before (the same errors, worded without suggestions)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.query is not None:
            errors = _validate(context.schema._schema, context.query)
            if errors:
                context.pre_execution_errors = list(errors)
        yield


class QuietExecutor(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)


def production_schema(schema: Schema) -> Schema:
    return type(schema)(
        query=schema.query,
        mutation=schema.mutation,
        extensions=[*schema.extensions, Quiet],
        execution_context_class=QuietExecutor,
        config=schema.config,
    )
