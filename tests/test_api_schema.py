"""The OpenAPI schema: valid, complete, served with readable docs that load nothing from
another host, and true to the API under a bounded property-based run (schemathesis)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from .api_support import make_token
from .conftest import Cast
from .factories import (
    CampaignFactory,
    CaptionFactory,
    ClickFactory,
    ContentItemFactory,
    GoalFactory,
    PostFactory,
    TeamFactory,
    TrackedLinkFactory,
)
from .test_api_isolation import API_ROUTES, methods_of

pytestmark = pytest.mark.django_db
ERROR_STATUSES = {"400", "401", "403", "404", "429"}


def schema_document(client: Any) -> dict[str, Any]:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_validates_without_warnings(tmp_path: Path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "openapi: 3" in target.read_text()


def test_the_schema_documents_every_route_its_errors_and_the_bearer_scheme(client):
    document = schema_document(client)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    for route in API_ROUTES:
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.route)
        for method in methods_of(route):
            assert (method, path) in documented, f"{method} {path} is not in the schema"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert set(operation["responses"]) >= ERROR_STATUSES, f"{method} {path}"
            assert {"bearerAuth": []} in operation["security"], f"{method} {path}"
            error = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    # The main endpoints show examples.
    posts = document["paths"]["/api/v1/posts"]["post"]["requestBody"]["content"]["application/json"]
    assert "examples" in posts


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="swagger-ui"' in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert references
    external = [ref for ref in references if re.match(r"^(?:[a-z]+:)?//", ref, re.IGNORECASE)]
    assert not external, external
    # Nor from the page's own script: no CDN, no validator badge from swagger.io.
    assert not re.search(r"https?://(?!testserver)", page.split("<script>", 1)[1]), (
        "a host in the script"
    )
    assert '"validatorUrl": null' in page


def world(cast: Cast) -> None:
    """A little of everything in Acme, so that lists answer rows to check."""
    campaign = CampaignFactory(organization=cast.acme, target_shares=5)
    item = ContentItemFactory(organization=cast.acme)
    CaptionFactory(content_item=item)
    post = PostFactory(
        author=cast.membership(cast.emma, cast.acme),
        content_item=item,
        campaign=campaign,
        impressions=10,
    )
    ClickFactory(link=TrackedLinkFactory(post=post))
    PostFactory(
        author=cast.membership(cast.alice, cast.acme),
        content_item=None,
        status="draft",
        linkedin_urn="",
        published_at=None,
    )
    TeamFactory(organization=cast.acme)
    GoalFactory(organization=cast.acme)


def test_a_property_based_run_finds_no_server_error_and_no_answer_outside_the_schema(
    cast: Cast, settings: Any
):
    settings.API_THROTTLE_RATES = {"api_token": "100000/hour", "api_user": "100000/hour"}
    # The calls go through the WSGI handler, whose request signals would close the test's
    # database connection after each answer (with PostgreSQL's pool, CONN_MAX_AGE is 0):
    # as Django's own test client does, keep it open while the test's transaction lasts.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _property_based_run(cast)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _property_based_run(cast: Cast) -> None:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from advocacy.wsgi import application

    world(cast)
    headers = {"Authorization": f"Bearer {make_token(cast.alice, cast.acme)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    problems: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @hypothesis_settings(
                max_examples=4,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
            def run(case: Any) -> None:
                response = case.call()
                statuses.append(response.status_code)
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

            try:
                run()
            except BaseException as failure:  # a FailureGroup: every one is reported below
                if isinstance(failure, KeyboardInterrupt):
                    raise
                problems.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {failure}"
                )
    assert not problems, "\n\n".join(problems)
    # The run did reach the API's answers, good and bad, not only its front door.
    assert len(statuses) >= 4 * len(operations)
    assert {200, 201, 400, 404} <= set(statuses), sorted(set(statuses))
