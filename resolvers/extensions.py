"""Schema extensions: the limits before execution, and the shape of every error after it.

Every error carries `extensions.code`. Errors partnergraph raises on purpose keep their message
and code; validation and argument errors are BAD_USER_INPUT; limits are QUERY_TOO_COMPLEX; a
database that cannot be reached (graph.db raises `Unavailable`) is SERVICE_UNAVAILABLE; anything
else is masked and logged.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from functools import lru_cache

from graphql import GraphQLError, GraphQLSchema, parse, specified_rules, validate
from graphql.language import DocumentNode
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from graph.errors import PartnergraphError
from resolvers.inputs import InputRule, variable_problems
from resolvers.limits import MAX_TOKENS, measure

log = logging.getLogger("partnergraph.api")

TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# graphql-core stops validating a document that would cost too much to validate (fields to
# compare pairwise, fragments spread over and over), saying only "Validation aborted."
ABORTED = (
    "the query is too complex to validate: too many fields of one name side by side, or "
    "fragments spread too often"
)
BAD_INPUT = "BAD_USER_INPUT"


@lru_cache(maxsize=512)
def _parse(query: str) -> DocumentNode:
    return parse(query, max_tokens=MAX_TOKENS)


@lru_cache(maxsize=512)
def _validate(schema: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
    return tuple(validate(schema, _parse(query), (*specified_rules, InputRule)))


class Guard(SchemaExtension):
    """Parsing and validation (cached per query text) and the limits, before anything runs."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        if context.query and context.graphql_document is None:
            # A query that does not parse is left to the schema, which reports it.
            with contextlib.suppress(GraphQLError):
                context.graphql_document = _parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None and context.query is not None
        graphql_schema = context.schema._schema
        errors = list(_validate(graphql_schema, context.query))
        if not errors:
            errors = variable_problems(
                graphql_schema, document, context.operation_name, context.variables
            )
        if not errors:
            problem = measure(
                graphql_schema, document, context.operation_name, context.variables
            ).problem()
            if problem:
                errors.append(GraphQLError(problem, extensions={"code": TOO_COMPLEX}))
        context.pre_execution_errors = errors
        yield


class ShapeErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape(error) for error in result.errors]


def shape(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, PartnergraphError):
        return _with(error, error.message, original.code, original.field)
    if original is None or isinstance(original, GraphQLError):
        code = (error.extensions or {}).get("code")
        if code:
            return error
        if error.message.startswith("Syntax Error: Document contains more than"):
            return _with(error, error.message, TOO_COMPLEX)
        if isinstance(error, ValidationAbortedError):
            return _with(error, ABORTED, TOO_COMPLEX)
        return _with(error, error.message, BAD_INPUT)
    log.error("unexpected error in %s", error.path, exc_info=original)
    return _with(error, "internal server error", "INTERNAL_SERVER_ERROR")


def _with(error: GraphQLError, message: str, code: str, field: str | None = None) -> GraphQLError:
    extensions = {"code": code}
    if field:
        extensions["field"] = field
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )
