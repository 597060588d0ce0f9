"""The range of every integer column, in one place, so every door checks before it writes.

Django knows each integer field type's range per database; SQLite stores 64 bits where
PostgreSQL's ``integer`` holds 32. Newsroom holds every backend to the base ranges
(PostgreSQL's), so a number that passes on a laptop passes in production, and a number
that would overflow a column is refused with a message naming where it came from,
before any write: never a ``DataError`` at the database, which would cost the whole
transaction (and, in an import, every race after it).

Doors use :func:`check_column` for values they compute (sums, thresholds) and
:func:`column_max` for form and serializer fields (``max_value=``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations


def column_range(model: type[models.Model], field_name: str) -> tuple[int, int]:
    """The smallest and largest value ``model.field_name`` holds on every backend."""
    field = model._meta.get_field(field_name)
    internal = field.get_internal_type()
    if internal not in BaseDatabaseOperations.integer_field_ranges:
        raise TypeError(f"{model.__name__}.{field_name} is not an integer column ({internal})")
    low, high = BaseDatabaseOperations.integer_field_ranges[internal]
    return int(low), int(high)


def column_max(model: type[models.Model], field_name: str) -> int:
    """The largest value ``model.field_name`` holds (``max_value`` of a form field)."""
    return column_range(model, field_name)[1]


def check_column(value: int | None, model: type[models.Model], field_name: str, *,
                 what: str) -> int | None:  # fmt: skip
    """``value`` if ``model.field_name`` can hold it; else a ``ValidationError`` saying
    ``what`` the value is ("Pennsylvania: results expected") and the range."""
    if value is None:
        return None
    low, high = column_range(model, field_name)
    if not low <= value <= high:
        raise ValidationError(
            f"{what}: {value:,} is out of range (from {low:,} to {high:,})."
            if low
            else f"{what}: {value:,} is more than the largest allowed, {high:,}."
        )
    return value
