from django.urls import path

from fangkong.daily import views

app_name = "daily"

urlpatterns = [
    path("", views.TodayView.as_view(), name="today"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/correct/", views.ReportCorrectView.as_view(), name="report_correct"),
    path("reports/<int:pk>/xlsx/", views.ReportXlsxView.as_view(), name="report_xlsx"),
    path("reports/<int:pk>/pdf/", views.ReportPdfView.as_view(), name="report_pdf"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/upload/", views.TemplateUploadView.as_view(), name="template_upload"),
    path("templates/install/", views.TemplateInstallView.as_view(), name="template_install"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="template_detail"),
    path(
        "templates/<int:pk>/deactivate/",
        views.TemplateDeactivateView.as_view(),
        name="template_deactivate",
    ),
    path("deadline/", views.DeadlineView.as_view(), name="deadline"),
]
