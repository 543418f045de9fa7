"""The overlap queries, each written out whole; graph/analytics/overlap.py picks which runs.

`overlap`, `shared_customers` and `top_overlaps` each have three queries, because each case
reads the graph differently:
- plain (no roll-up, every status): a partner's size is its degree, and no status is read;
- BY_STATUS (no roll-up, some statuses): each side's accounts are walked once, by status, and
  serve both its size and the intersection;
- ROLLED_UP (a partner stands for itself and the partners below it): its members are found
  first; a lone member asked for every status is still counted by degree.
The only text put into a query is a row projection (`partner_map(v)`, `PARTNER`, `CUSTOMER`:
the rows every graph/ query returns); every value is a `$parameter`.
"""

from __future__ import annotations

from graph.customers import CUSTOMER
from graph.partners import PARTNER, partner_map

# The count of customers both partners hold. The smaller side's accounts are walked; the larger
# side's are walked too, each customer looked up in the smaller's list (Cypher hashes `IN` on a
# list), unless the larger side holds more than $probeRatio times as many: then each of the
# smaller side's customers (a handful of holders each) is probed for an account of the larger.
# An empty list makes a branch run no rows. Every HAS_ACCOUNT ends at a customer: no labels.
OVERLAP = f"""
MATCH (a:Partner {{key: $a}})
MATCH (b:Partner {{key: $b}})
WITH a, b, COUNT {{ (a)-[:HAS_ACCOUNT]->() }} AS sizeA, COUNT {{ (b)-[:HAS_ACCOUNT]->() }} AS sizeB
WITH a, b, sizeA, sizeB,
     CASE WHEN sizeA <= sizeB THEN [a, b] ELSE [b, a] END AS smallLarge,
     CASE WHEN sizeA <= sizeB THEN sizeB > $probeRatio * sizeA
          ELSE sizeA > $probeRatio * sizeB END AS probe
WITH a, b, sizeA, sizeB, smallLarge[0] AS small, smallLarge[1] AS large, probe
CALL (small) {{
  MATCH (small)-[:HAS_ACCOUNT]->(c)
  RETURN collect(c) AS mine
}}
CALL (large, probe, mine) {{
  UNWIND CASE WHEN probe THEN [] ELSE [large] END AS walked
  MATCH (walked)-[:HAS_ACCOUNT]->(c)
  WHERE c IN mine
  RETURN count(c) AS sharedByWalking
}}
CALL (large, probe, mine) {{
  UNWIND CASE WHEN probe THEN mine ELSE [] END AS c
  WITH c WHERE EXISTS {{ (large)-[:HAS_ACCOUNT]->(c) }}
  RETURN count(c) AS sharedByProbing
}}
RETURN sizeA, sizeB, sharedByWalking + sharedByProbing AS shared,
       {partner_map("a")} AS aRow, {partner_map("b")} AS bRow
"""

# Each side's customers with a status in $statuses, walked once (one partner holds a customer
# once: no DISTINCT); the smaller list's customers are looked up in the larger (hashed `IN`).
OVERLAP_BY_STATUS = f"""
MATCH (a:Partner {{key: $a}})
MATCH (b:Partner {{key: $b}})
CALL (a) {{
  MATCH (a)-[r:HAS_ACCOUNT]->(c)
  WHERE r.status IN $statuses
  RETURN collect(c) AS heldByA
}}
CALL (b) {{
  MATCH (b)-[r:HAS_ACCOUNT]->(c)
  WHERE r.status IN $statuses
  RETURN collect(c) AS heldByB
}}
WITH a, b, size(heldByA) AS sizeA, size(heldByB) AS sizeB,
     CASE WHEN size(heldByA) <= size(heldByB) THEN [heldByA, heldByB]
          ELSE [heldByB, heldByA] END AS smallLarge
CALL (smallLarge) {{
  WITH smallLarge[1] AS theirs
  UNWIND smallLarge[0] AS c
  WITH c WHERE c IN theirs
  RETURN count(c) AS shared
}}
RETURN sizeA, sizeB, shared, {partner_map("a")} AS aRow, {partner_map("b")} AS bRow
"""

