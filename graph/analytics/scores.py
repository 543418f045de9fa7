"""The arithmetic of `partnergraph analyze`, over arrays: PageRank and communities.

No database here: `graph.analytics.network` reads the influence graph into a `Network` (nodes
numbered partners first, by key, then customers, then solutions, each by key) and writes back
what these functions return. The same `Network` gives the same scores and the same ids.

Why scipy and igraph: the medium ecosystem has a million customers and five million accounts.
PageRank is a sparse matrix-vector product repeated until it settles (scipy, tens of
milliseconds a step); the partner graph for communities is A·Aᵀ of the partner-by-customer
incidence (scipy's sparse product); Louvain runs in igraph's C core. networkx holds the same
graph as Python dicts, gigabytes and minutes, so it is the tests' oracle only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph
import numpy as np
import scipy.sparse as sp

DAMPING = 0.85
TOLERANCE = 1e-12  # on the L1 change of the scores per node: far below what is reported
MAX_ROUNDS = 1000
SEED = 20261201  # Louvain visits nodes in a random order: a fixed seed keeps ids stable


@dataclass(frozen=True)
class Edges:
    """Undirected edges between node numbers, with their strengths."""

    a: np.ndarray  # int64
    b: np.ndarray  # int64
    weight: np.ndarray  # float64

    @classmethod
    def of(cls, a: list[int], b: list[int], weight: list[float]) -> Edges:
        return cls(
            np.asarray(a, dtype=np.int64),
            np.asarray(b, dtype=np.int64),
            np.asarray(weight, dtype=np.float64),
        )

    @classmethod
    def join(cls, *parts: Edges) -> Edges:
        return cls(
            np.concatenate([part.a for part in parts]),
            np.concatenate([part.b for part in parts]),
            np.concatenate([part.weight for part in parts]),
        )


@dataclass(frozen=True)
class Network:
    partners: list[str]  # node i < len(partners) is partners[i]; keys sorted
    nodes: int  # partners, customers and solutions
    accounts: Edges  # partner -> customer
    links: Edges  # partner -> partner: sub-partner and co-sell, referral, integration links
    created: Edges  # partner -> solution


def strongest(edges: Edges, nodes: int) -> sp.csr_matrix:
    """The symmetric adjacency matrix: between two nodes the strongest of their relationships.
    A node's relationship to itself opens no door and is left out."""
    low = np.minimum(edges.a, edges.b)
    high = np.maximum(edges.a, edges.b)
    keep = low != high
    low, high, weight = low[keep], high[keep], edges.weight[keep]
    # Sorted by pair, strongest first: the first of each run of equal pairs is the edge.
    order = np.lexsort((-weight, high, low))
    low, high, weight = low[order], high[order], weight[order]
    first = np.ones(len(low), dtype=bool)
    first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
    low, high, weight = low[first], high[first], weight[first]
    rows = np.concatenate([low, high])
    cols = np.concatenate([high, low])
    matrix = sp.csr_matrix((np.concatenate([weight, weight]), (rows, cols)), shape=(nodes, nodes))
    matrix.sort_indices()
    return matrix


def pagerank(adjacency: sp.csr_matrix) -> np.ndarray:
    """Weighted PageRank by power iteration, as networkx defines it for an undirected graph: a
    walker follows an edge with probability proportional to its strength, jumps anywhere with
    probability 1 - DAMPING, and from a node without edges jumps anywhere."""
    n = adjacency.shape[0]
    if n == 0:
        return np.zeros(0)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    dangling = degree == 0
    inverse = np.zeros(n)
    inverse[~dangling] = 1.0 / degree[~dangling]
    scores = np.full(n, 1.0 / n)
    for _ in range(MAX_ROUNDS):
        # The matrix is symmetric: scores flowing along edges is A · (scores / degree).
        spread = adjacency @ (scores * inverse)
        jump = (DAMPING * scores[dangling].sum() + 1.0 - DAMPING) / n
        following = DAMPING * spread + jump
        change = np.abs(following - scores).sum()
        scores = following
        if change < n * TOLERANCE:
            break
    return scores


def influence(network: Network) -> np.ndarray:
    """Each partner's PageRank over the whole influence graph, divided by the top partner's."""
    edges = Edges.join(network.accounts, network.links, network.created)
    scores = pagerank(strongest(edges, network.nodes))[: len(network.partners)]
    top = scores.max() if len(scores) else 0.0
    return scores / top if top > 0 else scores


def shared_customers(network: Network) -> sp.csr_matrix:
    """The customers each two partners both hold (every status), partner by partner; the
    diagonal is a partner's own customers."""
    p = len(network.partners)
    accounts = network.accounts
    held = sp.csr_matrix(
        (np.ones(len(accounts.a)), (accounts.a, accounts.b)), shape=(p, network.nodes)
    )
    held.data[:] = 1.0  # a pair counted twice is still one shared customer
    return (held @ held.T).tocsr()


def overlap_bounds(shared: sp.csr_matrix) -> np.ndarray:
    """Per partner, the most customers it shares with any one other partner (0 for none)."""
    rows = shared.copy()
    rows.setdiag(0)
    rows.eliminate_zeros()
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(rows.max(axis=1).toarray()).ravel().astype(np.int64)


def partner_weights(network: Network, shared: sp.csr_matrix | None = None) -> sp.csr_matrix:
    """The partner graph communities are found in. Two partners p and q are joined by
    overlap(p, q) (the customers both hold, every status) + the strength of their strongest
    direct relationship (a link or sub-partner edge) + Σ strength(p, s) · strength(q, s) over
    the solutions s both co-created: a direct link weighs like one shared customer at full
    strength, a shared solution like one reached over its two co-creation steps."""
    p = len(network.partners)
    shared = shared_customers(network) if shared is None else shared
    created = network.created
    solutions = sp.csr_matrix((created.weight, (created.a, created.b)), shape=(p, network.nodes))
    together = (solutions @ solutions.T).tocsr()
    linked = strongest(network.links, p)
    total = (shared + together).tocsr()
    total = (total - sp.diags(total.diagonal()) + linked).tocsr()  # a partner with itself: no edge
    total.eliminate_zeros()
    total.sort_indices()
    return total


def communities(network: Network, shared: sp.csr_matrix | None = None) -> np.ndarray:
    """A community id per partner, from Louvain (igraph's multilevel modularity) over the
    partner graph. Ids run from 0 by community size, largest first, ties by the smallest
    member key; a partner with no edge is a community of its own."""
    p = len(network.partners)
    if p == 0:
        return np.zeros(0, dtype=np.int64)
    upper = sp.triu(partner_weights(network, shared), k=1).tocoo()
    graph = igraph.Graph(n=p, edges=np.column_stack([upper.row, upper.col]).tolist())
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        found = graph.community_multilevel(weights=upper.data.tolist())
    finally:
        igraph.set_random_number_generator(random)  # igraph's default: the module's own
    membership = np.asarray(found.membership, dtype=np.int64)
    return _renumbered(membership)


def _renumbered(membership: np.ndarray) -> np.ndarray:
    """Ids 0.. by size desc, then by smallest member (partners are numbered by key)."""
    labels, first, sizes = np.unique(membership, return_index=True, return_counts=True)
    order = np.lexsort((first, -sizes))
    ids = np.empty(len(labels), dtype=np.int64)
    ids[order] = np.arange(len(labels))
    return ids[np.searchsorted(labels, membership)]
