"""The builder's page: one HTML shell for every /builder/… address; the single-page app
(frontend/src/builder, built into frontend/dist/app/) draws the rest from the REST API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@login_required
@ensure_csrf_cookie
def builder_page(request: HttpRequest, rest: str = "") -> HttpResponse:
    """The SPA's shell; its own router reads the path after /builder/."""
    return render(request, "builder/index.html")
