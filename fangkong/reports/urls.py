from django.urls import path

from fangkong.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
]
