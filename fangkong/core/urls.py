from django.urls import path

from fangkong.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.AuditLogView.as_view(), name="audit_list"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
]
