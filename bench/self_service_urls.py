"""The project's URLs and the baselines of bench/self_service.py: bare views with the same
middleware that read the household's session and answer at once — a small HTML page for the
page view, a redirect for the posted report (the CSRF check included). Mounted only here."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path

from fangkong import urls as project_urls


@login_not_required
def bare_page(request: HttpRequest) -> HttpResponse:
    link = request.session.get("selfservice_link")
    return HttpResponse(f"<!DOCTYPE html><p>{link}</p>", status=200 if link else 403)


@login_not_required
def bare_report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not request.session.get("selfservice_link"):
        return HttpResponse(status=403)
    _value = request.POST.get("member")
    return HttpResponseRedirect("/bench/bare/page/")


urlpatterns = [
    path("bench/bare/page/", bare_page),
    path("bench/bare/report/", bare_report),
    path("", include(project_urls.urlpatterns)),
]
