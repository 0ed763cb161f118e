from django.urls import path

from fangkong.daily import views

app_name = "daily"

urlpatterns = [
    path("", views.TodayView.as_view(), name="today"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/correct/", views.ReportCorrectView.as_view(), name="report_correct"),
]
