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
]
