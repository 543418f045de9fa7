"""Settings, from the environment or a `.env` file in the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.db import Graph


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Any Neo4j 5 (a server, a cluster, Aura). Unset: the project's local Neo4j.
    neo4j_uri: str | None = Field(None, validation_alias=_env("NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=_env("NEO4J_USER"))
    neo4j_password: SecretStr = Field(SecretStr(""), validation_alias=_env("NEO4J_PASSWORD"))
    neo4j_database: str = Field("neo4j", validation_alias=_env("NEO4J_DATABASE"))

    # Generated bundles and the local Neo4j's files, relative to the working directory.
    var_dir: Path = Field(Path("var"), validation_alias=_env("PARTNERGRAPH_VAR_DIR"))

    # The audit trail of cross-partner questions: JSON lines, appended by each API process.
    audit_log: Path = Field(
        Path("var/audit.jsonl"), validation_alias=_env("PARTNERGRAPH_AUDIT_LOG")
    )

    # The local Neo4j (used only when NEO4J_URI is unset); its data folder defaults to var/neo4j.
    neo4j_home: Path | None = Field(None, validation_alias=_env("PARTNERGRAPH_NEO4J_HOME"))
    local_neo4j_port: int = Field(7687, validation_alias=_env("PARTNERGRAPH_NEO4J_PORT"))
    local_neo4j_heap: str = Field("2g", validation_alias=_env("PARTNERGRAPH_NEO4J_HEAP"))
    local_neo4j_page_cache: str = Field(
        "1g", validation_alias=_env("PARTNERGRAPH_NEO4J_PAGE_CACHE")
    )

    # Bearer tokens (JWT).
    token_secret: SecretStr = Field(
        SecretStr("change-me-partnergraph-development-secret"),
        validation_alias=_env("PARTNERGRAPH_TOKEN_SECRET"),
    )
    token_algorithm: Literal["HS256", "RS256"] = Field(
        "HS256", validation_alias=_env("PARTNERGRAPH_TOKEN_ALGORITHM")
    )
    token_issuer: str = Field("partnergraph", validation_alias=_env("PARTNERGRAPH_TOKEN_ISSUER"))
    token_audience: str = Field(
        "partnergraph-api", validation_alias=_env("PARTNERGRAPH_TOKEN_AUDIENCE")
    )
    token_jwks_url: str | None = Field(None, validation_alias=_env("PARTNERGRAPH_TOKEN_JWKS_URL"))
    token_public_key: str | None = Field(
        None, validation_alias=_env("PARTNERGRAPH_TOKEN_PUBLIC_KEY")
    )

    # The API.
    host: str = Field("127.0.0.1", validation_alias=_env("PARTNERGRAPH_HOST"))
    port: int = Field(8000, validation_alias=_env("PARTNERGRAPH_PORT"))
    development: bool = Field(True, validation_alias=_env("PARTNERGRAPH_DEVELOPMENT"))

    @property
    def uses_local_neo4j(self) -> bool:
        return not self.neo4j_uri

    @property
    def local_neo4j_home(self) -> Path:
        return (self.neo4j_home or self.var_dir / "neo4j").resolve()

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_neo4j_port}"

    def connect(self) -> Graph:
        return Graph.connect(
            self.bolt_uri,
            self.neo4j_user,
            self.neo4j_password.get_secret_value(),
            self.neo4j_database,
        )
