"""Solutions: lookups, the listing, the partners that co-created them (CO_CREATED), and writes.

Solutions and who built them are directory data: every viewer sees them. A solution has at
most one LEAD partner.
"""

from __future__ import annotations

from typing import Any

from neo4j.exceptions import ConstraintError

from graph.db import Graph, Transaction
from graph.errors import Conflict, NotFound
from graph.listing import Listing, Order, lower_name, name_contains
from graph.members import MISSING, UnknownPartners
from graph.messages import shown
from graph.model import SolutionRole
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]

SOLUTION = "s {.key, .name, .industry, .launchedOn}"
CONTRIBUTION = "role: r.role, share: r.share, strength: r.strength"
LEAD = SolutionRole.LEAD.value

SOLUTIONS = Listing(
    label="Solution",
    var="s",
    projection=SOLUTION,
    filters={
        "industries": "s.industry IN $industries",
        "nameContains": name_contains("s"),
        "keys": "s.key IN $keys",
    },
    orders={
        "KEY": Order("s.key", seekable=True),
        "NAME": Order("s.name"),
        "LAUNCHED_ON": Order("coalesce(s.launchedOn, date('0001-01-01'))", "date($after[0])"),
    },
)

SOLUTIONS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (s:Solution {{key: key}})
RETURN {SOLUTION} AS solution
"""

# A partner's contributions by solution key, each partner's own window.
CONTRIBUTIONS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
CALL (p) {{
  MATCH (p)-[r:CO_CREATED]->(s:Solution)
  WHERE $after IS NULL OR s.key > $after
  WITH r, s ORDER BY s.key LIMIT $limit
  RETURN collect({{{CONTRIBUTION}, partner: p.key, solution: {SOLUTION}}}) AS contributions
}}
RETURN key, contributions
"""

CONTRIBUTION_COUNTS_BY_PARTNER = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
RETURN key, COUNT { (p)-[:CO_CREATED]->(:Solution) } AS n
"""

# A solution's contributions by partner key.
CONTRIBUTIONS_BY_SOLUTION = f"""
UNWIND $keys AS key
MATCH (s:Solution {{key: key}})
CALL (s) {{
  MATCH (p:Partner)-[r:CO_CREATED]->(s)
  WHERE $after IS NULL OR p.key > $after
  WITH r, p ORDER BY p.key LIMIT $limit
  RETURN collect({{{CONTRIBUTION}, solution: s.key, partner: {PARTNER}}}) AS contributions
}}
RETURN key, contributions
"""

CONTRIBUTION_COUNTS_BY_SOLUTION = """
UNWIND $keys AS key
MATCH (s:Solution {key: key})
RETURN key, COUNT { (:Partner)-[:CO_CREATED]->(s) } AS n
"""


async def solutions_by_keys(graph: Graph, keys: list[str]) -> dict[str, Row]:
    found = await graph.read_column(SOLUTIONS_BY_KEYS, "solution", {"keys": keys})
    return {row["key"]: row for row in found}


async def contributions_by_partner(
    graph: Graph, keys: list[str], window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(CONTRIBUTIONS_BY_PARTNER, "contributions", params)


async def contribution_counts_by_partner(graph: Graph, keys: list[str]) -> dict[str, int]:
    return await graph.read_by_key(CONTRIBUTION_COUNTS_BY_PARTNER, "n", {"keys": keys})


async def contributions_by_solution(
    graph: Graph, keys: list[str], window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(CONTRIBUTIONS_BY_SOLUTION, "contributions", params)


async def contribution_counts_by_solution(graph: Graph, keys: list[str]) -> dict[str, int]:
    return await graph.read_by_key(CONTRIBUTION_COUNTS_BY_SOLUTION, "n", {"keys": keys})


# Writes: a new solution, and its partners added (or changed) as a list.

CREATE_SOLUTION = f"""
CREATE (s:Solution {{key: $key}})
SET s.name = $name, s.industry = $industry, s.launchedOn = $launchedOn
{lower_name("s")}
RETURN {SOLUTION} AS solution
"""

# Take the solution's write lock (a property set and removed holds it until commit), so that two
# changes of its partners run one after the other and each sees the other's lead; then the
# missing partners and the leads as they stand.
LOCK_SOLUTION = f"""
MATCH (s:Solution {{key: $solution}})
SET s._lock = true
REMOVE s._lock
RETURN {MISSING},
       [(lead:Partner)-[:CO_CREATED {{role: 'LEAD'}}]->(s) | lead.key] AS leads
"""

ADD_CONTRIBUTIONS = f"""
MATCH (s:Solution {{key: $solution}})
UNWIND $contributions AS row
MATCH (partner:Partner {{key: row.partner}})
MERGE (partner)-[r:CO_CREATED]->(s)
SET r.role = row.role, r.share = row.share, r.strength = row.strength
WITH DISTINCT s
RETURN {SOLUTION} AS solution
"""


class TooManyLeads(Conflict):
    """A solution would have more than one LEAD partner."""

    def __init__(self, solution: str, leads: list[str]) -> None:
        named = " and ".join(repr(key) for key in leads)
        super().__init__(f"solution {shown(solution)} would have {len(leads)} leads: {named}")
        self.leads = leads


async def create_solution(graph: Graph, fields: dict[str, Any]) -> Row:
    """A new solution from `fields` (key, name, industry, launchedOn); Conflict on a taken key."""
    try:
        records = await graph.write(CREATE_SOLUTION, fields)
    except ConstraintError:
        taken = fields["key"]
        raise Conflict(f"a solution with key {shown(taken)} exists already", field="key") from None
    return records[0]["solution"]


async def add_contributions(graph: Graph, solution: str, contributions: list[Row]) -> Row:
    """Merge each partner's CO_CREATED (partner, role, share, strength) into the solution, in one
    transaction: NotFound, UnknownPartners or TooManyLeads (after the change) write nothing."""
    partners = [row["partner"] for row in contributions]

    async def work(tx: Transaction) -> Row:
        records = await tx.run(LOCK_SOLUTION, {"solution": solution, "partners": partners})
        if not records:
            raise NotFound(f"there is no solution {shown(solution)}", field="solution")
        if records[0]["missing"]:
            raise UnknownPartners(records[0]["missing"])
        roles = {row["partner"]: row["role"] for row in contributions}
        kept = {key for key in records[0]["leads"] if roles.get(key, LEAD) == LEAD}
        leads = sorted(kept | {key for key, role in roles.items() if role == LEAD})
        if len(leads) > 1:
            raise TooManyLeads(solution, leads)
        params = {"solution": solution, "contributions": contributions}
        return (await tx.run(ADD_CONTRIBUTIONS, params))[0]["solution"]

    return await graph.transaction(work)
