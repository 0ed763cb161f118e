"""The project's URLs and the baselines of bench/self_service.py: bare views with the same
middleware that read the household's session and answer at once — a small HTML page for the
page view, a redirect for the posted report (the CSRF check included). Mounted only here."""

import os

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path

from fangkong import urls as project_urls
from fangkong.selfservice.views import limit_address, limit_link

#: ``--bare-limits``: the bare views count the same rate limits as the real ones (per address
#: and per link), so the rate limiter's share of the gap can be told apart.
LIMITS = os.environ.get("FANGKONG_BENCH_BARE_LIMITS") == "1"


def _limits(request: HttpRequest, scope: str, link: object) -> None:
    if LIMITS:
        limit_address(request, scope)
        if isinstance(link, int):
            limit_link(link, scope)


@login_not_required
def bare_page(request: HttpRequest) -> HttpResponse:
    link = request.session.get("selfservice_link")
    _limits(request, "page", link)
    return HttpResponse(f"<!DOCTYPE html><p>{link}</p>", status=200 if link else 403)


@login_not_required
def bare_report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not request.session.get("selfservice_link"):
        return HttpResponse(status=403)
    _limits(request, "report", request.session.get("selfservice_link"))
    _value = request.POST.get("member")
    return HttpResponseRedirect("/bench/bare/page/")


urlpatterns = [
    path("bench/bare/page/", bare_page),
    path("bench/bare/report/", bare_report),
    path("", include(project_urls.urlpatterns)),
]
