from django.urls import path

from fangkong.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("community/<int:pk>/", views.CommunityView.as_view(), name="community"),
    path("community/<int:pk>/grids/", views.AssignGridsView.as_view(), name="assign_grids"),
    path(
        "community/<int:community_pk>/buildings/add/",
        views.BuildingEditView.as_view(),
        name="building_add",
    ),
    path(
        "community/<int:community_pk>/people/add/",
        views.PersonEditView.as_view(),
        name="person_add_no_household",
    ),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("buildings/<int:pk>/edit/", views.BuildingEditView.as_view(), name="building_edit"),
    path(
        "buildings/<int:building_pk>/households/add/",
        views.HouseholdEditView.as_view(),
        name="household_add",
    ),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household_edit"),
    path(
        "households/<int:household_pk>/people/add/",
        views.PersonEditView.as_view(),
        name="person_add",
    ),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path(
        "people/<int:pk>/deactivate/",
        views.PersonDeactivateView.as_view(),
        name="person_deactivate",
    ),
    path(
        "people/<int:pk>/reactivate/",
        views.PersonReactivateView.as_view(),
        name="person_reactivate",
    ),
    path("people/<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person_reveal"),
    # Import and export (import_views.py)
    path(
        "community/<int:community_pk>/import/",
        import_views.ImportStartView.as_view(),
        name="import_start",
    ),
    path(
        "community/<int:community_pk>/import/template/",
        import_views.TemplateDownloadView.as_view(),
        name="import_template",
    ),
    path(
        "community/<int:community_pk>/import/sample/",
        import_views.SampleRegisterView.as_view(),
        name="import_sample",
    ),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path(
        "imports/<int:pk>/rejected/",
        import_views.ImportRejectedView.as_view(),
        name="import_rejected",
    ),
    path(
        "imports/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import_confirm"
    ),
    path("people/export/", import_views.PersonExportView.as_view(), name="person_export"),
    path("households/export/", import_views.HouseholdExportView.as_view(), name="household_export"),
]
