from django.urls import path

from fangkong.selfservice import views

app_name = "selfservice"

urlpatterns = [
    # The household's own pages (no login).
    path("s/home/", views.HomeView.as_view(), name="home"),
    path("s/home/report/", views.ReportView.as_view(), name="report"),
    path("s/home/ask/", views.AskView.as_view(), name="ask"),
    path("s/home/correction/", views.CorrectionView.as_view(), name="correction"),
    path("s/text-size/", views.TextSizeView.as_view(), name="text_size"),
    path("s/phone/", views.PhoneView.as_view(), name="phone"),
    path("s/phone/code/", views.CodeView.as_view(), name="code"),
    path("s/<str:token>/", views.OpenLinkView.as_view(), name="open"),
    # Staff.
    path(
        "selfservice/households/<int:pk>/",
        views.HouseholdLinkPageView.as_view(),
        name="household",
    ),
    path(
        "selfservice/households/<int:pk>/issue/",
        views.IssueLinkView.as_view(),
        name="issue",
    ),
    path("selfservice/links/<int:pk>/", views.IssuedLinkView.as_view(), name="issued"),
    path("selfservice/links/<int:pk>/slip/", views.SlipView.as_view(), name="slip"),
    path("selfservice/links/<int:pk>/revoke/", views.RevokeLinkView.as_view(), name="revoke"),
    path("selfservice/corrections/", views.CorrectionListView.as_view(), name="correction_list"),
    path(
        "selfservice/corrections/<int:pk>/",
        views.CorrectionDetailView.as_view(),
        name="correction_detail",
    ),
    path(
        "selfservice/corrections/<int:pk>/approve/",
        views.ApproveCorrectionView.as_view(),
        name="correction_approve",
    ),
    path(
        "selfservice/corrections/<int:pk>/reject/",
        views.RejectCorrectionView.as_view(),
        name="correction_reject",
    ),
    path("selfservice/activity/", views.ActivityListView.as_view(), name="activity"),
]
