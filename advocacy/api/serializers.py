"""What every API serializer shares: strict bodies and ids that stay inside the organization.

- A body field the serializer does not accept (unknown, or read-only) is a 400 naming it, so a
  typo never passes as "nothing to change".
- Related rows are named by their public UUID and looked up in querysets already scoped to the
  organization of the request: another organization's id is "not found", a 400 on that field,
  and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advocacy.tenancy.models import Organization


class StrictMixin:
    """Refuses body fields the serializer does not write."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(name) for name in data if name not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown or read-only field.")] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictMixin, serializers.Serializer):
    pass


def organization_of(context: Mapping[str, Any]) -> Organization:
    organization = context.get("organization")
    if organization is None:
        raise RuntimeError("API serializers need the request's organization in their context")
    return organization


@extend_schema_field(OpenApiTypes.UUID)
class TenantRelatedField(serializers.RelatedField):
    """A row of the request's organization, named by its public id.

    `narrow(queryset, context)` restricts further (items the member may share, say); a row it
    leaves out reads as missing, the same as another organization's.
    """

    default_error_messages = {
        "does_not_exist": _("No such object here: “{value}”."),
        "invalid": _("“{value}” is not an id (a UUID)."),
    }

    def __init__(
        self,
        model: type[Model],
        *,
        narrow: Callable[[QuerySet[Any], Mapping[str, Any]], QuerySet[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.narrow = narrow
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = self.model.objects.for_org(  # type: ignore[attr-defined]
            organization_of(self.context)
        )
        if self.narrow is not None:
            queryset = self.narrow(queryset, self.context)
        return queryset

    def to_internal_value(self, data: Any) -> Any:
        try:
            public_id = uuid.UUID(str(data))
        except (TypeError, ValueError, AttributeError):
            self.fail("invalid", value=str(data)[:100])
        found = self.get_queryset().filter(public_id=public_id).first()
        if found is None:
            self.fail("does_not_exist", value=str(public_id))
        return found

    def to_representation(self, value: Any) -> str:
        return str(value.public_id)

    def get_choices(self, cutoff: int | None = None) -> dict[str, str]:
        return {}  # never lists another table's rows (the browsable form would)


class PublicIdField(serializers.UUIDField):
    """A row's own id: its public UUID."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "public_id")
        kwargs["read_only"] = True
        super().__init__(**kwargs)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What went wrong, for programs: not_found, invalid…")
    message = serializers.CharField(help_text="What went wrong, in words for people.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="The fields or query parameters to blame, each with its problems.",
    )


class ErrorSerializer(serializers.Serializer):
    """The error envelope every failed request answers with."""

    error = ErrorBodySerializer()
