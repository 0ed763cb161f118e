from django.urls import path

from fangkong.health.views import cases, overview, people, quarantines, today, transfer

app_name = "health"
urlpatterns = [
    path("", today.TodayView.as_view(), name="today"),
    # People: a person's record and what starts from a person or a household
    path("people/", people.PersonFinderView.as_view(), name="people"),
    path("people/<int:pk>/", people.PersonHealthView.as_view(), name="person"),
    path("people/<int:pk>/case/", people.CaseOpenView.as_view(), name="case_open"),
    path(
        "people/<int:person_pk>/quarantine/",
        people.QuarantineStartView.as_view(),
        name="quarantine_start",
    ),
    path(
        "households/<int:household_pk>/quarantine/",
        people.QuarantineStartView.as_view(),
        name="household_quarantine_start",
    ),
    path(
        "contacts/<int:contact_pk>/quarantine/",
        people.QuarantineStartView.as_view(),
        name="contact_quarantine_start",
    ),
    path(
        "alerts/<int:alert_pk>/quarantine/",
        people.QuarantineStartView.as_view(),
        name="alert_quarantine_start",
    ),
    path("people/<int:pk>/report/", people.ReportAddView.as_view(), name="report_add"),
    # Cases, contacts, chains
    path("cases/", cases.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", cases.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/edit/", cases.CaseEditView.as_view(), name="case_edit"),
    path("cases/<int:pk>/classify/", cases.ClassifyView.as_view(), name="case_classify"),
    path("cases/<int:pk>/outcome/", cases.OutcomeView.as_view(), name="case_outcome"),
    path("cases/<int:pk>/contacts/add/", cases.ContactAddView.as_view(), name="contact_add"),
    path("contacts/", cases.ContactListView.as_view(), name="contact_list"),
    path("contacts/<int:pk>/", cases.ContactDetailView.as_view(), name="contact_detail"),
    path("chains/", cases.ChainView.as_view(), name="chains"),
    # Quarantines and reports
    path("quarantines/", quarantines.QuarantineListView.as_view(), name="quarantine_list"),
    path(
        "quarantines/<int:pk>/",
        quarantines.QuarantineDetailView.as_view(),
        name="quarantine_detail",
    ),
    path(
        "quarantines/<int:pk>/end-date/",
        quarantines.EndDateView.as_view(),
        name="quarantine_end_date",
    ),
    path("quarantines/<int:pk>/end/", quarantines.EndView.as_view(), name="quarantine_end"),
    path("reports/", quarantines.ReportListView.as_view(), name="report_list"),
    # Disinfection, the picture, the building grid
    path("disinfections/", overview.DisinfectionListView.as_view(), name="disinfection_list"),
    path("disinfections/add/", overview.DisinfectionAddView.as_view(), name="disinfection_add"),
    path("picture/", overview.PictureView.as_view(), name="picture"),
    path("buildings/", overview.BuildingGridView.as_view(), name="buildings"),
    # Status changes and their review
    path("changes/", overview.ChangeListView.as_view(), name="change_list"),
    path("changes/approve/", overview.BulkApproveView.as_view(), name="change_bulk_approve"),
    path("changes/<int:pk>/", overview.ChangeDetailView.as_view(), name="change_detail"),
    path(
        "changes/<int:pk>/approve/",
        overview.DecisionView.as_view(approve=True),
        name="change_approve",
    ),
    path(
        "changes/<int:pk>/reject/",
        overview.DecisionView.as_view(approve=False),
        name="change_reject",
    ),
    path("settings/", overview.PolicyView.as_view(), name="policy"),
    # Import and export
    path("import/", transfer.ImportStartView.as_view(), name="import_start"),
    path(
        "import/template/<str:kind>/", transfer.ImportTemplateView.as_view(), name="import_template"
    ),
    path("imports/<int:pk>/", transfer.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/confirm/", transfer.ImportConfirmView.as_view(), name="import_confirm"),
    path("export/<str:kind>/", transfer.ExportView.as_view(), name="export"),
]
