"""Rendering shared by every app's views."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_page(request: HttpRequest, form, title: str, cancel_url: str) -> HttpResponse:
    """A page with one form (templates/form_page.html); 400 when the form
    came back with errors, so clients and tests can tell."""
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "form_page.html", context, status=400 if form.errors else 200)
