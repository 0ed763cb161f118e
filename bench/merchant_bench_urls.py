"""The project's URLs and the baseline of bench/merchant_register.py: a bare view, public like
a shop's sign-in page (no login, no CSRF token), with the same middleware, that reads the
same form, writes one row as a sign-in does and answers a small HTML page. Mounted only here.

A sign-in's work is a database write; a baseline that writes nothing (as the gate scan's bare
view, which only reads its body) would measure the database against nothing. The bare row is
a register entry of the first shop, written as it comes (no token, limits, validation,
encryption or template), marked ``owner`` so the benchmark's count of the QR page's rows
leaves it out."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from fangkong import urls as project_urls
from fangkong.merchants.choices import EntrySource
from fangkong.merchants.models import Merchant, RegisterEntry

_shop: list[Merchant] = []


@login_not_required
@csrf_exempt
def bare_sign_in(request: HttpRequest, token: str) -> HttpResponse:
    name = request.POST.get("name", "")
    phone = request.POST.get("phone", "")
    if not _shop:
        _shop.append(Merchant.objects.order_by("pk").first())  # type: ignore[arg-type]
    shop = _shop[0]
    RegisterEntry.objects.create(
        community_id=shop.community_id,
        merchant=shop,
        at=timezone.now(),
        name=name[:50],
        phone_mask=phone[-4:],
        source=EntrySource.OWNER,
    )
    return HttpResponse(f"<!DOCTYPE html><p>{len(name)} {len(token)}</p>")


urlpatterns = [
    path("bench/bare/<str:token>/", bare_sign_in, name="bench_bare"),
    path("", include(project_urls.urlpatterns)),
]
