"""Generated GraphQL documents and variables, over HTTP, against the real app on a small graph.

hypothesis-graphql writes documents valid for the schema (every root query and mutation, nested
fields, literal arguments); here their scalars are hostile (lone surrogates, NUL and control
characters, 100 KB strings, injection-looking text, huge and non-finite numbers) or real keys and
IDs of the loaded graph, and half of the documents pass their arguments as variables instead.
Each is sent with a staff or a partner token. No answer may be a 5xx or an unmasked internal
error, and a mutation that is refused must leave the graph exactly as it was.

Failures are collected over the whole run and reported together, one shortest example of each
kind (the known ones are product bugs being fixed; see the test's assertion message).
`PARTNERGRAPH_FUZZ_DOCUMENTS` sets how many documents (`make fuzz` runs more).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema
from starlette.testclient import TestClient
from support import ALL_NODES, ALL_RELATIONSHIPS, wipe, write_csv

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id
from resolvers.schema import schema

EDGES = [
    '{ tierReview(asOf: "0001-01-01", change: UPGRADE) { totalCount nodes { partner { key } sales } } }',
    '{ partners(first: 5) { nodes { tierReview(asOf: "9999-12-31") { sales nextTier } } } }',
    '{ coSellPlans(activeOn: "0001-01-01") { nodes { progress(asOf: "9999-12-31") { attainment } } } }',
    '{ coSellPlan(key: "J1") { progress(asOf: "0001-01-01") { expectedByNow onTrack } } }',
    '{ partnerImpact(from: "0001-01-01", to: "9999-12-31", first: 100) { totalCount baselineWinRate nodes { partner { key } influencedWonAmount winRateInfluenced lift } } }',
    '{ partnerImpact(from: "9999-12-31", to: "0001-01-01") { totalCount } }',
    "{ deals(first: 10) { nodes { key influencedBy { key accounts { totalCount } } } } }",
]
DOCUMENTS = int(os.environ.get("PARTNERGRAPH_FUZZ_DOCUMENTS", "1000"))
GRAPHQL_SCHEMA: graphql.GraphQLSchema = schema._schema

SETTINGS = hypothesis_settings(
    max_examples=(DOCUMENTS + 1) // 2,  # two documents each
    deadline=None,
    derandomize=os.environ.get("PARTNERGRAPH_FUZZ_RANDOM") != "1",  # the suite: the same documents
    phases=[Phase.explicit, Phase.generate],  # failures are collected, not shrunk
    suppress_health_check=list(HealthCheck),
    database=None,
)

JSON = "application/json"
KNOWN = [
    'mutation { dealRegister(input: {partner: "UGFydG5lcjpQMDI", customer: "Q3VzdG9tZXI6QzI", amount: 1e999}) { deal { key } } }',
    'mutation { campaignCreate(input: {key: "K9", name: "Nine", startsOn: "2026-01-01", budget: -1e999}) { campaign { key } } }',
    'mutation { campaignAddPartners(input: {campaign: "Q2FtcGFpZ246SzE", partners: [{partner: "UGFydG5lcjpQMDM", mdf: 1e999}]}) { campaign { key } } }',
    'mutation { customerCreate(input: {key: "C9", name: "Nine", region: "%s"}) { customer { key } } }'
    % ("r" * 9000),
]
# Takes a stored non-finite number out again, so one such write is reported once, not ever after.
UNDO_NON_FINITE = """
CALL () {
  MATCH (n) WHERE any(k IN keys(n) WHERE n[k] IS :: FLOAT AND (isNaN(n[k]) OR abs(n[k]) > $max))
  DETACH DELETE n
}
CALL () {
  MATCH ()-[r]->() WHERE any(k IN keys(r) WHERE r[k] IS :: FLOAT AND (isNaN(r[k]) OR abs(r[k]) > $max))
  DELETE r
}
"""
# Words of internals that no message may show (unless the request itself carried them).
INTERNALS = [
    "Traceback",
    'File "',
    "neo4j_code",
    "Neo.ClientError",
    "Neo.DatabaseError",
    "gql_status",
]
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\x1b[31m\x07\x08",
    "line\nbreak\ttab\r",
    "' OR 1=1 --",
    '" OR ""="',
    "}) MATCH (n) DETACH DELETE n //",
    "'}) MATCH (n) DETACH DELETE n WITH 1 AS x MATCH (m {key: '",
    "$key",
    "{{ 7*7 }}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    'Ünïcode, Ltd; "Söhne" & Co — 株式会社 🚀',
    "\u202eRTL",
    "NaN",
    "Infinity",
    "1e999",
    "-0",
    "2026-02-30",
    "9999-12-31",
    "0000-01-01",
]
HUGE = ["x" * 100_000, "é" * 60_000, "\x00" * 10_000, "a;" * 20_000]
HUGE_FLOATS = ["1e999", "-1e999", "1e308", "-1.7976931348623157e308", "5e-324", "0", "-0.0"]
HUGE_INTS = [2**31, -(2**31) - 1, 2**63, 10**30]


async def snapshot(graph: Graph) -> list[str]:
    """Every node and relationship with every property, as sorted text (cheap to compare)."""
    found = [
        repr((sorted(record["labels"]), sorted(record["props"].items())))
        for record in await graph.read(ALL_NODES)
    ]
    found += [
        repr((record["a"], record["type"], record["b"], sorted(record["props"].items())))
        for record in await graph.read(ALL_RELATIONSHIPS)
    ]
    return sorted(found)


def refused_values(found: list[str]) -> list[str]:
    """Stored values the rules refuse: non-finite numbers (repr shows them as bare words)."""
    return [item[:200] for item in found if re.search(r"[\s(\[,](-?inf|nan)[,)\]]", item)]


@dataclass
class World:
    """What the fuzz draws real values from: keys and global IDs of the loaded graph."""

    keys: list[str]
    ids: list[str]
    partners: list[str]


def small_bundle(folder: Path) -> Path:
    """Five partners (a small tree), eight customers, a program tier, and a few of everything
    else."""
    partners = ["P01", "P02", "P03", "P04", "P05"]
    kinds = ["DISTRIBUTOR", "RESELLER", "RESELLER", "MSP", "OEM"]
    write_csv(
        folder,
        "partners.csv",
        [
            [key, f"Partner {key}", kind, "GOLD", "EMEA", "DE", "Retail;Health", "SELL", ""]
            for key, kind in zip(partners, kinds, strict=True)
        ],
    )
    write_csv(folder, "sub_partners.csv", [["P02", "P01", "", ""], ["P03", "P01", "", "0.5"]])
    customers = [f"C{i}" for i in range(1, 9)]
    write_csv(
        folder,
        "customers.csv",
        [[key, f"Customer {key}, Ltd", "", "Retail", "EMEA", "10"] for key in customers],
    )
    statuses = ["CUSTOMER", "OPPORTUNITY", "PROSPECT"]
    write_csv(
        folder,
        "accounts.csv",
        [
            [partner, customer, statuses[(i + j) % 3], "", ""]
            for i, partner in enumerate(partners)
            for j, customer in enumerate(customers)
            if (i + j) % 3 != 1
        ],
    )
    write_csv(folder, "partner_links.csv", [["P02", "P04", "CO_SELL", "", ""]])
    write_csv(folder, "solutions.csv", [["S1", "Suite", "Retail", "2025-01-01"]])
    write_csv(folder, "solution_partners.csv", [["S1", "P01", "LEAD", "0.6", ""]])
    write_csv(
        folder,
        "agreements.csv",
        [
            ["A1", "P04", "P02", "ACCOUNT_LIST", "2025-01-01", "", "ACTIVE"],
            ["A2", "P05", "P02", "OVERLAP_COUNTS", "2025-01-01", "2099-01-01", "ACTIVE"],
            ["A3", "P02", "P04", "ACCOUNT_LIST", "2025-01-01", "", "REVOKED"],
        ],
    )
    write_csv(
        folder,
        "campaigns.csv",
        [["K1", "Spring", "2026-01-01", "2099-01-01", "EMAIL", "1000", "Retail", ""]],
    )
    write_csv(folder, "campaign_partners.csv", [["K1", "P01", "LEAD", "100"]])
    write_csv(
        folder,
        "deals.csv",
        [
            ["D1", "P02", "C1", "100", "", "PENDING", "2026-01-01", "2099-01-01"],
            ["D2", "P04", "C1", "200", "", "APPROVED", "2026-01-02", "2099-01-01"],
            # Closed ones: their closedOn, margin and earnings are asked too.
            ["D3", "P05", "C2", "300", "", "WON", "2026-01-02", "", "2026-02-01", "0.2"],
            ["D4", "P02", "C3", "400", "", "WON", "2026-01-02", "", "2026-02-01", ""],
            ["D5", "P02", "C3", "500", "", "LOST", "2026-01-02", "", "", ""],
        ],
    )
    write_csv(folder, "program_tiers.csv", [["GOLD", "1000000", "5", "0.22", "shared leads"]])
    write_csv(
        folder,
        "cosell_plans.csv",
        [["J1", "Joint", "2026-01-01", "2026-12-31", "500000", "4", "Retail", ""]],
    )
    write_csv(
        folder,
        "cosell_plan_partners.csv",
        [["J1", "P01", "field marketing", "2500"], ["J1", "P02", "", ""]],
    )
    write_csv(folder, "cosell_plan_campaigns.csv", [["J1", "K1"]])
    return folder


async def load_small_bundle(graph: Graph, folder: Path) -> Path:
    await wipe(graph)
    result = await import_bundle(graph, small_bundle(folder))
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
    return folder


def read_world(folder: Path) -> World:
    import csv

    keys: list[str] = []
    ids: list[str] = []
    partners: list[str] = []
    for name, label in [
        ("partners.csv", "Partner"),
        ("customers.csv", "Customer"),
        ("solutions.csv", "Solution"),
        ("agreements.csv", "Agreement"),
        ("campaigns.csv", "Campaign"),
        ("deals.csv", "Deal"),
        ("cosell_plans.csv", "CoSellPlan"),
    ]:
        path = folder / name
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))[:8]
        for row in rows:
            keys.append(row["key"])
            ids.append(encode_id(label, row["key"]))
            if label == "Partner":
                partners.append(row["key"])
    return World(keys, ids, partners)


def strings(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(world.keys),
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(HUGE),
        st.text(max_size=30),
        st.text(alphabet=st.characters(codec=None), max_size=10),  # surrogates too
    )


def value_nodes(world: World) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    def text(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
        return values.map(lambda value: graphql.StringValueNode(value=value))

    floats = st.one_of(
        st.sampled_from(HUGE_FLOATS),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(["0.5", "1", "0.0001", "-1", "250000.5"]),
    ).map(lambda value: graphql.FloatValueNode(value=value))
    ints = st.one_of(
        st.integers(min_value=-5, max_value=120),
        st.integers(min_value=-(2**31), max_value=2**31 - 1),
        st.sampled_from(HUGE_INTS),
    ).map(lambda value: graphql.IntValueNode(value=str(value)))
    dates = st.one_of(
        st.dates().map(lambda day: day.isoformat()),
        st.sampled_from(["2026-06-01", "2020-01-01", "2099-12-31"]),
        strings(world),
    )
    return {
        "String": text(strings(world)),
        "ID": text(st.one_of(st.sampled_from(world.ids), strings(world))),
        "Date": text(dates),
        "Float": floats,
        "Int": ints,
    }


class _Variables(graphql.Visitor):
    """Turns every argument of a document into a variable of the argument's type."""

    def __init__(self, type_info: graphql.TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[graphql.VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> graphql.ArgumentNode | None:
        argument = self.type_info.get_argument()
        if argument is None or isinstance(node.value, graphql.VariableNode):
            return None
        name = f"v{len(self.definitions)}"
        self.definitions.append(
            graphql.VariableDefinitionNode(
                variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                type=graphql.parse_type(str(argument.type)),
            )
        )
        self.values[name] = graphql.value_from_ast_untyped(node.value)
        return graphql.ArgumentNode(
            name=node.name, value=graphql.VariableNode(name=graphql.NameNode(value=name))
        )


def as_variables(tree: graphql.DocumentNode) -> tuple[graphql.DocumentNode, dict[str, Any]]:
    """The same operation with its arguments passed as variables, and their values."""
    type_info = graphql.TypeInfo(GRAPHQL_SCHEMA)
    turning = _Variables(type_info)
    changed = graphql.visit(tree, graphql.TypeInfoVisitor(type_info, turning))
    operation, *others = changed.definitions
    operation = rebuilt(operation, variable_definitions=tuple(turning.definitions))
    return rebuilt(changed, definitions=(operation, *others)), turning.values


def rebuilt(node: Any, **changes: Any) -> Any:
    """A copy of an AST node with some fields changed (graphql-core's nodes are frozen)."""
    fields = {key: getattr(node, key) for key in node.keys if key != "loc"}
    return type(node)(**{**fields, **changes})


def asking_for_user_errors(tree: graphql.DocumentNode) -> graphql.DocumentNode:
    """Every mutation field also selects `userErrors { code }`, so a refusal can be told."""
    operation = tree.definitions[0]
    if not isinstance(operation, graphql.OperationDefinitionNode) or (
        operation.operation != graphql.OperationType.MUTATION
    ):
        return tree
    errors = graphql.parse("{ userErrors { code } }").definitions[0]
    assert isinstance(errors, graphql.OperationDefinitionNode)
    fields = []
    for selection in operation.selection_set.selections:
        if isinstance(selection, graphql.FieldNode) and selection.selection_set is not None:
            inner = selection.selection_set
            more = (*inner.selections, *errors.selection_set.selections)
            selection = rebuilt(selection, selection_set=rebuilt(inner, selections=more))
        fields.append(selection)
    selections = rebuilt(operation.selection_set, selections=tuple(fields))
    operation = rebuilt(operation, selection_set=selections)
    return rebuilt(tree, definitions=(operation, *tree.definitions[1:]))


def body_of(query: str, variables: dict[str, Any] | None) -> bytes:
    # json.dumps writes Infinity and NaN for non-finite floats, as a careless client would;
    # lone surrogates become \\ud800 escapes, which is valid JSON.
    return json.dumps({"query": query, "variables": variables}).encode()


@dataclass
class Failure:
    kind: str
    query: str
    variables: dict[str, Any] | None
    viewer: str
    detail: str

    def size(self) -> int:
        return len(self.query) + len(json.dumps(self.variables, default=str))


@dataclass
class Run:
    documents: int = 0
    mutations: int = 0
    refused_mutations: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)

    def fail(self, failure: Failure) -> None:
        known = self.failures.get(failure.kind)
        if known is None or failure.size() < known.size():
            self.failures[failure.kind] = failure

    def report(self) -> str:
        lines = []
        for failure in self.failures.values():
            variables = json.dumps(failure.variables, default=str)
            query = " ".join(failure.query.split())
            lines.append(
                f"- {failure.kind} as {failure.viewer}: {failure.detail}\n"
                f"  query: {shorten(query)}\n  variables: {shorten(variables)}"
            )
        return "\n".join(lines)


class Causes(logging.Handler):
    """The exceptions behind the masked internal errors of the current request."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            self.found.append(f"{type(error).__name__}: {str(error)[:160]}")


def shorten(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def kind_of(error: dict[str, Any]) -> str:
    path = [part for part in error.get("path") or [] if isinstance(part, str)]
    return f"{error.get('extensions', {}).get('code')} at {'.'.join(path[:1]) or '(root)'}"


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, Graph, World]]:
    # An exception in the app is answered 500, as a real server would, not raised here.
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:

        async def connect() -> Graph:
            return settings.connect()

        graph = client.portal.call(connect)
        folder = client.portal.call(load_small_bundle, graph, tmp_path / "small")
        try:
            yield client, graph, read_world(folder)
        finally:
            client.portal.call(wipe, graph)
            client.portal.call(graph.close)


@pytest.mark.timeout(300)  # a long run by design; a hang still fails
def test_generated_documents_never_fail_internally_and_refusals_write_nothing(
    app: tuple[TestClient, Graph, World], settings: Settings
) -> None:
    client, graph, world = app
    tokens = Tokens(settings)
    viewers = {
        "admin": tokens.mint("admin"),
        "alliance_manager": tokens.mint("alliance_manager"),
        "marketer": tokens.mint("marketer"),
        **{f"partner:{key}": tokens.mint("partner", key) for key in world.partners[:3]},
    }
    documents = from_schema(
        GRAPHQL_SCHEMA,
        custom_scalars=value_nodes(world),
        print_ast=lambda tree: tree,  # changed here before it is printed
    )
    run = Run()
    causes = Causes()
    logging.getLogger("partnergraph").addHandler(causes)
    state = {"graph": client.portal.call(snapshot, graph)}

    def send(tree: graphql.DocumentNode, viewer: str, use_variables: bool, accept: str) -> None:
        variables = None
        if use_variables:
            tree, variables = as_variables(tree)
        query = graphql.print_ast(tree)
        is_mutation = query.lstrip().startswith("mutation")
        causes.found.clear()
        response = client.post(
            "/graphql",
            content=body_of(query, variables),
            headers={
                "Authorization": f"Bearer {viewers[viewer]}",
                "Content-Type": "application/json",
                "Accept": accept,
            },
        )
        run.documents += 1
        run.by_status[response.status_code] = run.by_status.get(response.status_code, 0) + 1

        def fail(kind: str, detail: str) -> None:
            run.fail(Failure(kind, query, variables, viewer, detail))

        if response.status_code >= 500:
            fail(f"HTTP {response.status_code}", response.text[:300])
            return
        try:
            answer = response.json()
        except ValueError:
            fail("not JSON", response.text[:300])
            return
        sent = query + json.dumps(variables)
        for error in answer.get("errors") or []:
            code = error.get("extensions", {}).get("code")
            message = str(error.get("message", ""))
            if code == "INTERNAL_SERVER_ERROR" or code is None:
                fail(f"internal error {kind_of(error)}", "; ".join(causes.found) or message[:200])
            leaked = [word for word in INTERNALS if word in message and word not in sent]
            if leaked:
                fail(f"unmasked message {kind_of(error)}", message[:200])
        if is_mutation and response.status_code == 200:
            run.mutations += 1
            payloads = list((answer.get("data") or {}).values())
            refused = all(
                payload is None or bool(payload.get("userErrors")) for payload in payloads
            )
            after = client.portal.call(snapshot, graph)
            if stored := refused_values(after):
                roots = ",".join(sorted((answer.get("data") or {}).keys()))
                fail(f"a non-finite number was stored by {roots}", stored[0])
                client.portal.call(graph.write, UNDO_NON_FINITE, {"max": sys.float_info.max})
                after = client.portal.call(snapshot, graph)
            if refused:
                run.refused_mutations += 1
                if after != state["graph"]:
                    roots = ",".join(sorted((answer.get("data") or {}).keys()))
                    fail(f"a refused {roots} wrote", json.dumps(answer, default=str)[:300])
            state["graph"] = after

    # The hostile cases users met first, always among the documents (then the generated ones).
    @example(document=graphql.parse(KNOWN[0]), viewer="admin", other="admin", accept=JSON)
    @example(document=graphql.parse(KNOWN[1]), viewer="admin", other="marketer", accept=JSON)
    @example(document=graphql.parse(KNOWN[2]), viewer="admin", other="admin", accept=JSON)
    @example(document=graphql.parse(KNOWN[3]), viewer="admin", other="admin", accept=JSON)
    # The calendar's edges, where a day's 365-day window would start before the calendar does,
    # and a plan's progress asked at either end of the calendar.
    @example(document=graphql.parse(EDGES[0]), viewer="partner:P01", other="admin", accept=JSON)
    @example(document=graphql.parse(EDGES[1]), viewer="admin", other="partner:P02", accept=JSON)
    @example(document=graphql.parse(EDGES[2]), viewer="admin", other="partner:P01", accept=JSON)
    @example(document=graphql.parse(EDGES[3]), viewer="partner:P02", other="admin", accept=JSON)
    # Influenced revenue over the whole calendar, a window the wrong way round, and who
    # influenced each deal: staff are answered, a partner is refused.
    @example(document=graphql.parse(EDGES[4]), viewer="admin", other="partner:P02", accept=JSON)
    @example(document=graphql.parse(EDGES[5]), viewer="marketer", other="partner:P01", accept=JSON)
    @example(document=graphql.parse(EDGES[6]), viewer="partner:P02", other="admin", accept=JSON)
    # Each generated operation is sent twice, as two viewers: with literal arguments, and with
    # the same values as variables (generating an operation costs about as much as sending it).
    @SETTINGS
    @given(
        document=documents,
        viewer=st.sampled_from(sorted(viewers)),
        other=st.sampled_from(sorted(viewers)),
        accept=st.sampled_from(["application/json", "application/graphql-response+json"]),
    )
    def check(document: graphql.DocumentNode, viewer: str, other: str, accept: str) -> None:
        tree = asking_for_user_errors(document)
        send(tree, viewer, False, accept)
        send(tree, other, True, accept)

    began = time.monotonic()
    try:
        check()
    finally:
        logging.getLogger("partnergraph").removeHandler(causes)
    took = time.monotonic() - began
    rate = run.documents / took if took else math.inf
    summary = (
        f"{run.documents} documents ({run.mutations} mutations, {run.refused_mutations} refused) "
        f"in {took:.1f} s: {rate:.0f} documents/s; statuses {dict(sorted(run.by_status.items()))}"
    )
    print(f"\nfuzz: {summary}")
    assert run.documents >= DOCUMENTS
    assert not run.failures, f"{summary}\n{run.report()}"
