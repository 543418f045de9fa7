"""Settings, from the environment or a `.env` file in the working directory.

PARTNERGRAPH_ENV is `development` (the default) or `production`. Production refuses to start
with a token secret anyone can know (the built-in one, or one under 32 bytes) and turns
introspection, GraphiQL and field suggestions off; development starts with a warning instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.db import Graph
from graph.errors import PartnergraphError
from graph.messages import number_of

# The map page's build (`npm --prefix web run build`), beside the code in a checkout.
WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
DEVELOPMENT_SECRET = "change-me-partnergraph-development-secret"
MIN_SECRET_BYTES = 32  # HS256's key should be as long as its hash (RFC 7518, 3.2)


class Misconfigured(PartnergraphError):
    """A setting that cannot be read, or that the API refuses to start with."""


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

    # The audit trail lives in the graph; set, every committed event is also a JSON line here.
    audit_log: Path | None = Field(None, validation_alias=_env("PARTNERGRAPH_AUDIT_LOG"))

    # The local Neo4j (used only when NEO4J_URI is unset); its data folder defaults to var/neo4j.
    neo4j_home: Path | None = Field(None, validation_alias=_env("PARTNERGRAPH_NEO4J_HOME"))
    local_neo4j_port: int = Field(
        7687, ge=1, le=65535, validation_alias=_env("PARTNERGRAPH_NEO4J_PORT")
    )
    local_neo4j_heap: str = Field("2g", validation_alias=_env("PARTNERGRAPH_NEO4J_HEAP"))
    local_neo4j_page_cache: str = Field(
        "1g", validation_alias=_env("PARTNERGRAPH_NEO4J_PAGE_CACHE")
    )

    # Bearer tokens (JWT).
    token_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
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

    # The API. GraphiQL (PARTNERGRAPH_DEVELOPMENT) defaults to on in development, off in production.
    env: Literal["development", "production"] = Field(
        "development", validation_alias=_env("PARTNERGRAPH_ENV")
    )
    host: str = Field("127.0.0.1", validation_alias=_env("PARTNERGRAPH_HOST"))
    port: int = Field(8000, ge=1, le=65535, validation_alias=_env("PARTNERGRAPH_PORT"))
    development: bool | None = Field(None, validation_alias=_env("PARTNERGRAPH_DEVELOPMENT"))
    # How long one request may take, end to end; its queries are stopped in Neo4j after it.
    request_seconds: float = Field(
        30.0, gt=0, le=3600, validation_alias=_env("PARTNERGRAPH_REQUEST_SECONDS")
    )
    # On SIGTERM, how long requests in flight may still take before the process stops anyway.
    drain_seconds: float = Field(
        20.0, ge=0, le=3600, validation_alias=_env("PARTNERGRAPH_DRAIN_SECONDS")
    )
    # The built map page that GET /map serves (an installed package sets it: the Dockerfile).
    map_dist: Path = Field(WEB_DIST, validation_alias=_env("PARTNERGRAPH_MAP_DIST"))

    # Operations (api/telemetry.py): GET /metrics (defaults to on in development, off in
    # production), a JSON line per request, OpenTelemetry traces (on when an OTLP endpoint is set).
    metrics: bool | None = Field(None, validation_alias=_env("PARTNERGRAPH_METRICS"))
    request_log: Literal["off", "json"] = Field(
        "off", validation_alias=_env("PARTNERGRAPH_REQUEST_LOG")
    )
    otel: bool | None = Field(None, validation_alias=_env("PARTNERGRAPH_OTEL"))
    otel_endpoint: str | None = Field(None, validation_alias=_env("OTEL_EXPORTER_OTLP_ENDPOINT"))

    @field_validator("development", "metrics", "otel", "audit_log", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value  # docker-compose.yml passes an unset one as ""

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def graphiql(self) -> bool:
        return not self.production and self.development is not False

    @property
    def metrics_served(self) -> bool:
        return self.metrics if self.metrics is not None else not self.production

    @property
    def tracing(self) -> bool:
        return self.otel if self.otel is not None else bool(self.otel_endpoint)

    def weak_secret(self) -> str | None:
        """Why the token secret is one anyone could know, or None (RS256 uses no secret)."""
        if self.token_algorithm != "HS256":
            return None
        secret = self.token_secret.get_secret_value()
        if secret == DEVELOPMENT_SECRET:
            return "PARTNERGRAPH_TOKEN_SECRET is the built-in development secret"
        size = len(secret.encode("utf-8", "surrogatepass"))
        if size < MIN_SECRET_BYTES:
            return (
                f"PARTNERGRAPH_TOKEN_SECRET is {number_of(size, 'byte')}; production needs at "
                f"least {MIN_SECRET_BYTES}"
            )
        return None

    def check(self) -> str | None:
        """Raise Misconfigured for what production refuses; the warning development gets."""
        weak = self.weak_secret()
        if self.production and weak:
            raise Misconfigured(f"{weak}: set a random one, e.g. `openssl rand -hex 32`")
        if self.production and self.development:
            raise Misconfigured(
                "PARTNERGRAPH_DEVELOPMENT=true serves GraphiQL, which production does not: unset it"
            )
        if weak:
            return f"{weak}: anyone can sign tokens for this API (production refuses to start)"
        return None

    @property
    def uses_local_neo4j(self) -> bool:
        return not self.neo4j_uri

    @property
    def local_neo4j_home(self) -> Path:
        return (self.neo4j_home or self.var_dir / "neo4j").resolve()

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_neo4j_port}"

    def connect(self, *, retry_seconds: float = 5.0) -> Graph:
        """A driver for the configured Neo4j; transient failures are tried again for
        `retry_seconds` (the API asks for less: its requests must fail fast)."""
        return Graph.connect(
            self.bolt_uri,
            self.neo4j_user,
            self.neo4j_password.get_secret_value(),
            self.neo4j_database,
            retry_seconds=retry_seconds,
        )


def load_settings() -> Settings:
    """The settings of the environment; Misconfigured, in one line, when one cannot be read."""
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "a setting"
            problems.append(f"{name}: {problem['msg']} (got {problem.get('input')!r})")
        raise Misconfigured("; ".join(problems)) from None
