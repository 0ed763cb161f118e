from django.urls import path

from fangkong.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.AreaTreeView.as_view(), name="tree"),
]