# OVERLAP where a partner stands for itself and every partner below it (those in $allowed, when
# given). A side with one member asked for every status ($everyStatus) is counted by degree, as
# in OVERLAP; a side with more collects its members' DISTINCT customers (a customer reached twice
# counts once), with a status in $statuses unless $everyStatus. The smaller side's customers
# (`mine`: collected, or walked when counted by degree) are looked up in the larger side's list,
# or, when the larger was counted by degree, found by walking or probing it as in OVERLAP.
OVERLAP_ROLLED_UP = f"""
MATCH (a:Partner {{key: $a}})
MATCH (b:Partner {{key: $b}})
CALL (a) {{
  OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+(a)
  WHERE $allowed IS NULL OR m.key IN $allowed
  WITH collect(DISTINCT m) AS below
  RETURN [a] + below AS membersOfA
}}
CALL (b) {{
  OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+(b)
  WHERE $allowed IS NULL OR m.key IN $allowed
  WITH collect(DISTINCT m) AS below
  RETURN [b] + below AS membersOfB
}}
WITH a, b, membersOfA, membersOfB,
     size(membersOfA) = 1 AND $everyStatus AS aByDegree,
     size(membersOfB) = 1 AND $everyStatus AS bByDegree
CALL (membersOfA, aByDegree) {{
  UNWIND CASE WHEN aByDegree THEN [] ELSE membersOfA END AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c)
  WHERE $everyStatus OR r.status IN $statuses
  RETURN collect(DISTINCT c) AS heldByA
}}
CALL (membersOfB, bByDegree) {{
  UNWIND CASE WHEN bByDegree THEN [] ELSE membersOfB END AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c)
  WHERE $everyStatus OR r.status IN $statuses
  RETURN collect(DISTINCT c) AS heldByB
}}
WITH a, b, aByDegree, bByDegree, heldByA, heldByB,
     CASE WHEN aByDegree THEN COUNT {{ (a)-[:HAS_ACCOUNT]->() }} ELSE size(heldByA) END AS sizeA,
     CASE WHEN bByDegree THEN COUNT {{ (b)-[:HAS_ACCOUNT]->() }} ELSE size(heldByB) END AS sizeB
WITH a, b, sizeA, sizeB,
     CASE WHEN sizeA <= sizeB
          THEN [{{partner: a, byDegree: aByDegree, held: heldByA, size: sizeA}},
                {{partner: b, byDegree: bByDegree, held: heldByB, size: sizeB}}]
          ELSE [{{partner: b, byDegree: bByDegree, held: heldByB, size: sizeB}},
                {{partner: a, byDegree: aByDegree, held: heldByA, size: sizeA}}]
     END AS smallLarge
WITH a, b, sizeA, sizeB, smallLarge[0] AS small, smallLarge[1] AS large
WITH a, b, sizeA, sizeB, small, large, large.partner AS other,
     large.size > $probeRatio * small.size AS probe
CALL (small) {{
  UNWIND CASE WHEN small.byDegree THEN [small.partner] ELSE [] END AS lone
  MATCH (lone)-[:HAS_ACCOUNT]->(c)
  RETURN collect(c) AS accounts
}}
WITH a, b, sizeA, sizeB, large, other, probe,
     CASE WHEN small.byDegree THEN accounts ELSE small.held END AS mine
CALL (large, mine) {{
  WITH large.held AS theirs
  UNWIND CASE WHEN large.byDegree THEN [] ELSE mine END AS c
  WITH c WHERE c IN theirs
  RETURN count(c) AS sharedByLooking
}}
CALL (large, other, probe, mine) {{
  UNWIND CASE WHEN large.byDegree AND NOT probe THEN [other] ELSE [] END AS walked
  MATCH (walked)-[:HAS_ACCOUNT]->(c)
  WHERE c IN mine
  RETURN count(c) AS sharedByWalking
}}
CALL (large, other, probe, mine) {{
  UNWIND CASE WHEN large.byDegree AND probe THEN mine ELSE [] END AS c
  WITH c WHERE EXISTS {{ (other)-[:HAS_ACCOUNT]->(c) }}
  RETURN count(c) AS sharedByProbing
}}
RETURN sizeA, sizeB, sharedByLooking + sharedByWalking + sharedByProbing AS shared,
       {partner_map("a")} AS aRow, {partner_map("b")} AS bRow
"""

# The customers of OVERLAP, ordered by key: how many, and one window of them ($after, $limit),
# whose rows alone are read.
SHARED_CUSTOMERS = f"""
MATCH (a:Partner {{key: $a}})
MATCH (b:Partner {{key: $b}})
WITH a, b, COUNT {{ (a)-[:HAS_ACCOUNT]->() }} AS sizeA, COUNT {{ (b)-[:HAS_ACCOUNT]->() }} AS sizeB
WITH CASE WHEN sizeA <= sizeB THEN [a, b] ELSE [b, a] END AS smallLarge,
     CASE WHEN sizeA <= sizeB THEN sizeB > $probeRatio * sizeA
          ELSE sizeA > $probeRatio * sizeB END AS probe
WITH smallLarge[0] AS small, smallLarge[1] AS large, probe
CALL (small) {{
  MATCH (small)-[:HAS_ACCOUNT]->(c)
  RETURN collect(c) AS mine
}}
CALL (large, probe, mine) {{
  UNWIND CASE WHEN probe THEN [] ELSE [large] END AS walked
  MATCH (walked)-[:HAS_ACCOUNT]->(c)
  WHERE c IN mine
  RETURN collect(c) AS foundByWalking
}}
CALL (large, probe, mine) {{
  UNWIND CASE WHEN probe THEN mine ELSE [] END AS c
  WITH c WHERE EXISTS {{ (large)-[:HAS_ACCOUNT]->(c) }}
  RETURN collect(c) AS foundByProbing
}}
CALL (foundByWalking, foundByProbing) {{
  UNWIND foundByWalking + foundByProbing AS c
  WITH c ORDER BY c.key
  RETURN collect(c) AS found
}}
RETURN size(found) AS total,
       [c IN [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] | {CUSTOMER}] AS page
"""

