from django.urls import path

from fangkong.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.AreaTreeView.as_view(), name="tree"),
    path("<int:pk>/", views.AreaDetailView.as_view(), name="detail"),
    path("<int:parent_pk>/add/", views.AreaAddView.as_view(), name="add"),
    path("<int:pk>/edit/", views.AreaEditView.as_view(), name="edit"),
    path("<int:pk>/move/", views.AreaMoveView.as_view(), name="move"),
    path("<int:pk>/close/", views.AreaCloseView.as_view(), name="close"),
]
