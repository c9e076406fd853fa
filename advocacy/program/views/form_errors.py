"""A service's refusal, shown on the form that asked for the write."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def show_refusal(form: Form, problem: ValidationError) -> None:
    """Errors keyed by one of the form's fields go under that field; the rest above it."""
    if hasattr(problem, "error_dict"):
        for field, errors in problem.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, problem)
