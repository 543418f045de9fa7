"""The overlap queries of two partners, each written out whole; graph/analytics/overlap.py
picks which runs (the rankings over many partners are in `overlap_rankings.py`).

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
from graph.partners import partner_map

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
