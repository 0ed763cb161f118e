from django.urls import path

from fangkong.screening.views import alerts, calls, campaigns, questionnaires, transfer

app_name = "screening"
urlpatterns = [
    path("", campaigns.HomeView.as_view(), name="home"),
    # Campaigns and their coverage
    path("campaigns/add/", campaigns.CampaignEditView.as_view(), name="campaign_add"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.CampaignEditView.as_view(), name="campaign_edit"),
    path("campaigns/<int:pk>/start/", campaigns.CampaignStartView.as_view(), name="campaign_start"),
    path("campaigns/<int:pk>/close/", campaigns.CampaignCloseView.as_view(), name="campaign_close"),
    path(
        "campaigns/<int:pk>/households/",
        campaigns.AssignmentListView.as_view(),
        name="assignment_list",
    ),
    path("campaigns/<int:pk>/helpers/", campaigns.HelperView.as_view(), name="campaign_helpers"),
    path("campaigns/<int:pk>/export/", transfer.ExportView.as_view(), name="campaign_export"),
    path("campaigns/<int:pk>/summary/", transfer.SummaryView.as_view(), name="campaign_summary"),
    path("campaigns/<int:pk>/import/", transfer.ImportView.as_view(), name="campaign_import"),
    path(
        "campaigns/<int:pk>/import/template/",
        transfer.ImportTemplateView.as_view(),
        name="campaign_import_template",
    ),
    # Questionnaires
    path(
        "questionnaires/", questionnaires.QuestionnaireListView.as_view(), name="questionnaire_list"
    ),
    path(
        "questionnaires/add/",
        questionnaires.QuestionnaireEditView.as_view(),
        name="questionnaire_add",
    ),
    path(
        "questionnaires/<int:pk>/",
        questionnaires.QuestionnaireDetailView.as_view(),
        name="questionnaire_detail",
    ),
    path(
        "questionnaires/<int:pk>/edit/",
        questionnaires.QuestionnaireEditView.as_view(),
        name="questionnaire_edit",
    ),
    path(
        "questionnaires/<int:pk>/preview/",
        questionnaires.QuestionnairePreviewView.as_view(),
        name="questionnaire_preview",
    ),
    path(
        "questionnaires/<int:pk>/questions/add/",
        questionnaires.QuestionEditView.as_view(),
        name="question_add",
    ),
    path(
        "questionnaires/<int:pk>/questions/<slug:code>/",
        questionnaires.QuestionEditView.as_view(),
        name="question_edit",
    ),
    path(
        "questionnaires/<int:pk>/questions/<slug:code>/move/",
        questionnaires.QuestionActionView.as_view(action="move"),
        name="question_move",
    ),
    path(
        "questionnaires/<int:pk>/questions/<slug:code>/remove/",
        questionnaires.QuestionActionView.as_view(action="remove"),
        name="question_remove",
    ),
    # The caller's phone screen
    path("calls/", calls.CallListView.as_view(), name="call_list"),
    path("calls/<int:pk>/", calls.CallView.as_view(), name="call"),
    path("calls/<int:pk>/dial/<int:person_pk>/", calls.DialView.as_view(), name="dial"),
    path("calls/<int:pk>/outcome/", calls.OutcomeView.as_view(), name="call_outcome"),
    path("calls/<int:pk>/answers/", calls.AnswerView.as_view(), name="call_answers"),
    path("calls/<int:pk>/moved/", calls.MovedView.as_view(), name="call_moved"),
    # Alerts and move-outs
    path("alerts/", alerts.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", alerts.AlertDetailView.as_view(), name="alert_detail"),
    path("move-outs/", alerts.ProposalListView.as_view(), name="proposal_list"),
    path(
        "move-outs/<int:pk>/confirm/",
        alerts.ProposalDecisionView.as_view(confirm=True),
        name="proposal_confirm",
    ),
    path(
        "move-outs/<int:pk>/reject/",
        alerts.ProposalDecisionView.as_view(confirm=False),
        name="proposal_reject",
    ),
]
