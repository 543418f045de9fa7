"""Whom a partner stands for in a reach question, and which of their customers count.

DESIGN.md: a participant p stands for itself and its sub-partners up to `depth` levels down
the sub-partner DAG; R(p) is their customers with an account in $statuses, kept where the
customer matches the target industries and regions (an empty list matches all). Every reach
question (campaignReach, planReach, suggestPartners, export-reach) reads R through these
fragments; each names what it takes in and gives out.

Parameters the fragments use: $statuses (account statuses), $industries and $regions (target
lists, empty for all), $allowed (the partners whose accounts the viewer may count, or null for
all).
"""

from __future__ import annotations

MAX_DEPTH = 5

# An account of partner q for customer c counts.
COUNTED = """a.status IN $statuses
  AND (size($industries) = 0 OR c.industry IN $industries)
  AND (size($regions) = 0 OR c.region IN $regions)
  AND ($allowed IS NULL OR q.key IN $allowed)"""


def team(depth: int) -> str:
    """In: p, a Partner. Out: rows (p, q), q each partner p stands for — itself and its
    sub-partners up to `depth` levels below — once each (a sub-partner under two of p's
    partners, or met at two depths, is one)."""
    # Cypher takes no parameter as a variable-length bound: `depth` is written into the query,
    # checked here to be an int in 0..MAX_DEPTH (never request text).
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be an int from 0 to {MAX_DEPTH}: {depth!r}")
    return f"""CALL (p) {{
  MATCH (q:Partner)-[:SUB_PARTNER_OF*0..{depth}]->(p)
  RETURN DISTINCT q
}}"""


def reached(depth: int) -> str:
    """In: p, a Partner. Out: rows (p, c), each customer c in R(p) once."""
    return f"""CALL (p) {{
  {team(depth)}
  MATCH (q)-[a:HAS_ACCOUNT]->(c:Customer)
  WHERE {COUNTED}
  RETURN DISTINCT c
}}"""
