from django.urls import path

from fangkong.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path(
        "community/<int:community_pk>/",
        views.VolunteerListView.as_view(),
        name="volunteer_list",
    ),
    path(
        "community/<int:community_pk>/export/",
        views.VolunteerExportView.as_view(),
        name="volunteer_export",
    ),
    path(
        "community/<int:community_pk>/add/",
        views.VolunteerCreateView.as_view(),
        name="volunteer_add",
    ),
    path(
        "community/<int:community_pk>/veterans/",
        views.VeteranResidentsView.as_view(),
        name="veteran_residents",
    ),
    path(
        "community/<int:community_pk>/requests/",
        views.RequestListView.as_view(),
        name="request_list",
    ),
    path(
        "community/<int:community_pk>/requests/add/",
        views.RequestCreateView.as_view(),
        name="request_add",
    ),
    path(
        "community/<int:community_pk>/import/",
        views.ImportStartView.as_view(),
        name="import_start",
    ),
    path("<int:pk>/", views.VolunteerDetailView.as_view(), name="volunteer_detail"),
    path("<int:pk>/edit/", views.VolunteerEditView.as_view(), name="volunteer_edit"),
    path("<int:pk>/certificate/", views.CertificateView.as_view(), name="certificate"),
    path("residents/<int:pk>/add/", views.AddResidentView.as_view(), name="add_resident"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/answer/", views.AnswerView.as_view(), name="request_answer"),
    path("requests/<int:pk>/hours/", views.CountHoursView.as_view(), name="request_hours"),
    path("requests/<int:pk>/cancel/", views.CancelRequestView.as_view(), name="request_cancel"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/rejected/", views.ImportRejectedView.as_view(), name="import_rejected"),
]
