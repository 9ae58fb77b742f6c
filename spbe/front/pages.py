"""Rendering shared by every app's views."""

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
