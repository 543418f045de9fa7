"""What every mutation shares: user errors, the role check, and checks of common values.

A mutation takes one `input` and returns a payload with `userErrors`: what was wrong with the
input, field by field. Who may write is checked first, as a top-level FORBIDDEN error.
"""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET

from graph.access import Role
from graph.errors import Conflict, Forbidden, InvalidInput, NotFound, PartnergraphError
from graph.messages import shown
from loaders.customers import CustomerByKeyLoader
from loaders.partners import PartnerByKeyLoader
from resolvers.context import Info
from resolvers.inputs import distinct
from resolvers.node import decode_id

T = TypeVar("T")


@strawberry.enum
class UserErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    CYCLE = "CYCLE"
    CONFLICT = "CONFLICT"
    SELF_REFERENCE = "SELF_REFERENCE"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CHANNEL_CONFLICT = "CHANNEL_CONFLICT"


@strawberry.type(description="What was wrong with a mutation's input, and where.")
class UserError:
    field: str | None = strawberry.field(description="The input field, or null for the whole.")
    message: str
    code: UserErrorCode


CODES: dict[type[PartnergraphError], UserErrorCode] = {
    NotFound: UserErrorCode.NOT_FOUND,
    Conflict: UserErrorCode.CONFLICT,
    InvalidInput: UserErrorCode.INVALID,
}


def user_error(error: PartnergraphError) -> UserError:
    # An error may name a finer code (a Cycle is a Conflict) as the code's string value.
    code = getattr(error, "user_code", None) or CODES.get(type(error), UserErrorCode.INVALID)
    return UserError(field=error.field, message=error.message, code=UserErrorCode(code))


class Problems:
    """User errors gathered while checking an input."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(self, field: str, message: str, code: UserErrorCode = UserErrorCode.INVALID) -> None:
        self.errors.append(UserError(field=field, message=message, code=code))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def strength(self, field: str, value: float | None) -> None:
        if value is not None and not 0.0 < value <= 1.0:
            self.add(field, f"strength {value} is outside (0, 1]")

    def fraction(self, field: str, value: float | None) -> None:
        if value is not None and not 0.0 <= value <= 1.0:
            self.add(field, f"{value} is outside [0, 1]")

    def not_negative(self, field: str, value: float | None) -> None:
        if value is not None and value < 0:
            self.add(field, f"{value} is negative")

    def text(self, field: str, value: str | None, required: bool = True) -> None:
        if value is not None and not value.strip():
            self.add(field, "must not be blank", UserErrorCode.REQUIRED)
        elif value is None and required:
            self.add(field, "is required", UserErrorCode.REQUIRED)

    def generated_key(self, field: str, value: str | None, acting: str | None) -> None:
        """A partner viewer (`acting` for a partner) does not name what it creates: a key taken by
        another partner's deal or agreement would tell it that one exists."""
        if acting is not None and value is not None:
            self.add(
                field, "a partner's new deals and agreements get generated keys: leave key out"
            )

    def ordered(
        self, first: datetime.date | None, last: datetime.date | None, field: str, first_name: str
    ) -> None:
        if first is not None and last is not None and last < first:
            self.add(field, f"{last} is before {first_name} {first}")

    def key_of(self, value: str, field: str, expect: str) -> str:
        """The key in a global id; a user error (and an empty key) when it is not one."""
        try:
            return decode_id(value, field, expect)[1]
        except InvalidInput as error:
            self.add(field, error.message)
            return ""

    def members(self, ids: Sequence[str], field: str, item: str = "") -> list[str]:
        """The partner keys of a non-empty list, one per id given; item i is named
        `{field}[i]{item}`. A list of input objects (`partners[2].partner`) names each partner
        once: a repeat is DUPLICATE, since its two entries could say different things. A list
        of ids (no `item`) is a set: a repeat counts once (`distinct`)."""
        if not ids:
            self.add(field, "give at least one partner", UserErrorCode.REQUIRED)
        keys: list[str] = []
        for index, value in enumerate(ids):
            name = f"{field}[{index}]{item}"
            key = self.key_of(value, name, "Partner")
            if item and key and key in keys:
                self.add(name, f"{shown(key)} is listed twice", UserErrorCode.DUPLICATE)
            keys.append(key)
        return keys


