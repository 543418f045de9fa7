"""An independent model of partner maps, built from a bundle's CSV rows with sets and a plain
breadth-first walk.

The map graph: partners joined by their links and sub-partner relationships (either direction)
and by overlaps (at least `least` shared customers, over all statuses, both partners counted by
the viewer); partners and the solutions they co-created; a customer center and the partners
holding it that the viewer may list. Nodes are kept hop by hop, best first (influence desc, an
unscored node last, then key, then kind) until `limit`; edges are the relationships between kept
nodes and their overlaps, the `most` strongest (ties by the two keys).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from paths_oracle import read_bundle
from reach_oracle import Bundle
from support import read_csv

Node = tuple[str, str]  # (kind, key)
LINKS = ("SUB_PARTNER_OF", "CO_SELLS_WITH", "REFERS_TO", "INTEGRATES_WITH")
STRUCTURE = (*LINKS, "CO_CREATED")


@dataclass
class MapModel:
    partners: dict[str, dict[str, str]]
    names: dict[Node, str]
    accounts: dict[str, set[str]]  # partner -> customers
    relationships: dict[tuple[str, Node, Node], float]  # (kind, from, to) -> strength, the last row
    influence: dict[str, float | None]
    communities: dict[str, int | None]
    bundle: Bundle

    @classmethod
    def read(cls, folder: Path, scores: dict[str, tuple[float | None, int | None]]) -> MapModel:
        names, found = read_bundle(folder)
        relationships = {(rel.kind, rel.a, rel.b): rel.strength for rel in found}
        accounts: dict[str, set[str]] = {}
        for row in read_csv(folder / "partners.csv"):
            accounts[row["key"]] = set()
        for kind, a, b in relationships:
            if kind == "HAS_ACCOUNT":
                accounts[a[1]].add(b[1])
        partners = {row["key"]: row for row in read_csv(folder / "partners.csv")}
        return cls(
            partners,
            names,
            accounts,
            relationships,
            {key: scores.get(key, (None, None))[0] for key in partners},
            {key: scores.get(key, (None, None))[1] for key in partners},
            Bundle.read(folder),
        )

    def counted_for(self, viewer: str) -> set[str]:
        """The partners whose accounts `viewer` may count: itself and every grantor in force."""
        return self.bundle.grantors_for(viewer, {"OVERLAP_COUNTS", "ACCOUNT_LIST"})

    def overlap(self, a: str, b: str) -> int:
        return len(self.accounts[a] & self.accounts[b])

    def admits(self, key: str, filters: dict[str, Any]) -> bool:
        row = self.partners[key]
        tests = {
            "types": lambda values: row["type"] in values,
            "tiers": lambda values: row["tier"] in values,
            "regions": lambda values: row["region"] in values,
            "industries": lambda values: bool(set(row["industries"].split(";")) & set(values)),
            "communities": lambda values: self.communities[key] in values,
            "nameContains": lambda value: value.lower() in row["name"].lower(),
        }
        return all(tests[name](value) for name, value in filters.items() if value is not None)

    def score(self, node: Node) -> tuple[float, str, str]:
        value = self.influence.get(node[1]) if node[0] == "Partner" else None
        return (-(value if value is not None else -1.0), node[1], node[0])

    def neighbours(
        self, node: Node, least: int, counted: Collection[str], listed: Collection[str]
    ) -> set[Node]:
        kind, key = node
        found: set[Node] = set()
        for rel, a, b in self.relationships:
            if rel in STRUCTURE and node in (a, b):
                found.add(b if a == node else a)
            elif rel == "HAS_ACCOUNT" and kind == "Customer" and b == node and a[1] in listed:
                found.add(a)
        if kind == "Partner" and key in counted:
            for other in self.accounts:
                if other != key and other in counted and self.overlap(key, other) >= least:
                    found.add(("Partner", other))
        return found


def expected_map(
    model: MapModel,
    center: Node | None,
    depth: int = 2,
    limit: int = 500,
    filters: dict[str, Any] | None = None,
    least: int = 1,
    most: int = 2000,
    viewer: str | None = None,
) -> dict[str, Any]:
    """{nodes: {node: distance}, edges: {(source, target, kind): weight}, truncated, sizes}."""
    filters = filters or {}
    counted = model.counted_for(viewer) if viewer else set(model.accounts)
    listed = model.bundle.listed_for(viewer) if viewer else set(model.accounts)
    kept: dict[Node, int | None] = {}
    truncated = False
    if center is None:
        ranked = sorted(
            (("Partner", key) for key in model.partners if model.admits(key, filters)),
            key=model.score,
        )
        truncated = len(ranked) > limit
        kept = {node: None for node in ranked[:limit]}
    else:
        kept = {center: 0}
        frontier = {center}
        for distance in range(1, depth + 1):
            reached = set().union(*(model.neighbours(n, least, counted, listed) for n in frontier))
            fresh = {
                n for n in reached - set(kept) if n[0] != "Partner" or model.admits(n[1], filters)
            }
            room = limit - len(kept)
            ranked = sorted(fresh, key=model.score)
            kept.update({n: distance for n in ranked[:room]})
            if len(ranked) > room:
                truncated = True
                break
            if not fresh:
                break
            frontier = fresh
    edges: dict[tuple[Node, Node, str], float] = {}
    for (rel, a, b), strength in model.relationships.items():
        shown = rel in STRUCTURE or (rel == "HAS_ACCOUNT" and a[1] in listed)
        if shown and a in kept and b in kept:
            edges[(a, b, rel)] = strength
    pairs = [
        (model.overlap(a, b), a, b)
        for a, b in combinations(sorted(key for kind, key in kept if kind == "Partner"), 2)
        if a in counted and b in counted
    ]
    pairs = sorted((p for p in pairs if p[0] >= least), key=lambda p: (-p[0], p[1], p[2]))
    for shared, a, b in pairs[:most]:
        edges[(("Partner", a), ("Partner", b), "OVERLAP")] = float(shared)
    sizes = {node: _size(model, node, counted, listed) for node in kept}
    omitted = max(len(pairs) - most, 0)
    return {
        "nodes": kept,
        "edges": edges,
        "truncated": truncated,
        "sizes": sizes,
        "omitted": omitted,
    }


def _size(model: MapModel, node: Node, counted: set[str], listed: set[str]) -> tuple[int, bool]:
    kind, key = node
    if kind == "Partner":
        return (len(model.accounts[key]), True) if key in counted else (0, False)
    if kind == "Customer":
        return sum(1 for p in listed if key in model.accounts.get(p, ())), True
    creators = {a for rel, a, b in model.relationships if rel == "CO_CREATED" and b == node}
    return len(creators), True
