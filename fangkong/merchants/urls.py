from django.urls import path

from fangkong.merchants import views

app_name = "merchants"

urlpatterns = [
    path("", views.MerchantListView.as_view(), name="merchant_list"),
    path("new/", views.MerchantEditView.as_view(), name="merchant_add"),
    path("export/", views.MerchantExportView.as_view(), name="merchant_export"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("overview/export/", views.OverviewExportView.as_view(), name="overview_export"),
    path("notice/", views.NoticeTemplateView.as_view(), name="notice_template"),
    path("register/search/", views.RegisterSearchView.as_view(), name="register_search"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("checks/<int:pk>/close/", views.FollowUpCloseView.as_view(), name="follow_up_close"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/<int:pk>/close/", views.ComplaintCloseView.as_view(), name="complaint_close"),
    path("<int:pk>/", views.MerchantDetailView.as_view(), name="merchant_detail"),
    path("<int:pk>/edit/", views.MerchantEditView.as_view(), name="merchant_edit"),
    path("<int:pk>/status/", views.MerchantStatusView.as_view(), name="merchant_status"),
    path("<int:pk>/inspect/", views.InspectionAddView.as_view(), name="inspection_add"),
    path("<int:pk>/notice.pdf", views.NoticePdfView.as_view(), name="notice_pdf"),
    path("<int:pk>/notice/", views.NoticeAddView.as_view(), name="notice_add"),
    path("<int:pk>/poster.pdf", views.PosterPdfView.as_view(), name="poster_pdf"),
    path("<int:pk>/poster/replace/", views.PosterReplaceView.as_view(), name="poster_replace"),
    path("<int:pk>/owner-link/", views.OwnerLinkIssueView.as_view(), name="owner_link_issue"),
    path(
        "<int:pk>/owner-link/revoke/",
        views.OwnerLinkRevokeView.as_view(),
        name="owner_link_revoke",
    ),
    path("<int:pk>/complain/", views.ComplaintAddView.as_view(), name="complaint_add"),
    # Public: a shop's sign-in page (its QR poster) and its owner's page (a private link).
    path("r/<str:token>/", views.SignInView.as_view(), name="sign_in"),
    path("owner/<str:token>/", views.OwnerPageView.as_view(), name="owner_page"),
    path("owner/<str:token>/poster.pdf", views.OwnerPosterView.as_view(), name="owner_poster"),
]
