"""The overlap rankings, each written out whole: topOverlaps (three queries, one per case, as
`overlap_queries.py` explains), overlapMatrix and commonAccounts; graph/analytics/overlap.py
picks which runs. The only text put into a query is a row projection (`partner_map(v)`,
`PARTNER`, `CUSTOMER`); every value is a `$parameter`.
"""

from __future__ import annotations

from graph.customers import CUSTOMER
from graph.partners import PARTNER, partner_map

# The $first partners sharing most customers with $p: from each of p's customers to its other
# holders (in $allowed and $shown, when given); one holder holds a customer once, so a count of
# rows is a count of customers. Sizes, for the jaccard, are degrees, read only for candidates
# whose count reaches the $first-th best count: below it no jaccard can change the ranking.
# The ranking runs inside CALL (p): an unknown partner gives no row, none found an empty list.
TOP_OVERLAPS = f"""
MATCH (p:Partner {{key: $p}})
CALL (p) {{
  CALL (p) {{
    MATCH (p)-[:HAS_ACCOUNT]->(c)
    RETURN collect(c) AS customers
  }}
  WITH p, customers, size(customers) AS sizeP
  CALL (p, customers) {{
    UNWIND customers AS c
    MATCH (q)-[:HAS_ACCOUNT]->(c)
    WHERE q <> p
      AND ($allowed IS NULL OR q.key IN $allowed)
      AND ($shown IS NULL OR q.key IN $shown)
    RETURN q, count(*) AS shared
  }}
  WITH sizeP, q, shared ORDER BY shared DESC
  WITH sizeP, collect({{q: q, shared: shared}}) AS ranked
  WITH sizeP, ranked,
       CASE WHEN size(ranked) >= $first THEN ranked[$first - 1].shared ELSE 1 END AS cut
  UNWIND ranked AS candidate
  WITH sizeP, candidate.q AS q, candidate.shared AS shared, cut
  WHERE shared >= cut
  WITH q, shared, COUNT {{ (q)-[:HAS_ACCOUNT]->() }} AS sizeQ, sizeP
  WITH q, shared, toFloat(shared) / (sizeP + sizeQ - shared) AS jaccard
  ORDER BY shared DESC, jaccard DESC, q.key ASC
  LIMIT $first
  RETURN collect({{partner: {partner_map("q")}, shared: shared, jaccard: jaccard}}) AS top
}}
RETURN top
"""

# TOP_OVERLAPS counting only accounts with a status in $statuses: p's, its holders', and the
# candidates' sizes, walked.
TOP_OVERLAPS_BY_STATUS = f"""
MATCH (p:Partner {{key: $p}})
CALL (p) {{
  CALL (p) {{
    MATCH (p)-[r:HAS_ACCOUNT]->(c)
    WHERE r.status IN $statuses
    RETURN collect(c) AS customers
  }}
  WITH p, customers, size(customers) AS sizeP
  CALL (p, customers) {{
    UNWIND customers AS c
    MATCH (q)-[r:HAS_ACCOUNT]->(c)
    WHERE r.status IN $statuses AND q <> p
      AND ($allowed IS NULL OR q.key IN $allowed)
      AND ($shown IS NULL OR q.key IN $shown)
    RETURN q, count(*) AS shared
  }}
  WITH sizeP, q, shared ORDER BY shared DESC
  WITH sizeP, collect({{q: q, shared: shared}}) AS ranked
  WITH sizeP, ranked,
       CASE WHEN size(ranked) >= $first THEN ranked[$first - 1].shared ELSE 1 END AS cut
  UNWIND ranked AS candidate
  WITH sizeP, candidate.q AS q, candidate.shared AS shared, cut
  WHERE shared >= cut
  CALL (q) {{
    MATCH (q)-[r:HAS_ACCOUNT]->()
    WHERE r.status IN $statuses
    RETURN count(r) AS sizeQ
  }}
  WITH q, shared, toFloat(shared) / (sizeP + sizeQ - shared) AS jaccard
  ORDER BY shared DESC, jaccard DESC, q.key ASC
  LIMIT $first
  RETURN collect({{partner: {partner_map("q")}, shared: shared, jaccard: jaccard}}) AS top
}}
RETURN top
"""

