"""What every list page of the comms panel shares: selections of rows by public id, the
organization's own objects as filter choices, and the way back to the filtered list."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PublicIdsField(forms.Field):
    """A list of public ids from repeated form values (checkboxes named alike).

    Give `required` its own message where "item" is not the word: "Select at least one
    campaign."
    """

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one item."),
        "invalid": _("The selection could not be read. Reload the page and try again."),
    }

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        try:
            return [uuid.UUID(str(raw)) for raw in value]
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def choice_of(queryset: QuerySet[Any], *, label: Any, empty_label: Any) -> forms.ModelChoiceField:
    """A filter's choice among the organization's own objects (a scoped `queryset`), named by
    public id; an id of another organization's is simply not a valid choice."""
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset,
        to_field_name="public_id",
        required=False,
        empty_label=empty_label,
    )


def report_errors(request: HttpRequest, form: forms.Form) -> None:
    """A rejected bulk form's messages, for the list page the request goes back to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def back_to_list(request: HttpRequest, view_name: str, **kwargs: Any) -> HttpResponse:
    """Back to a list page with the filters it was showing (`return_query` of the form).

    Only a query string is taken from the form, re-encoded, so it cannot lead elsewhere.
    """
    url = reverse(view_name, kwargs=kwargs)
    query = QueryDict(request.POST.get("return_query", "")).urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
