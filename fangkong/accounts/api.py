"""Accounts in the API: ``/api/v1/users/``, scoped like every list (an administrator's or a
community officer's area), without secrets: never a password hash, an authenticator key or
a token. A one-time password is in the body of the one answer that makes it (a new account,
a reset), and in no other.

Writes go through ``accounts.services`` as the pages' do: ``do_create_user``,
``do_update_user``, ``do_deactivate_user``, ``do_reactivate_user``, ``do_reset_password``,
``do_reset_two_factor``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from fangkong.accounts import services
from fangkong.accounts.choices import Role
from fangkong.accounts.filtersets import UserFilterSet
from fangkong.accounts.models import AuthenticatorDevice, User
from fangkong.areas.models import Area
from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
)


class UserSerializer(ModelSerializer):
    """An account: who, which role on which area, whether it may log in, whether it logs
    in with an authenticator app, and when it last did. ``username`` is chosen at creation
    (empty: made from the name's pinyin) and never changes."""

    url = serializers.HyperlinkedIdentityField(view_name="api:user-detail")
    username = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Set at creation; empty: made from the name's pinyin."),
    )
    role = serializers.ChoiceField(choices=Role.choices)
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    two_factor = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("Logs in with an authenticator app.")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "url",
            "username",
            "full_name",
            "role",
            "area",
            "is_active",
            "two_factor",
            "must_change_password",
            "last_login",
            "date_joined",
        ]
        read_only_fields = [
            "is_active",
            "must_change_password",
            "last_login",
            "date_joined",
        ]
        extra_kwargs = {"full_name": {"required": True, "allow_blank": False}}


class CreatedUserSerializer(UserSerializer):
    """A new account, with its one-time password: shown in this answer only."""

    one_time_password = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "Hand it to the person; it is never shown again. They choose their own password "
            "at the first login."
        ),
    )

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "one_time_password"]


class AccountReasonSerializer(Serializer):
    """Why an account is deactivated or reactivated (kept in the audit log)."""

    reason = serializers.CharField(max_length=200)


class OneTimePasswordSerializer(Serializer):
    """A reset password, to hand over once."""

    user = serializers.IntegerField()
    one_time_password = serializers.CharField()


def _with_two_factor(users: QuerySet[User]) -> QuerySet[User]:
    enrolled = AuthenticatorDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    return users.select_related("area").annotate(two_factor=Exists(enrolled))


class UserViewSet(RestrictedViewSet):
    """Accounts of the caller's area (administrators and community officers). No delete:
    an account is deactivated with a reason."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def get_queryset(self) -> QuerySet[User]:
        return _with_two_factor(super().get_queryset())

    def create_service(self, data: dict[str, Any]) -> User:
        user, password = services.do_create_user(
            by=self.request.user,
            full_name=data["full_name"],
            role=data["role"],
            area=data["area"],
            username=data.get("username") or "",
        )
        self._one_time_password = password
        return user

    @extend_schema(request=UserSerializer, responses={201: CreatedUserSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new account with a one-time password, which is in this answer and nowhere else."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        body = CreatedUserSerializer(
            serializer.instance, context=self.get_serializer_context()
        ).data
        body["one_time_password"] = self._one_time_password
        response = Response(body, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)  # includes no-store: the body holds a password
        return response

    def update_service(self, obj: User, data: dict[str, Any], expected_version: int | None) -> User:
        username = data.get("username")
        if username not in (None, "", obj.username):
            raise ValidationError({"username": _("A username cannot be changed.")})
        area = data.get("area") or obj.area
        if area is None:  # an installation's superuser: changed by an operator, not here
            raise ValidationError({"area": _("Choose an area.")})
        return services.do_update_user(
            obj,
            by=self.request.user,
            full_name=data.get("full_name", obj.full_name),
            role=data.get("role", obj.role),
            area=area,
        )

    @extend_schema(request=AccountReasonSerializer, responses={200: UserSerializer})
    @action(detail=True, methods=["post"], required_action="deactivate", can_conflict=True)
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        """The account stops working at once: its sessions and API tokens too."""
        user = self.get_object()
        form = AccountReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.do_deactivate_user(
            user, by=self.request.user, reason=form.validated_data["reason"]
        )
        return Response(self.get_serializer(self.reload(user)).data)

    @extend_schema(request=AccountReasonSerializer, responses={200: UserSerializer})
    @action(detail=True, methods=["post"], required_action="deactivate")
    def reactivate(self, request: Request, pk: str | None = None) -> Response:
        """The account may log in again."""
        user = self.get_object()
        form = AccountReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.do_reactivate_user(
            user, by=self.request.user, reason=form.validated_data["reason"]
        )
        return Response(self.get_serializer(self.reload(user)).data)

    @extend_schema(request=None, responses={200: OneTimePasswordSerializer})
    @action(
        detail=True, methods=["post"], required_action="reset_password", url_path="reset-password"
    )
    def reset_password(self, request: Request, pk: str | None = None) -> Response:
        """A one-time password, in this answer only; the user's sessions end and they must
        choose their own password at the next login."""
        user = self.get_object()
        password = services.do_reset_password(user, by=self.request.user)
        response = Response({"user": user.pk, "one_time_password": password})
        add_never_cache_headers(response)
        return response

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(
        detail=True,
        methods=["post"],
        required_action="reset_two_factor",
        url_path="reset-two-factor",
    )
    def reset_two_factor(self, request: Request, pk: str | None = None) -> Response:
        """The user's authenticator app is removed (a lost phone)."""
        user = self.get_object()
        services.do_reset_two_factor(user.pk, by=self.request.user)
        return Response(self.get_serializer(self.reload(user)).data)


def register(router: BaseRouter) -> None:
    router.register("users", UserViewSet, basename="user")
