from django.urls import path

from fangkong.access.views import gate, gate_log, overview, passes, suspensions, visitors

app_name = "access"
urlpatterns = [
    path("", overview.IndexView.as_view(), name="index"),
    # The scanner and what it needs offline, all under /access/gate/ (the worker's scope).
    path("gate/", gate.GateView.as_view(), name="gate"),
    path("gate/sw.js", gate.GateServiceWorkerView.as_view(), name="gate_sw"),
    path("gate/manifest.webmanifest", gate.GateManifestView.as_view(), name="gate_manifest"),
    path("gate/data/", gate.GateDataView.as_view(), name="gate_data"),
    path("gate/check/", gate.GateCheckView.as_view(), name="gate_check"),
    path("out/", overview.OutNowView.as_view(), name="out_now"),
    path("policy/", passes.PolicyView.as_view(), name="policy"),
    path("passes/", passes.PassListView.as_view(), name="pass_list"),
    path("passes/issue/", passes.PassIssueView.as_view(), name="pass_issue"),
    path("passes/print/", passes.PassPrintView.as_view(), name="pass_print"),
    path("passes/<int:pk>/", passes.PassDetailView.as_view(), name="pass_detail"),
    path("passes/<int:pk>/replace/", passes.PassReplaceView.as_view(), name="pass_replace"),
    path("passes/<int:pk>/void/", passes.PassVoidView.as_view(), name="pass_void"),
    path(
        "households/<int:household_pk>/suspend/",
        suspensions.SuspendView.as_view(),
        name="household_suspend",
    ),
    path(
        "households/<int:household_pk>/exempt/",
        suspensions.ExemptionAddView.as_view(),
        name="exemption_add",
    ),
    path("suspensions/", suspensions.SuspensionListView.as_view(), name="suspension_list"),
    path(
        "suspensions/<int:pk>/lift/",
        suspensions.SuspensionLiftView.as_view(),
        name="suspension_lift",
    ),
    path("exemptions/", suspensions.ExemptionListView.as_view(), name="exemption_list"),
    path(
        "exemptions/<int:pk>/revoke/",
        suspensions.ExemptionRevokeView.as_view(),
        name="exemption_revoke",
    ),
    path("log/", gate_log.GateEventListView.as_view(), name="event_list"),
    path("log/<int:pk>/", gate_log.GateEventDetailView.as_view(), name="event_detail"),
    path("log/<int:pk>/review/", gate_log.GateEventReviewView.as_view(), name="event_review"),
    path("reports/", gate_log.ReportView.as_view(), name="report"),
    path("reports/export/", gate_log.ReportExportView.as_view(), name="report_export"),
    path("visitors/", visitors.VisitorListView.as_view(), name="visitor_list"),
    path("visitors/add/", visitors.VisitorAddView.as_view(), name="visitor_add"),
    path("visitors/<int:pk>/", visitors.VisitorDetailView.as_view(), name="visitor_detail"),
    path("visitors/<int:pk>/call/", visitors.VisitorCallView.as_view(), name="visitor_call"),
    path(
        "visitors/<int:pk>/confirm/", visitors.VisitorConfirmView.as_view(), name="visitor_confirm"
    ),
    path("visitors/<int:pk>/refuse/", visitors.VisitorRefuseView.as_view(), name="visitor_refuse"),
    path("visitors/<int:pk>/leave/", visitors.VisitorLeaveView.as_view(), name="visitor_leave"),
]
