"""Agreements: data-sharing grants, (grantor)-[:GRANTS]->(a)-[:TO]->(grantee): reads and writes.

A partner-scoped viewer sees only the agreements it grants or receives: every query takes
`$member`, the viewer's partner key, or null for staff.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from neo4j.exceptions import ConstraintError

from graph.db import Graph
from graph.errors import Conflict, Forbidden, NotFound
from graph.listing import Listing, Order
from graph.messages import shown
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]
Side = Literal["GRANTED", "RECEIVED"]

# The grantor and grantee ride along, so showing them costs no further round trip. `p` is
# local to each comprehension: no query below binds it.
AGREEMENT = (
    "a {.key, .scopes, .validFrom, .validTo, .status,"
    f" grantor: [(p:Partner)-[:GRANTS]->(a) | {PARTNER}][0],"
    f" grantee: [(a)-[:TO]->(p:Partner) | {PARTNER}][0]}}"
)

VISIBLE = (
    "$member IS NULL"
    " OR EXISTS { (:Partner {key: $member})-[:GRANTS]->(a) }"
    " OR EXISTS { (a)-[:TO]->(:Partner {key: $member}) }"
)


def in_force(on: str) -> str:
    """The predicate of an agreement in force on the date `on` (a parameter)."""
    return (
        f"a.status = 'ACTIVE' AND a.validFrom <= {on} AND (a.validTo IS NULL OR a.validTo >= {on})"
    )


AGREEMENTS = Listing(
    label="Agreement",
    var="a",
    projection=AGREEMENT,
    filters={
        "statuses": "a.status IN $statuses",
        "scopes": "any(scope IN a.scopes WHERE scope IN $scopes)",
        "grantor": "EXISTS { (:Partner {key: $grantor})-[:GRANTS]->(a) }",
        "grantee": "EXISTS { (a)-[:TO]->(:Partner {key: $grantee}) }",
        "inForceOn": in_force("$inForceOn"),
        "notInForceOn": f"NOT ({in_force('$notInForceOn')})",
        "member": VISIBLE,
    },
    sources={
        "member": """
CALL () {
  MATCH (:Partner {key: $member})-[:GRANTS]->(a:Agreement)
  RETURN a
  UNION
  MATCH (a:Agreement)-[:TO]->(:Partner {key: $member})
  RETURN a
}""",
        "grantor": "MATCH (:Partner {key: $grantor})-[:GRANTS]->(a:Agreement)",
        "grantee": "MATCH (a:Agreement)-[:TO]->(:Partner {key: $grantee})",
    },
    orders={
        "KEY": Order("a.key", seekable=True),
        "VALID_FROM": Order("coalesce(a.validFrom, date('0001-01-01'))", "date($after[0])"),
    },
)

AGREEMENTS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (a:Agreement {{key: key}})
WHERE {VISIBLE}
RETURN {AGREEMENT} AS agreement
"""

# The partner's side of each agreement: the one it grants, or the one it receives.
PATTERNS: dict[Side, str] = {
    "GRANTED": "(me)-[:GRANTS]->(a:Agreement)",
    "RECEIVED": "(a:Agreement)-[:TO]->(me)",
}
WANTED = f"({VISIBLE}) AND ($inForce IS NULL OR ({in_force('$today')}) = $inForce)"


def _by_partner(pattern: str) -> str:
    return f"""
UNWIND $keys AS key
MATCH (me:Partner {{key: key}})
CALL (me) {{
  MATCH {pattern}
  WHERE {WANTED} AND ($after IS NULL OR a.key > $after)
  WITH a ORDER BY a.key LIMIT $limit
  RETURN collect({AGREEMENT}) AS agreements
}}
RETURN key, agreements
"""


def _counts_by_partner(pattern: str) -> str:
    return f"""
UNWIND $keys AS key
MATCH (me:Partner {{key: key}})
RETURN key, COUNT {{ MATCH {pattern} WHERE {WANTED} }} AS n
"""


AGREEMENTS_BY_PARTNER = {side: _by_partner(pattern) for side, pattern in PATTERNS.items()}
AGREEMENT_COUNTS_BY_PARTNER = {
    side: _counts_by_partner(pattern) for side, pattern in PATTERNS.items()
}


async def agreements_by_keys(graph: Graph, keys: list[str], member: str | None) -> dict[str, Row]:
    found = await graph.read_column(
        AGREEMENTS_BY_KEYS, "agreement", {"keys": keys, "member": member}
    )
    return {row["key"]: row for row in found}


async def agreements_by_partner(
    graph: Graph,
    keys: list[str],
    side: Side,
    member: str | None,
    in_force: bool | None,
    today: date,
    window: Window,
) -> dict[str, list[Row]]:
    """Each partner's agreements on one side, by key; `in_force` (on `today`) when not None."""
    params = {
        "keys": keys,
        "member": member,
        "inForce": in_force,
        "today": today,
        "limit": window.limit,
        "after": window.after_key,
    }
    return await graph.read_by_key(AGREEMENTS_BY_PARTNER[side], "agreements", params)


async def agreement_counts_by_partner(
    graph: Graph,
    keys: list[str],
    side: Side,
    member: str | None,
    in_force: bool | None,
    today: date,
) -> dict[str, int]:
    params = {"keys": keys, "member": member, "inForce": in_force, "today": today}
    return await graph.read_by_key(AGREEMENT_COUNTS_BY_PARTNER[side], "n", params)


# Writes: an agreement granted (always ACTIVE), and revoked. `$grantor` in REVOKE is the partner
# a partner viewer acts for (only its own grants), or null for staff.

GRANT = f"""
MATCH (grantor:Partner {{key: $grantor}})
MATCH (grantee:Partner {{key: $grantee}})
CREATE (grantor)-[:GRANTS]->(a:Agreement {{key: $key}})-[:TO]->(grantee)
SET a.scopes = $scopes, a.validFrom = $validFrom, a.validTo = $validTo, a.status = 'ACTIVE'
RETURN {AGREEMENT} AS agreement
"""

REVOKE = f"""
MATCH (a:Agreement {{key: $key}})
WHERE $grantor IS NULL OR EXISTS {{ (:Partner {{key: $grantor}})-[:GRANTS]->(a) }}
SET a.status = 'REVOKED'
RETURN {AGREEMENT} AS agreement
"""


async def grant_agreement(graph: Graph, fields: dict[str, Any]) -> Row | None:
    """A new ACTIVE agreement from `fields` (key, grantor, grantee, scopes, validFrom, validTo);
    None when the grantor or grantee is missing, Conflict when the key is taken."""
    try:
        records = await graph.write(GRANT, fields)
    except ConstraintError:
        taken = fields["key"]
        raise Conflict(
            f"an agreement with key {shown(taken)} exists already", field="key"
        ) from None
    return records[0]["agreement"] if records else None


async def revoke_agreement(graph: Graph, key: str, grantor: str | None) -> Row:
    """Set the agreement REVOKED (again, if it is). Acting for `grantor`, only one it granted:
    anything else is Forbidden, whether it exists or not; for staff an unknown key is NotFound."""
    records = await graph.write(REVOKE, {"key": key, "grantor": grantor})
    if records:
        return records[0]["agreement"]
    if grantor is not None:
        raise Forbidden("a partner may revoke only the agreements it granted")
    raise NotFound(f"there is no agreement {shown(key)}", field="agreement")
