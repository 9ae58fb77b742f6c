"""Rendering shared by every app's views."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_page(
    request: HttpRequest, form, title: str, cancel_url: str, template: str = "form_page.html"
) -> HttpResponse:
    """A page with one form (templates/form_page.html, or a template that
    extends it); 400 when the form came back with errors, so clients and
    tests can tell."""
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, template, context, status=400 if form.errors else 200)


def add_action_errors(form, error: ValidationError) -> None:
    """An action's errors next to their field on the form, the rest above it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def is_id(text: str) -> bool:
    """A record id from a query string: ASCII digits only ("²" is a digit to
    ``str.isdigit`` and a crash to the database)."""
    return text.isascii() and text.isdigit() and len(text) < 19
