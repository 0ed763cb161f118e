from django.urls import path

from fangkong.counselling import views

app_name = "counselling"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseCreateView.as_view(), name="case_add"),
    path("export/", views.CaseExportView.as_view(), name="case_export"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/notes/", views.NotesView.as_view(), name="case_notes"),
    path("<int:pk>/edit/", views.CaseEditView.as_view(), name="case_edit"),
    path("<int:pk>/refer/", views.ReferView.as_view(), name="case_refer"),
    path("<int:pk>/close/", views.CloseView.as_view(), name="case_close"),
    path("<int:pk>/sessions/new/", views.SessionCreateView.as_view(), name="session_add"),
]
