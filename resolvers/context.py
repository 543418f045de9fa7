"""What every resolver gets: the graph, the viewer, and the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry

from graph.access import Viewer
from graph.db import Graph
from loaders.base import Loader, Loaders

L = TypeVar("L", bound=Loader[Any, Any])


@dataclass
class Context:
    graph: Graph
    viewer: Viewer
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.graph, self.viewer)

    def loader(self, kind: type[L], **args: Any) -> L:
        return self.loaders.get(kind, **args)


Info = strawberry.Info[Context, None]
