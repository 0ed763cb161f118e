"""The request of a page or API call behind the login.

``LoginRequiredMiddleware`` turns anonymous visitors away before any view runs (except the few
marked ``login_not_required``), and the API's default permission is ``IsAuthenticated``; so in
a view ``request.user`` is always an ``accounts.User``, never ``AnonymousUser``. Views annotate
``request`` with this type to say so once, instead of narrowing ``User | AnonymousUser`` at
every use. It is for type checking only: Django builds the requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from fangkong.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User


class AuthenticatedApiRequest(Request):
    """The same for the API: every viewset requires ``IsAuthenticated`` first."""

    user: User