def names(values: list[str] | None) -> list[str]:
    """A list of names as the graph keeps them: stripped, without blanks or repeats, in order."""
    return list(distinct([name.strip() for name in values or [] if name.strip()]))


def given_fields(
    input: object, props: dict[str, str], lists: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The properties (by `props`: input field -> property) an input gives, a field left out
    (UNSET) skipped: text stripped (blank: None), a list of texts (the fields in `lists`)
    without blanks or repeats (null: empty)."""
    fields: dict[str, Any] = {}
    for name, prop in props.items():
        value = getattr(input, name)
        if value is UNSET:
            continue
        if name in lists:
            value = names(value)
        elif isinstance(value, str):
            value = value.strip() or None
        fields[prop] = value
    return fields


def allow(info: Info, *roles: Role) -> None:
    """Only admins and the given roles may make this write."""
    viewer = info.context.viewer
    if viewer.role is not Role.ADMIN and viewer.role not in roles:
        raise Forbidden(f"the {viewer.role} role may not make this change")


def acting_for(info: Info, *roles: Role) -> str | None:
    """Whom a write may act for: any partner (None) for admins and the given roles; only its own
    partner (its key) for a partner viewer; anyone else is FORBIDDEN."""
    viewer = info.context.viewer
    if viewer.role is Role.PARTNER:
        return viewer.partner_key or ""  # a partner viewer without a key acts for no partner
    allow(info, *roles)
    return None


def new_key(prefix: str) -> str:
    """A key for a node the caller did not name: unique without asking the graph."""
    return f"{prefix}-{uuid.uuid4().hex}"


async def attempt(write: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a write; the errors partnergraph raises on purpose become user errors."""
    try:
        return await write(), []
    except (NotFound, Conflict, InvalidInput) as error:
        return None, [user_error(error)]


def missing_members(
    keys: Sequence[str], missing: Sequence[str], field: str, item: str = ""
) -> list[UserError]:
    """NOT_FOUND user errors for the listed partners (see `Problems.members`) that are missing,
    each named where it was first listed."""
    gone = set(missing)
    return [
        UserError(
            field=f"{field}[{index}]{item}",
            message=f"there is no partner {shown(key)}",
            code=UserErrorCode.NOT_FOUND,
        )
        for key, index in distinct(keys).items()
        if key in gone
    ]


async def unknown(
    info: Info, partners: dict[str, str], customers: dict[str, str] | None = None
) -> list[UserError]:
    """NOT_FOUND user errors for the keys (by input field) that name no partner or customer."""
    context = info.context
    asked = [
        *(
            ("partner", field, key, context.loader(PartnerByKeyLoader))
            for field, key in partners.items()
        ),
        *(
            ("customer", field, key, context.loader(CustomerByKeyLoader))
            for field, key in (customers or {}).items()
        ),
    ]
    rows = await asyncio.gather(*(loader.load(key) for _, _, key, loader in asked))
    return [
        UserError(
            field=field, message=f"there is no {noun} {shown(key)}", code=UserErrorCode.NOT_FOUND
        )
        for (noun, field, key, _), row in zip(asked, rows, strict=True)
        if row is None
    ]


async def missing_ends(
    info: Info, partners: dict[str, str], customers: dict[str, str] | None = None
) -> list[UserError]:
    """Why a write found an end it needs missing: NOT_FOUND for each unknown one, or (when it
    is back by now) for the whole."""
    named = [*partners.values(), *(customers or {}).values()]
    whole = UserError(
        field=None,
        message=" or ".join(shown(key) for key in named) + " went missing meanwhile",
        code=UserErrorCode.NOT_FOUND,
    )
    return await unknown(info, partners, customers) or [whole]
