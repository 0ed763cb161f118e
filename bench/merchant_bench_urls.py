"""The project's URLs and the baseline of bench/merchant_register.py: a bare view, public like
a shop's sign-in page (no login, no CSRF token), with the same middleware, that reads the
same form and answers a small HTML page at once, writing nothing. Mounted only here."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from fangkong import urls as project_urls


@login_not_required
@csrf_exempt
def bare_sign_in(request: HttpRequest, token: str) -> HttpResponse:
    name = request.POST.get("name", "")
    return HttpResponse(f"<!DOCTYPE html><p>{len(name)} {len(token)}</p>")


urlpatterns = [
    path("bench/bare/<str:token>/", bare_sign_in, name="bench_bare"),
    path("", include(project_urls.urlpatterns)),
]
