"""The errors partnergraph raises on purpose; anything else is a bug and is masked by the API.

PartnergraphError
 ├── NotFound           a key or id that names nothing
 ├── Forbidden          the viewer may not see or do this
 ├── Conflict           the write would break a rule of the graph (a cycle, a clash)
 ├── InvalidInput       an argument or a bundle that does not fit the rules
 ├── Unavailable        the database cannot be reached or started
 ├── TooLarge           a question needs more memory than the database gives one query
 └── Interrupted        a command stopped by Ctrl-C before it ended
"""

from __future__ import annotations


class PartnergraphError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(PartnergraphError):
    code = "NOT_FOUND"


class Forbidden(PartnergraphError):
    code = "FORBIDDEN"


class Conflict(PartnergraphError):
    code = "CONFLICT"


class InvalidInput(PartnergraphError):
    code = "BAD_USER_INPUT"


class Unavailable(PartnergraphError):
    code = "SERVICE_UNAVAILABLE"


class TooLarge(PartnergraphError):
    code = "QUERY_TOO_COMPLEX"


class Interrupted(PartnergraphError):
    """Ctrl-C (a cancelled task) stopped the work; the message says what was done."""
