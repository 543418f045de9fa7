"""Accounts: a partner's customers (HAS_ACCOUNT), read per partner or per customer, and written."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.customers import CUSTOMER
from graph.db import Graph
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]

ACCOUNT = "status: a.status, since: a.since, strength: a.strength"
# An account removed by a transaction that commits while a read runs can still be matched by it
# (Neo4j reads committed data, not a snapshot), and then reads as holding no properties: every
# account has a status and a strength, so a row lacking either (the removal may commit between
# the two reads) is such an account and is left out.
STILL_HELD = "account.status IS NOT NULL AND account.strength IS NOT NULL"

# A partner's accounts by customer key, each partner's own window.
ACCOUNTS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
CALL (p) {{
  MATCH (p)-[a:HAS_ACCOUNT]->(c:Customer)
  WHERE ($statuses IS NULL OR a.status IN $statuses) AND ($after IS NULL OR c.key > $after)
  WITH a, c ORDER BY c.key LIMIT $limit
  WITH {{{ACCOUNT}, partner: p.key, customer: {CUSTOMER}}} AS account WHERE {STILL_HELD}
  RETURN collect(account) AS accounts
}}
RETURN key, accounts
"""

# Without a status filter the count comes from the degree store, without reading relationships.
ACCOUNT_COUNTS_BY_PARTNER = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
RETURN key, CASE WHEN $statuses IS NULL THEN COUNT { (p)-[:HAS_ACCOUNT]->() }
                 ELSE COUNT { (p)-[a:HAS_ACCOUNT]->() WHERE a.status IN $statuses } END AS n
