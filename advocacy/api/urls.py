"""The REST API, version 1 (/api/v1/)."""

from django.urls import path

from analytics.api.views import GrowthReportView

app_name = "api"

urlpatterns = [
    path("reports/growth", GrowthReportView.as_view(), name="report_growth"),
]
