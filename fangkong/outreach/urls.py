from django.urls import path

from fangkong.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("announcements/", views.AnnouncementListView.as_view(), name="announcement_list"),
    path("announcements/new/", views.AnnouncementEditView.as_view(), name="announcement_add"),
    path(
        "announcements/<int:pk>/",
        views.AnnouncementDetailView.as_view(),
        name="announcement_detail",
    ),
    path(
        "announcements/<int:pk>/edit/",
        views.AnnouncementEditView.as_view(),
        name="announcement_edit",
    ),
    path(
        "announcements/<int:pk>/poster/",
        views.AnnouncementPosterView.as_view(),
        name="announcement_poster",
    ),
    path(
        "areas/<int:pk>/announcements/",
        views.CurrentAnnouncementsView.as_view(),
        name="announcement_current",
    ),
    path("broadcasts/", views.BroadcastListView.as_view(), name="broadcast_list"),
    path("broadcasts/new/", views.BroadcastEditView.as_view(), name="broadcast_add"),
    path("broadcasts/<int:pk>/", views.BroadcastDetailView.as_view(), name="broadcast_detail"),
    path("broadcasts/<int:pk>/edit/", views.BroadcastEditView.as_view(), name="broadcast_edit"),
    path(
        "broadcasts/<int:pk>/audio/make/",
        views.BroadcastAudioMakeView.as_view(),
        name="broadcast_audio_make",
    ),
    path("broadcasts/<int:pk>/audio/", views.BroadcastAudioView.as_view(), name="broadcast_audio"),
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundAddView.as_view(), name="round_add"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("scripts/", views.ScriptListView.as_view(), name="script_list"),
    path("scripts/new/", views.ScriptAddView.as_view(), name="script_add"),
    path("scripts/<int:pk>/", views.ScriptDetailView.as_view(), name="script_detail"),
    path("scripts/<int:pk>/edit/", views.ScriptReviseView.as_view(), name="script_edit"),
    path("scripts/<int:pk>/propose/", views.ScriptProposeView.as_view(), name="script_propose"),
    path(
        "scripts/<int:pk>/recommend/",
        views.ScriptRecommendView.as_view(),
        name="script_recommend",
    ),
    path("scripts/<int:pk>/run/", views.ScriptRunView.as_view(), name="script_run"),
    path("guidance/", views.GuidanceListView.as_view(), name="guidance_list"),
    path("guidance/new/", views.GuidanceEditView.as_view(), name="guidance_add"),
    path("guidance/<int:pk>/", views.GuidanceDetailView.as_view(), name="guidance_detail"),
    path("guidance/<int:pk>/edit/", views.GuidanceEditView.as_view(), name="guidance_edit"),
    path("guidance/<int:pk>/poster/", views.GuidancePosterView.as_view(), name="guidance_poster"),
    path("export/<slug:what>/", views.ExportView.as_view(), name="export"),
    path("import/<slug:kind>/", views.ImportStartView.as_view(), name="import_start"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/rejected/", views.ImportRejectedView.as_view(), name="import_rejected"),
]
