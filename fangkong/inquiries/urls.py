from django.urls import path

from fangkong.inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("all/", views.InquiryListView.as_view(), name="inquiry_list"),
    path("all/export/", views.InquiryExportView.as_view(), name="inquiry_export"),
    path("frequent/", views.FrequentView.as_view(), name="frequent"),
    path("new/", views.InquiryCreateView.as_view(), name="inquiry_add"),
    path("<int:pk>/", views.InquiryDetailView.as_view(), name="inquiry_detail"),
    path("<int:pk>/edit/", views.InquiryEditView.as_view(), name="inquiry_edit"),
    path("<int:pk>/answer/", views.AnswerView.as_view(), name="inquiry_answer"),
    path("<int:pk>/follow-up/", views.FollowUpView.as_view(), name="inquiry_follow_up"),
    path("<int:pk>/close/", views.CloseView.as_view(), name="inquiry_close"),
    path("<int:pk>/to-faq/", views.FaqFromInquiryView.as_view(), name="inquiry_to_faq"),
    path("faq/", views.FaqListView.as_view(), name="faq_list"),
    path("faq/export/", views.FaqExportView.as_view(), name="faq_export"),
    path("faq/new/", views.FaqEditView.as_view(), name="faq_add"),
    path("faq/<int:pk>/", views.FaqDetailView.as_view(), name="faq_detail"),
    path("faq/<int:pk>/edit/", views.FaqEditView.as_view(), name="faq_edit"),
    path("import/", views.InquiryImportStartView.as_view(), name="inquiry_import_start"),
    path(
        "imports/<int:pk>/",
        views.InquiryImportDetailView.as_view(),
        name="inquiry_import_detail",
    ),
    path(
        "imports/<int:pk>/confirm/",
        views.InquiryImportConfirmView.as_view(),
        name="inquiry_import_confirm",
    ),
    path(
        "imports/<int:pk>/rejected/",
        views.InquiryImportRejectedView.as_view(),
        name="inquiry_import_rejected",
    ),
    path("faq/import/", views.FaqImportStartView.as_view(), name="faq_import_start"),
    path("faq/imports/<int:pk>/", views.FaqImportDetailView.as_view(), name="faq_import_detail"),
    path(
        "faq/imports/<int:pk>/confirm/",
        views.FaqImportConfirmView.as_view(),
        name="faq_import_confirm",
    ),
    path(
        "faq/imports/<int:pk>/rejected/",
        views.FaqImportRejectedView.as_view(),
        name="faq_import_rejected",
    ),
]
