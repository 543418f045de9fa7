"""Per-request DataLoaders: lookups made in the same tick go to the graph as one batch.

A loader class is named `<Result>By<Key>Loader`; it gets the batch's unique keys and returns a
mapping from key to result (a missing key loads as `default`). A request makes each loader
lazily, once per class and arguments (a page size, a status filter), through `Loaders.get`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph.access import Access, Viewer
from graph.db import Graph

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
L = TypeVar("L", bound="Loader[Any, Any]")


class Loader(Generic[K, V]):
    default: ClassVar[Any] = None

    def __init__(self, graph: Graph, access: Access, **args: Any) -> None:
        self.graph = graph
        self.access = access
        self.args = args
        self._loader: DataLoader[K, V] = DataLoader(load_fn=self._batch)

    @property
    def viewer(self) -> Viewer:
        return self.access.viewer

    async def load(self, key: K) -> V:
        return await self._loader.load(key)

    async def load_many(self, keys: list[K]) -> list[V]:
        return await self._loader.load_many(keys)

    def prime(self, key: K, value: V) -> None:
        self._loader.prime(key, value)

    async def _batch(self, keys: list[K]) -> list[V]:
        unique = list(dict.fromkeys(keys))
        found = await self.fetch(unique)
        return [found.get(key, self.default) for key in keys]

    async def fetch(self, keys: list[K]) -> Mapping[K, V]:
        raise NotImplementedError


class Loaders:
    """The loaders of one request, made on first use."""

    def __init__(self, graph: Graph, access: Access) -> None:
        self.graph = graph
        self.access = access
        self._made: dict[tuple[type, tuple[tuple[str, Any], ...]], Any] = {}

    def get(self, kind: type[L], **args: Any) -> L:
        slot = (kind, tuple(sorted(args.items())))
        loader = self._made.get(slot)
        if loader is None:
            loader = self._made[slot] = kind(self.graph, self.access, **args)
        return loader
