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

# A partner's accounts by customer key, each partner's own window.
ACCOUNTS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
CALL (p) {{
  MATCH (p)-[a:HAS_ACCOUNT]->(c:Customer)
  WHERE ($statuses IS NULL OR a.status IN $statuses) AND ($after IS NULL OR c.key > $after)
  WITH a, c ORDER BY c.key LIMIT $limit
  RETURN collect({{{ACCOUNT}, partner: p.key, customer: {CUSTOMER}}}) AS accounts
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
  RETURN collect({{{ACCOUNT}, customer: c.key, partner: {PARTNER}}}) AS accounts
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

UPSERT_ACCOUNT = f"""
MATCH (p:Partner {{key: $partner}})
MATCH (c:Customer {{key: $customer}})
MERGE (p)-[a:HAS_ACCOUNT]->(c)
SET a.status = $status, a.since = $since, a.strength = $strength
RETURN {{{ACCOUNT}, partner: p.key, customer: {CUSTOMER}}} AS account
"""

REMOVE_ACCOUNT = """
MATCH (:Partner {key: $partner})-[a:HAS_ACCOUNT]->(:Customer {key: $customer})
DELETE a
RETURN count(*) AS removed
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
