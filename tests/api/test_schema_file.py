"""schema.graphql is what the code prints: regenerate it with `make schema`."""

from __future__ import annotations

from pathlib import Path

from resolvers.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_file_is_fresh() -> None:
    assert SCHEMA_FILE.read_text() == schema.as_str() + "\n", "run `make schema` and commit"
