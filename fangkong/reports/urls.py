from django.urls import path

from fangkong.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<int:pk>/", views.DashboardView.as_view(), name="dashboard"),
    path("figures/<int:pk>/", views.DailyFiguresView.as_view(), name="daily_figures"),
    path(
        "figures/<int:pk>/count/",
        views.StoreDailyFiguresView.as_view(),
        name="store_daily_figures",
    ),
]
