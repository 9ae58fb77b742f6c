"""Staff pages of monitoring (O-4)."""

from django.http import HttpRequest, HttpResponse

from spbe.org.views import staff_required


@staff_required
def check_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
