"""Strict input: unknown fields are refused, JSON types are checked, not coerced.

DRF would read ``{"pinned": "yes"}`` as true and ``{"title": 42}`` as "42". On
election night a typo must fail loudly, so JSON bodies get exactly the types the
schema says; query strings and multipart forms are text by nature and keep DRF's
parsing.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from rest_framework import serializers


class _JsonTyped(Protocol):
    """A field that names the JSON type it takes (e.g. ``AwareDateTimeField``)."""

    json_type: type | tuple[type, ...]
    json_type_name: str


_JSON_TYPES: list[
    tuple[type[serializers.Field[Any, Any, Any, Any]], type | tuple[type, ...], str]
] = [
    (serializers.BooleanField, bool, "true or false"),
    (serializers.IntegerField, int, "an integer"),
    (serializers.ListField, list, "a list"),
    (serializers.DictField, dict, "an object"),
    (serializers.CharField, str, "a string"),
    (serializers.ChoiceField, str, "a string"),
    (serializers.DateTimeField, str, "a string"),
]


def _type_error(field: serializers.Field[Any, Any, Any, Any], value: Any) -> str | None:
    if value is None:
        return None  # the field says whether null is allowed
    expected = getattr(field, "json_type", None)
    if expected is not None:
        if isinstance(value, expected):
            return None
        return f"Must be {cast(_JsonTyped, field).json_type_name}."  # it has json_type
    for kind, python_type, name in _JSON_TYPES:
        if isinstance(field, kind):
            wrong = not isinstance(value, python_type) or (
                python_type is int and isinstance(value, bool)
            )
            return f"Must be {name}." if wrong else None
    return None


class StrictSerializer(serializers.Serializer[Any]):
    """A serializer that refuses fields it does not know and JSON values of the wrong type."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            errors = {name: ["Unknown field."] for name in data if name not in self.fields}
            known = [(name, self.fields[name]) for name in data if name in self.fields]
            if hasattr(data, "getlist"):  # a query string or a form: text, never omitted by ""
                for name, field in known:
                    if data.get(name) == "" and not getattr(field, "allow_blank", False):
                        errors[name] = ["May not be empty: leave the parameter out instead."]
            else:  # a JSON object
                for name, field in known:
                    if message := _type_error(field, data[name]):
                        errors[name] = [message]
            if errors:
                raise serializers.ValidationError(dict(sorted(errors.items())))
        return super().to_internal_value(data)


def parse(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """Validated input, or a 400 ``invalid`` naming each bad field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