# The customers of OVERLAP_BY_STATUS, ordered by key: how many, and one window of them.
SHARED_CUSTOMERS_BY_STATUS = f"""
MATCH (a:Partner {{key: $a}})
MATCH (b:Partner {{key: $b}})
CALL (a) {{
  MATCH (a)-[r:HAS_ACCOUNT]->(c)
  WHERE r.status IN $statuses
  RETURN collect(c) AS heldByA
}}
CALL (b) {{
  MATCH (b)-[r:HAS_ACCOUNT]->(c)
  WHERE r.status IN $statuses
  RETURN collect(c) AS heldByB
}}
WITH CASE WHEN size(heldByA) <= size(heldByB) THEN [heldByA, heldByB]
          ELSE [heldByB, heldByA] END AS smallLarge
CALL (smallLarge) {{
  WITH smallLarge[1] AS theirs
  UNWIND smallLarge[0] AS c
  WITH c WHERE c IN theirs
  WITH c ORDER BY c.key
  RETURN collect(c) AS found
}}
RETURN size(found) AS total,
       [c IN [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] | {CUSTOMER}] AS page
"""

# The customers of OVERLAP_ROLLED_UP, ordered by key: how many, and one window of them.
SHARED_CUSTOMERS_ROLLED_UP = f"""
MATCH (a:Partner {{key: $a}})
MATCH (b:Partner {{key: $b}})
CALL (a) {{
  OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+(a)
  WHERE $allowed IS NULL OR m.key IN $allowed
  WITH collect(DISTINCT m) AS below
  RETURN [a] + below AS membersOfA
}}
CALL (b) {{
  OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+(b)
  WHERE $allowed IS NULL OR m.key IN $allowed
  WITH collect(DISTINCT m) AS below
  RETURN [b] + below AS membersOfB
}}
WITH a, b, membersOfA, membersOfB,
     size(membersOfA) = 1 AND $everyStatus AS aByDegree,
     size(membersOfB) = 1 AND $everyStatus AS bByDegree
CALL (membersOfA, aByDegree) {{
  UNWIND CASE WHEN aByDegree THEN [] ELSE membersOfA END AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c)
  WHERE $everyStatus OR r.status IN $statuses
  RETURN collect(DISTINCT c) AS heldByA
}}
CALL (membersOfB, bByDegree) {{
  UNWIND CASE WHEN bByDegree THEN [] ELSE membersOfB END AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c)
  WHERE $everyStatus OR r.status IN $statuses
  RETURN collect(DISTINCT c) AS heldByB
}}
WITH a, b, aByDegree, bByDegree, heldByA, heldByB,
     CASE WHEN aByDegree THEN COUNT {{ (a)-[:HAS_ACCOUNT]->() }} ELSE size(heldByA) END AS sizeA,
     CASE WHEN bByDegree THEN COUNT {{ (b)-[:HAS_ACCOUNT]->() }} ELSE size(heldByB) END AS sizeB
WITH CASE WHEN sizeA <= sizeB
          THEN [{{partner: a, byDegree: aByDegree, held: heldByA, size: sizeA}},
                {{partner: b, byDegree: bByDegree, held: heldByB, size: sizeB}}]
          ELSE [{{partner: b, byDegree: bByDegree, held: heldByB, size: sizeB}},
                {{partner: a, byDegree: aByDegree, held: heldByA, size: sizeA}}]
     END AS smallLarge
WITH smallLarge[0] AS small, smallLarge[1] AS large
WITH small, large, large.partner AS other, large.size > $probeRatio * small.size AS probe
CALL (small) {{
  UNWIND CASE WHEN small.byDegree THEN [small.partner] ELSE [] END AS lone
  MATCH (lone)-[:HAS_ACCOUNT]->(c)
  RETURN collect(c) AS accounts
}}
WITH large, other, probe, CASE WHEN small.byDegree THEN accounts ELSE small.held END AS mine
CALL (large, mine) {{
  WITH large.held AS theirs
  UNWIND CASE WHEN large.byDegree THEN [] ELSE mine END AS c
  WITH c WHERE c IN theirs
  RETURN collect(c) AS foundByLooking
}}
CALL (large, other, probe, mine) {{
  UNWIND CASE WHEN large.byDegree AND NOT probe THEN [other] ELSE [] END AS walked
  MATCH (walked)-[:HAS_ACCOUNT]->(c)
  WHERE c IN mine
  RETURN collect(c) AS foundByWalking
}}
CALL (large, other, probe, mine) {{
  UNWIND CASE WHEN large.byDegree AND probe THEN mine ELSE [] END AS c
  WITH c WHERE EXISTS {{ (other)-[:HAS_ACCOUNT]->(c) }}
  RETURN collect(c) AS foundByProbing
}}
CALL (foundByLooking, foundByWalking, foundByProbing) {{
  UNWIND foundByLooking + foundByWalking + foundByProbing AS c
  WITH c ORDER BY c.key
  RETURN collect(c) AS found
}}
RETURN size(found) AS total,
       [c IN [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] | {CUSTOMER}] AS page
"""

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
