"""How messages show what they name, the same in every error, user error and command summary:

- a key or id by its start (`shown`): a key may be 1,000 characters and an id 12,000, and a
  message echoes at most SHOWN of them;
- a type with its article (`a_type`): a Partner, an Agreement;
- a count with its noun (`number_of`): 1 customer, 2 customers, 1,500 rows.
"""

from __future__ import annotations

SHOWN = 60  # characters of a key or id quoted in a message, the "..." included


def shown(value: str) -> str:
    """The value quoted, cut to its first characters when it is long."""
    return repr(value) if len(value) <= SHOWN else repr(value[: SHOWN - 3] + "...")


def a_type(name: str) -> str:
    """`a Partner`, `an Agreement`: every type name starts with a capital and reads as spelled."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def number_of(count: int, noun: str, plural: str | None = None) -> str:
    """`1 customer`, `2 customers`, `0 communities` (`plural` where adding an s is wrong)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
