from django.urls import path

from fangkong.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("figures/<int:pk>/", views.DailyFiguresView.as_view(), name="daily_figures"),
    path(
        "figures/<int:pk>/count/",
        views.StoreDailyFiguresView.as_view(),
        name="store_daily_figures",
    ),
]
