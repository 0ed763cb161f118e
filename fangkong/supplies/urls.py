from django.urls import path

from fangkong.supplies import views

app_name = "supplies"

urlpatterns = [
    path("", views.BalanceView.as_view(), name="balances"),
    path("export/", views.BalanceExportView.as_view(), name="balance_export"),
    path("items/", views.ItemListView.as_view(), name="item_list"),
    path("items/export/", views.ItemExportView.as_view(), name="item_export"),
    path("items/new/", views.ItemEditView.as_view(), name="item_add"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/minimum/", views.ItemMinimumView.as_view(), name="item_minimum"),
    path("places/new/", views.PlaceAddView.as_view(), name="place_add"),
    path("donations/", views.DonationListView.as_view(), name="donation_list"),
    path("donations/export/", views.DonationExportView.as_view(), name="donation_export"),
    path("donations/new/", views.DonationAddView.as_view(), name="donation_add"),
    path("donations/summary/", views.DonationSummaryView.as_view(), name="donation_summary"),
    path("donations/<int:pk>/", views.DonationDetailView.as_view(), name="donation_detail"),
    path(
        "donations/<int:pk>/receipt.pdf",
        views.DonationReceiptView.as_view(),
        name="donation_receipt",
    ),
    path(
        "donations/<int:pk>/certificate.pdf",
        views.DonationCertificateView.as_view(),
        name="donation_certificate",
    ),
    path("ledger/", views.MovementListView.as_view(), name="movement_list"),
    path("ledger/export/", views.MovementExportView.as_view(), name="movement_export"),
    path("ledger/issue/", views.IssueView.as_view(), name="issue"),
    path("ledger/transfer/", views.TransferView.as_view(), name="transfer"),
    path("ledger/receive/", views.ReceiveView.as_view(), name="receive"),
    path("ledger/adjust/", views.AdjustView.as_view(), name="adjust"),
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.RequestAddView.as_view(), name="request_add"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/issue/", views.RequestIssueView.as_view(), name="request_issue"),
    path("requests/<int:pk>/refuse/", views.RequestRefuseView.as_view(), name="request_refuse"),
]
