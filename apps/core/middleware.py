"""Language choice for pages: Vietnamese unless the person chose otherwise.

Many Vietnamese citizens use phones set to English; the portal must still open in
Vietnamese. Pages therefore ignore the browser's Accept-Language and follow only the
language switch (a cookie). The API keeps honouring Accept-Language, which integrations
set on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class PageLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
