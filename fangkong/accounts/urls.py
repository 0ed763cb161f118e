"""Login (password, then a code for users with an authenticator app), logout, the account
page with two-step login, officers' reset of a user's app, the accounts of an area and their
assignments, and API tokens. axes throttles failures."""

from django.contrib.auth import views as auth_views
from django.urls import path

from fangkong.accounts import import_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.account, name="account"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/two-factor/start/", views.two_factor_start, name="two_factor_start"),
    path("me/two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("me/two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("two-factor/", views.two_factor_users, name="two_factor_users"),
    path("two-factor/<int:pk>/reset/", views.two_factor_reset, name="two_factor_reset"),
    path(
        "users/<int:pk>/assignments/", views.UserAssignmentsView.as_view(), name="user_assignments"
    ),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment_end"),
    # Accounts of the user's area (administrators and community officers).
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.UserReactivateView.as_view(), name="user_reactivate"),
    path(
        "users/<int:pk>/reset-password/",
        views.UserResetPasswordView.as_view(),
        name="user_reset_password",
    ),
    path(
        "users/<int:pk>/reset-two-factor/",
        views.UserResetTwoFactorView.as_view(),
        name="user_reset_two_factor",
    ),
    path("tokens/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    # The staff-accounts import (import_views.py): upload, preview, make all or none, the
    # sheet of one-time passwords once.
    path("import/", import_views.ImportStartView.as_view(), name="import_start"),
    path("import/template/", import_views.TemplateDownloadView.as_view(), name="import_template"),
    path("import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path(
        "import/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import_confirm"
    ),
    path(
        "import/<int:pk>/rejected/",
        import_views.ImportRejectedView.as_view(),
        name="import_rejected",
    ),
    path("import/<int:pk>/sheet/", import_views.PasswordSheetView.as_view(), name="import_sheet"),
]
