"""The base of every API view: the organization, roles, strict query parameters, the lists.

One place decides, for every route under /api/v1/:

- the organization the request acts for (tenancy.membership_for: the token's, or the
  session's), resolved once, with the tenant scope active until the response is built;
- who may call each action (the role sets of advocacy/tenancy/models.py; a token acts with
  its member's role as it is now, never more);
- rows: `get_queryset` always starts from `.for_org(organization)`, `get_object` finds by
  public id inside it, and anything else is a 404 with the same body as a missing row;
- query parameters: each action declares the ones it reads (a serializer), and any other is
  a 400, as is a value that does not validate;
- lists: signed cursor pagination, an allow-list of orderings, a checked page size.

Subclasses only narrow: the model, `narrow()` per role, serializers, filters and orderings.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.scope import tenant_scope

from .pagination import SignedCursorPagination
from .tenancy import ORGANIZATION_PARAMETER, Problem, membership_for, not_found

ORDERING_PARAMETER = "ordering"
PAGINATION_PARAMETERS = frozenset({"cursor", "page_size"})
# No body the API takes comes near this; a larger one is refused before it is read.
MAX_BODY_BYTES = 256 * 1024


def check_body_size(request: Request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise Problem(
            "body_too_large",
            _("The request body is larger than the API reads (%(limit)d KB).")
            % {"limit": MAX_BODY_BYTES // 1024},
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )


class Filters(serializers.Serializer):
    """The filters of a list, as query parameters; `apply` narrows by the validated ones.

    Fields are optional query parameters; their validation is the API's (a bad value is a 400
    naming the parameter). Related rows are TenantRelatedFields, so a filter by another
    organization's id is refused like a body naming one.
    """

    def apply(self, queryset: QuerySet[Any], data: Mapping[str, Any]) -> QuerySet[Any]:
        return queryset


class QueryMixin:
    """Query parameters: declared per action, anything else refused."""

    request: Request
    action: str | None
    # Query parameters of actions other than `list` (reports, progress...).
    query_serializers: Mapping[str, type[serializers.Serializer]] = {}
    filter_class: type[Filters] | None = None
    # Public ordering name -> model field or annotation (no "__": the cursor reads it back).
    ordering_fields: Mapping[str, str] = {}
    default_ordering = ""
    page_size = 50
    max_page_size = 200
    query: dict[str, Any]

    def current_action(self) -> str:
        return getattr(self, "action", None) or self.request.method.lower()

    def get_query_serializer_class(self) -> type[serializers.Serializer] | None:
        action = self.current_action()
        if action == "list":
            return self.filter_class
        return self.query_serializers.get(action)

    def allowed_query_parameters(self) -> set[str]:
        allowed = {ORGANIZATION_PARAMETER}
        query_class = self.get_query_serializer_class()
        if query_class is not None:
            allowed |= set(query_class().fields)
        if self.current_action() == "list":
            allowed |= PAGINATION_PARAMETERS
            if self.ordering_fields:
                allowed.add(ORDERING_PARAMETER)
        return allowed

    def validate_query(self, request: Request) -> dict[str, Any]:
        allowed = self.allowed_query_parameters()
        unknown = sorted(name for name in request.query_params if name not in allowed)
        if unknown:
            raise Problem(
                "unknown_parameter",
                _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
                fields={name: [_("Unknown parameter.")] for name in unknown},
            )
        query_class = self.get_query_serializer_class()
        if query_class is None:
            return {}
        # A plain dict, not the QueryDict: a missing boolean then stays missing (DRF reads a
        # QueryDict like a form, where an absent checkbox is False).
        data = {name: request.query_params.get(name) for name in request.query_params}
        query = query_class(data=data, context=self.get_serializer_context())
        if not query.is_valid():
            raise Problem(
                "invalid_parameter",
                _("Some query parameters are not valid."),
                fields=dict(query.errors),
            )
        return dict(query.validated_data)

    def ordering_choices(self) -> list[str]:
        return [f"{sign}{name}" for name in self.ordering_fields for sign in ("", "-")]

    def ordering_for(self, request: Request) -> tuple[str, ...]:
        wanted = request.query_params.get(ORDERING_PARAMETER) or self.default_ordering
        name = wanted.lstrip("-")
        if name not in self.ordering_fields or wanted.count("-") > 1:
            raise Problem(
                "invalid_ordering",
                _("Order by one of: %(choices)s.")
                % {"choices": ", ".join(self.ordering_choices())},
                fields={ORDERING_PARAMETER: [_("Not one of the orderings offered.")]},
            )
        sign = "-" if wanted.startswith("-") else ""
        # The primary key breaks ties, so that pages never repeat or skip a row.
        return (f"{sign}{self.ordering_fields[name]}", f"{sign}pk")

    def get_serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self, "now": timezone.now()}


class TenantMixin(QueryMixin):
    """The organization and the member a request acts as, and the role check."""

    # Who may call the view (None: every active member); `action_roles` narrows per action.
    roles: frozenset[str] | None = None
    action_roles: Mapping[str, frozenset[str] | None] = {}
    permission_message: str | Promise = ""
    membership: Membership
    organization: Organization
    _stack: ExitStack

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The tenant scope entered in initial() lasts until the response's data is built.
        with ExitStack() as self._stack:
            response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        check_body_size(request)
        self.membership = membership_for(request)
        self.organization = self.membership.organization
        self._stack.enter_context(tenant_scope(self.organization))
        allowed = self.allowed_roles()
        if allowed is not None and self.membership.role not in allowed:
            raise Problem(
                "permission_denied",
                str(self.permission_message)
                or _("Your role in this organization does not allow this."),
                status.HTTP_403_FORBIDDEN,
            )
        self.query = self.validate_query(request)

    def allowed_roles(self) -> frozenset[str] | None:
        return self.action_roles.get(self.current_action(), self.roles)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["organization"] = getattr(self, "organization", None)
        context["membership"] = getattr(self, "membership", None)
        return context


class TenantAPIView(TenantMixin, APIView):
    """A single endpoint of one organization (a report, the caller's own details)."""


class TenantViewSet(TenantMixin, GenericViewSet):
    """A collection of one organization's rows, found by public id."""

    model: type[Model]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    pagination_class = SignedCursorPagination
    ordering_fields = {"created_at": "created_at"}
    default_ordering = "-created_at"

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no request
            return self.model.all_tenants.none()  # type: ignore[attr-defined]
        queryset: QuerySet[Any] = self.model.objects.for_org(  # type: ignore[attr-defined]
            self.organization
        )
        return self.narrow(queryset)

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows the member may see of the organization's (all, unless a subclass says)."""
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.current_action() != "list" or self.filter_class is None:
            return queryset
        filters = self.filter_class(context=self.get_serializer_context())
        return filters.apply(queryset, self.query)

    def get_object(self) -> Any:
        found = self.get_queryset().filter(public_id=self.kwargs[self.lookup_url_kwarg]).first()
        if found is None:
            raise not_found()
        self.check_object_permissions(self.request, found)
        return found


class UserViewSet(QueryMixin, GenericViewSet):
    """A list of the caller's own, across organizations (their memberships): no tenant."""

    pagination_class = SignedCursorPagination

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.current_action() != "list" or self.filter_class is None:
            return queryset
        return self.filter_class(context=self.get_serializer_context()).apply(queryset, self.query)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_body_size(request)
        self.query = self.validate_query(request)
