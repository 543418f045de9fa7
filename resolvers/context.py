"""What every resolver gets: the graph, the viewer and its access, the request's loaders, and
the audit trail of cross-partner questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import strawberry

from graph.access import Access, Sight, Viewer
from graph.audit import AuditEvent, AuditTrail, current_request_id, current_trail
from graph.db import Graph
from loaders.base import Loader, Loaders

L = TypeVar("L", bound=Loader[Any, Any])


@dataclass
class Context:
    graph: Graph
    viewer: Viewer
    trail: AuditTrail | None = field(default_factory=current_trail)
    request_id: str = field(default_factory=current_request_id)
    access: Access = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.access = Access(self.graph, self.viewer)
        self.loaders = Loaders(self.graph, self.access)

    def loader(self, kind: type[L], **args: Any) -> L:
        return self.loaders.get(kind, **args)

    async def sight(self) -> Sight:
        """What the viewer may see of partners' accounts; loaded once per request."""
        return await self.access.sight()

    @property
    def audited(self) -> bool:
        """Whether this request's questions are recorded: a partner-scoped viewer's, given a
        trail."""
        return not self.viewer.is_staff and self.trail is not None

    def audit(self, operation: str, partners: list[str], *, allowed: bool) -> None:
        """Record a question a partner-scoped viewer asks about other partners."""
        viewer = self.viewer
        if not self.audited or self.trail is None:
            return
        self.trail.record(
            AuditEvent(
                at=datetime.now(UTC),
                request_id=self.request_id,
                subject=viewer.subject or viewer.label(),  # a token may carry no `sub`
                role=str(viewer.role),
                viewer=viewer.partner_key or "",
                operation=operation,
                partners=tuple(partners),
                allowed=allowed,
            )
        )


Info = strawberry.Info[Context, None]