"""

# A customer's accounts by partner key; `$owners` (when not null) keeps the visible partners.
ACCOUNTS_BY_CUSTOMER = f"""
UNWIND $keys AS key
MATCH (c:Customer {{key: key}})
CALL (c) {{
  MATCH (p:Partner)-[a:HAS_ACCOUNT]->(c)
  WHERE ($statuses IS NULL OR a.status IN $statuses) AND ($owners IS NULL OR p.key IN $owners)
    AND ($after IS NULL OR p.key > $after)
  WITH a, p ORDER BY p.key LIMIT $limit
  WITH {{{ACCOUNT}, customer: c.key, partner: {PARTNER}}} AS account WHERE {STILL_HELD}
  RETURN collect(account) AS accounts
}}
RETURN key, accounts
"""

ACCOUNT_COUNTS_BY_CUSTOMER = """
UNWIND $keys AS key
MATCH (c:Customer {key: key})
RETURN key, COUNT {
  MATCH (p:Partner)-[a:HAS_ACCOUNT]->(c)
  WHERE ($statuses IS NULL OR a.status IN $statuses) AND ($owners IS NULL OR p.key IN $owners)
} AS n
"""

# The overlap counts stored between the largest partners (`graph.analytics.overlap_store`) follow
# every account write in its own transaction. A write for a stored partner first takes the
# customer's lock (a property set and removed again: nothing stays), so that two writes for one
# customer see each other's accounts; `o.count` read in its own SET is read under its lock, so
# two writes for one pair both count. Pairs are updated in key order against deadlocks. The
# keys compare as strings made in the query (`+ ''`): Neo4j orders two keys read from the store
# by code point but a key from a parameter by UTF-16 code unit, and the direction of a pair
# must not depend on which of its partners the write names (`cypher_order`).
LOCK_CUSTOMER = """
CALL (p, c) {
  WITH p, c WHERE p.overlapsStored
  SET c.overlapsLock = true
  REMOVE c.overlapsLock
}
"""

# Every account created or removed is counted on the ecosystem node: an analysis that sees the
# count move while it runs leaves its stored counts stale (`graph.ecosystem.record_analysis`).
# It runs last, holding the node's lock only while the write commits.
COUNT_WRITE = """
CALL () {
  OPTIONAL MATCH (e:Ecosystem {key: 'ecosystem'})
  SET e.accountWrites = coalesce(e.accountWrites, 0) + 1
}
"""

UPSERT_ACCOUNT = f"""
MATCH (p:Partner {{key: $partner}})
MATCH (c:Customer {{key: $customer}})
{LOCK_CUSTOMER}
WITH p, c, NOT EXISTS {{ (p)-[:HAS_ACCOUNT]->(c) }} AS created
MERGE (p)-[a:HAS_ACCOUNT]->(c)
SET a.status = $status, a.since = $since, a.strength = $strength
WITH p, c, a, created
CALL (p, c, created) {{
  WITH p, c WHERE created AND p.overlapsStored
  MATCH (q:Partner)-[:HAS_ACCOUNT]->(c)
  WHERE q <> p AND q.overlapsStored
  WITH CASE WHEN p.key + '' < q.key + '' THEN [p, q] ELSE [q, p] END AS pair
  WITH pair[0] AS low, pair[1] AS high ORDER BY low.key, high.key
  MERGE (low)-[o:OVERLAPS]->(high)
  SET o.count = coalesce(o.count, 0) + 1
}}
CALL (created) {{
  WITH created WHERE created
  {COUNT_WRITE}
}}
RETURN {{{ACCOUNT}, partner: p.key, customer: {CUSTOMER}}} AS account
"""

REMOVE_ACCOUNT = f"""
MATCH (p:Partner {{key: $partner}})
MATCH (c:Customer {{key: $customer}})
{LOCK_CUSTOMER}
MATCH (p)-[a:HAS_ACCOUNT]->(c)
CALL (p, c) {{
  WITH p, c WHERE p.overlapsStored
  MATCH (q:Partner)-[:HAS_ACCOUNT]->(c)
  WHERE q <> p AND q.overlapsStored
  MATCH (p)-[o:OVERLAPS]-(q)
  WITH o ORDER BY startNode(o).key, endNode(o).key
  SET o.count = o.count - 1
  WITH o WHERE o.count <= 0
  DELETE o
}}
DELETE a
WITH count(*) AS removed
CALL (removed) {{
  WITH removed WHERE removed > 0
  {COUNT_WRITE}
}}
RETURN removed
"""


async def accounts_by_partner(
    graph: Graph, keys: list[str], statuses: list[str] | None, window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "statuses": statuses, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(ACCOUNTS_BY_PARTNER, "accounts", params)


async def account_counts_by_partner(
    graph: Graph, keys: list[str], statuses: list[str] | None
) -> dict[str, int]:
    return await graph.read_by_key(
        ACCOUNT_COUNTS_BY_PARTNER, "n", {"keys": keys, "statuses": statuses}
    )


async def accounts_by_customer(
    graph: Graph,
    keys: list[str],
    statuses: list[str] | None,
    owners: list[str] | None,
    window: Window,
) -> dict[str, list[Row]]:
    params = {
        "keys": keys,
        "statuses": statuses,
        "owners": owners,
        "limit": window.limit,
        "after": window.after_key,
    }
    return await graph.read_by_key(ACCOUNTS_BY_CUSTOMER, "accounts", params)


async def account_counts_by_customer(
    graph: Graph, keys: list[str], statuses: list[str] | None, owners: list[str] | None
) -> dict[str, int]:
    params = {"keys": keys, "statuses": statuses, "owners": owners}
    return await graph.read_by_key(ACCOUNT_COUNTS_BY_CUSTOMER, "n", params)


async def upsert_account(
    graph: Graph, partner: str, customer: str, status: str, since: date | None, strength: float
) -> Row | None:
    params = {
        "partner": partner,
        "customer": customer,
        "status": status,
        "since": since,
        "strength": strength,
    }
    records = await graph.write(UPSERT_ACCOUNT, params)
    return records[0]["account"] if records else None


async def remove_account(graph: Graph, partner: str, customer: str) -> bool:
    records = await graph.write(REMOVE_ACCOUNT, {"partner": partner, "customer": customer})
    return bool(records[0]["removed"])
