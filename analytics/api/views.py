"""The growth report over the API (METRICS.md): GET /api/v1/reports/growth?start=&end=."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from advocacy.api.tenancy import Problem, membership_for
from advocacy.tenancy.models import REPORT_ROLES
from advocacy.tenancy.scope import tenant_scope

from ..growth import RangeError, growth_report, parse_range


class GrowthReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The growth report",
        description="Every figure of the growth report for a date range (both days included, "
        "in the organization's time zone). Percentages have one decimal; a figure that cannot "
        "be computed is null.",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        membership = membership_for(request)
        if membership.role not in REPORT_ROLES:
            raise Problem(
                "permission_denied",
                "Reports are for leaders, communications staff, admins and facilitators.",
                status.HTTP_403_FORBIDDEN,
            )
        try:
            start, end = parse_range(
                request.query_params.get("start"), request.query_params.get("end")
            )
        except RangeError as problem:
            raise Problem("invalid_range", str(problem)) from None
        organization = membership.organization
        with tenant_scope(organization):
            report = growth_report(organization, start, end)
        return Response(report.as_json())
