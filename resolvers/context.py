"""What every resolver gets: the graph, and its per-request loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from graph.db import Graph


@dataclass
class Context:
    graph: Graph
    loaders: dict[type, Any] = field(default_factory=dict)


Info = strawberry.Info[Context, None]