# TOP_OVERLAPS where a partner stands for itself and the partners below it (in $allowed, when
# given): p's members' DISTINCT customers; from each, to its holders x (in $allowed) and every
# partner above a holder (looked up once per holder, not once per customer), that is not one of
# p's members; a customer reached through two holders counts once. A candidate's size: its
# degree when it is a lone member asked for every status, else its members' DISTINCT customers.
TOP_OVERLAPS_ROLLED_UP = f"""
MATCH (p:Partner {{key: $p}})
CALL (p) {{
  CALL (p) {{
    OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+(p)
    WHERE $allowed IS NULL OR m.key IN $allowed
    WITH collect(DISTINCT m) AS below
    RETURN [p] + below AS membersOfP
  }}
  CALL (membersOfP) {{
    UNWIND membersOfP AS m
    MATCH (m)-[r:HAS_ACCOUNT]->(c)
    WHERE $everyStatus OR r.status IN $statuses
    RETURN collect(DISTINCT c) AS customers
  }}
  WITH membersOfP, customers, size(customers) AS sizeP
  CALL (membersOfP, customers) {{
    UNWIND customers AS c
    MATCH (x)-[r:HAS_ACCOUNT]->(c)
    WHERE ($everyStatus OR r.status IN $statuses) AND ($allowed IS NULL OR x.key IN $allowed)
    WITH x, collect(c) AS held
    OPTIONAL MATCH (x)-[:SUB_PARTNER_OF]->+(above:Partner)
    WITH x, held, collect(DISTINCT above) AS aboves
    UNWIND [x] + aboves AS q
    WITH q, held
    WHERE NOT q IN membersOfP AND ($shown IS NULL OR q.key IN $shown)
    UNWIND held AS c
    RETURN q, count(DISTINCT c) AS shared
  }}
  WITH sizeP, q, shared ORDER BY shared DESC
  WITH sizeP, collect({{q: q, shared: shared}}) AS ranked
  WITH sizeP, ranked,
       CASE WHEN size(ranked) >= $first THEN ranked[$first - 1].shared ELSE 1 END AS cut
  UNWIND ranked AS candidate
  WITH sizeP, candidate.q AS q, candidate.shared AS shared, cut
  WHERE shared >= cut
  CALL (q) {{
    OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+(q)
    WHERE $allowed IS NULL OR m.key IN $allowed
    WITH collect(DISTINCT m) AS below
    RETURN [q] + below AS membersOfQ
  }}
  WITH sizeP, q, shared, membersOfQ, size(membersOfQ) = 1 AND $everyStatus AS qByDegree
  CALL (membersOfQ, qByDegree) {{
    UNWIND CASE WHEN qByDegree THEN [] ELSE membersOfQ END AS m
    MATCH (m)-[r:HAS_ACCOUNT]->(c)
    WHERE $everyStatus OR r.status IN $statuses
    RETURN count(DISTINCT c) AS walkedSizeQ
  }}
  WITH sizeP, q, shared,
       CASE WHEN qByDegree THEN COUNT {{ (q)-[:HAS_ACCOUNT]->() }} ELSE walkedSizeQ END AS sizeQ
  WITH q, shared, toFloat(shared) / (sizeP + sizeQ - shared) AS jaccard
  ORDER BY shared DESC, jaccard DESC, q.key ASC
  LIMIT $first
  RETURN collect({{partner: {partner_map("q")}, shared: shared, jaccard: jaccard}}) AS top
}}
RETURN top
"""

# The listed partners' rows; then, per customer, which of them hold it (with a status in
# $statuses, not read when $everyStatus): each pair of holders counts it once.
OVERLAP_MATRIX = f"""
CALL () {{
  UNWIND $keys AS key
  MATCH (p:Partner {{key: key}})
  RETURN collect({PARTNER}) AS partners
}}
CALL () {{
  UNWIND range(0, size($keys) - 1) AS i
  MATCH (p:Partner {{key: $keys[i]}})-[r:HAS_ACCOUNT]->(c)
  WHERE $everyStatus OR r.status IN $statuses
  WITH c, collect(i) AS holders
  UNWIND holders AS row
  UNWIND holders AS column
  WITH row, column, count(*) AS n
  RETURN collect([row, column, n]) AS cells
}}
RETURN partners, cells
"""

# Customers every one of $members ({key, statuses, every}) holds with one of its own statuses:
# walk the member with the fewest accounts (by degree), probe the others from each customer;
# `known` counts the members found. How many, and one window of them by key.
COMMON_ACCOUNTS = f"""
UNWIND $members AS member
MATCH (p:Partner {{key: member.key}})
WITH p, member ORDER BY COUNT {{ (p)-[:HAS_ACCOUNT]->() }}, p.key
WITH collect({{partner: p, statuses: member.statuses, every: member.every}}) AS members
CALL (members) {{
  WITH members[0] AS lead, members[0].partner AS walked, members[1..] AS rest
  MATCH (walked)-[r:HAS_ACCOUNT]->(c)
  WHERE (lead.every OR r.status IN lead.statuses)
    AND all(m IN rest WHERE EXISTS {{
      MATCH (x)-[r2:HAS_ACCOUNT]->(c)
      WHERE x = m.partner AND (m.every OR r2.status IN m.statuses)
    }})
  WITH c ORDER BY c.key
  RETURN collect(c) AS found
}}
RETURN size(members) AS known, size(found) AS total,
       [c IN [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] | {CUSTOMER}] AS page
"""
