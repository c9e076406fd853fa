"""Schema rules every tenant table keeps (STYLE.md, "Models and tenancy")."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from advocacy.tenancy.models import TenantModel
from advocacy.tenancy.querysets import TenantManager


def tenant_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if issubclass(model, TenantModel)]


def test_every_table_with_an_organization_is_a_tenant_model():
    offenders = [
        model._meta.label
        for model in apps.get_models()
        if any(
            f.is_relation
            and f.related_model is not None
            and f.related_model._meta.label == "tenancy.Organization"
            and f.many_to_one
            for f in model._meta.get_fields()
        )
        and not issubclass(model, TenantModel)
    ]
    assert not offenders


def test_every_tenant_model_fails_closed_by_default():
    assert len(tenant_models()) >= 6
    for model in tenant_models():
        assert isinstance(model._default_manager, TenantManager), model._meta.label
        assert model._default_manager.name == "objects", model._meta.label
        assert isinstance(model.all_tenants, models.Manager), model._meta.label


def test_unique_constraints_include_the_organization():
    for model in tenant_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                fields = list(constraint.fields) + [
                    getattr(e, "name", None) for e in constraint.expressions
                ]
                assert "organization" in fields, f"{model._meta.label}.{constraint.name}"


def test_indexes_start_with_the_organization():
    for model in tenant_models():
        for index in model._meta.indexes:
            assert index.fields[0] == "organization", f"{model._meta.label}.{index.name}"


def test_referenced_tenant_tables_are_unique_on_organization_and_id():
    referenced = {
        f.related_model
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.many_to_one and f.concrete and f.related_model in tenant_models()
    }
    for model in referenced:
        assert any(
            isinstance(c, models.UniqueConstraint) and list(c.fields) == ["organization", "id"]
            for c in model._meta.constraints
        ), f"{model._meta.label} is referenced but lacks UniqueConstraint(organization, id)"
