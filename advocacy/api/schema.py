"""The OpenAPI schema's conventions, applied to every operation (drf-spectacular).

- Each action's declared query parameters (viewsets.QueryMixin), the ordering allow-list and
  the `organization` parameter of browser sessions are documented from the views themselves.
- Every operation documents the error envelope for the statuses any request can get.
- Personal API tokens appear as the `bearerAuth` security scheme.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer
from .tenancy import ORGANIZATION_PARAMETER
from .viewsets import ORDERING_PARAMETER, QueryMixin, TenantMixin

ERROR_RESPONSES = {
    "400": "The request is not valid: a malformed body, an unknown field or parameter, a "
    "value that does not validate, a cursor from another query.",
    "401": "No credential, or a token that is unknown, expired, revoked or whose member is no "
    "longer active.",
    "403": "The member's role does not allow this (or, with a session, the CSRF check failed).",
    "404": "No such object in this organization (another organization's is the same 404).",
    "429": "Too many requests; the Retry-After header says in how many seconds to try again.",
}


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        view = self.view
        if isinstance(view, QueryMixin):
            query_class = view.get_query_serializer_class()
            if query_class is not None:
                parameters.append(query_class)
            if view.current_action() == "list" and view.ordering_fields:
                parameters.append(
                    OpenApiParameter(
                        ORDERING_PARAMETER,
                        OpenApiTypes.STR,
                        enum=view.ordering_choices(),
                        description=f"The order of the rows (default {view.default_ordering}; "
                        "a leading minus reverses it).",
                    )
                )
        if isinstance(view, TenantMixin):
            parameters.append(
                OpenApiParameter(
                    ORGANIZATION_PARAMETER,
                    OpenApiTypes.STR,
                    description="With a browser session only: the address of the organization "
                    "to act for. A token always acts for its own organization.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, description in ERROR_RESPONSES.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "advocacy.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page: "
            "`Authorization: Bearer adv_…`. It acts for one organization with your role there.",
        }
