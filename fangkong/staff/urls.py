"""Staff pages under /staff/. Pages of one community carry ``community/<community_pk>/``;
pages of one row carry the row's kind and number."""

from django.urls import path

from fangkong.staff.views import patrols, people, plans, rosters, tasks

app_name = "staff"

C = "community/<int:community_pk>/"

urlpatterns = [
    # The hub
    path("", people.StaffHomeView.as_view(), name="home"),
    path("community/<int:community_pk>/", people.CommunityStaffView.as_view(), name="community"),
    # Tasks
    path("tasks/mine/", tasks.MyTasksView.as_view(), name="my_tasks"),
    path("tasks/", tasks.TaskListView.as_view(), name="task_list"),
    path("tasks/export/", tasks.TaskExportView.as_view(), name="task_export"),
    path(C + "tasks/add/", tasks.TaskEditView.as_view(), name="task_add"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", tasks.TaskEditView.as_view(), name="task_edit"),
    path("tasks/<int:pk>/start/", tasks.TaskStartView.as_view(), name="task_start"),
    path("tasks/<int:pk>/complete/", tasks.TaskCompleteView.as_view(), name="task_complete"),
    path("tasks/<int:pk>/cancel/", tasks.TaskCancelView.as_view(), name="task_cancel"),
    path("tasks/<int:pk>/comment/", tasks.TaskCommentView.as_view(), name="task_comment"),
    path("tasks/<int:pk>/reassign/", tasks.TaskReassignView.as_view(), name="task_reassign"),
    # Organisations and staff members
    path(C + "organisations/", people.OrganisationListView.as_view(), name="organisation_list"),
    path(C + "organisations/add/", people.OrganisationEditView.as_view(), name="organisation_add"),
    path(
        "organisations/<int:pk>/",
        people.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        people.OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
    path(C + "people/", people.StaffMemberListView.as_view(), name="member_list"),
    path(C + "people/add/", people.StaffMemberEditView.as_view(), name="member_add"),
    path("people/<int:pk>/", people.StaffMemberDetailView.as_view(), name="member_detail"),
    path("people/<int:pk>/edit/", people.StaffMemberEditView.as_view(), name="member_edit"),
    # Teams
    path(C + "teams/", people.TeamListView.as_view(), name="team_list"),
    path(C + "teams/add/", people.TeamEditView.as_view(), name="team_add"),
    path("teams/<int:pk>/", people.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", people.TeamEditView.as_view(), name="team_edit"),
    path("teams/<int:pk>/board/", tasks.TeamBoardView.as_view(), name="team_board"),
    path("teams/<int:pk>/members/add/", people.TeamMemberAddView.as_view(), name="team_member_add"),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/remove/",
        people.TeamMemberRemoveView.as_view(),
        name="team_member_remove",
    ),
    # The leading group and the responsibility matrix
    path(C + "leading-group/", people.LeadingGroupView.as_view(), name="leading_group"),
    path(
        C + "leading-group/edit/", people.LeadingGroupEditView.as_view(), name="leading_group_edit"
    ),
    path(C + "leading-group/seats/add/", people.SeatEditView.as_view(), name="seat_add"),
    path("leading-group/seats/<int:pk>/edit/", people.SeatEditView.as_view(), name="seat_edit"),
    path(
        "leading-group/seats/<int:pk>/remove/", people.SeatRemoveView.as_view(), name="seat_remove"
    ),
    path(
        C + "responsibilities/", people.ResponsibilityMatrixView.as_view(), name="responsibilities"
    ),
    path(
        C + "responsibilities/add/",
        people.ResponsibilityEditView.as_view(),
        name="responsibility_add",
    ),
    path(
        "responsibilities/<int:pk>/edit/",
        people.ResponsibilityEditView.as_view(),
        name="responsibility_edit",
    ),
    path(
        "responsibilities/<int:pk>/remove/",
        people.ResponsibilityDeleteView.as_view(),
        name="responsibility_remove",
    ),
    # Checkpoints, rosters and shifts
    path(C + "checkpoints/", rosters.CheckpointListView.as_view(), name="checkpoint_list"),
    path(C + "checkpoints/add/", rosters.CheckpointEditView.as_view(), name="checkpoint_add"),
    path(
        "checkpoints/<int:pk>/edit/", rosters.CheckpointEditView.as_view(), name="checkpoint_edit"
    ),
    path(
        "checkpoints/<int:pk>/roster/",
        rosters.CheckpointRosterView.as_view(),
        name="checkpoint_roster",
    ),
    path(C + "roster/", rosters.CommunityRosterView.as_view(), name="community_roster"),
    path(C + "roster/export/", rosters.RosterExportView.as_view(), name="roster_export"),
    path(C + "shifts/add/", rosters.ShiftEditView.as_view(), name="shift_add"),
    path("shifts/<int:pk>/", rosters.ShiftDetailView.as_view(), name="shift_detail"),
    path("shifts/<int:pk>/edit/", rosters.ShiftEditView.as_view(), name="shift_edit"),
    path("shifts/<int:pk>/assign/", rosters.ShiftAssignView.as_view(), name="shift_assign"),
    path(
        "shifts/<int:pk>/unassign/<int:assignment_pk>/",
        rosters.ShiftUnassignView.as_view(),
        name="shift_unassign",
    ),
    path("shifts/<int:pk>/move-here/", rosters.ShiftMoveView.as_view(), name="shift_move"),
    path("shifts/mine/", rosters.MyShiftsView.as_view(), name="my_shifts"),
    path("assignments/<int:pk>/check-in/", rosters.CheckInView.as_view(), name="check_in"),
    path("assignments/<int:pk>/check-out/", rosters.CheckOutView.as_view(), name="check_out"),
    path("assignments/<int:pk>/swap/", rosters.SwapRequestView.as_view(), name="swap_add"),
    path(C + "swaps/", rosters.SwapListView.as_view(), name="swap_list"),
    path("swaps/<int:pk>/decide/", rosters.SwapDecideView.as_view(), name="swap_decide"),
    path("swaps/<int:pk>/withdraw/", rosters.SwapWithdrawView.as_view(), name="swap_withdraw"),
    path(C + "hours/", rosters.HoursView.as_view(), name="hours"),
    # Patrols
    path(C + "patrols/", patrols.PatrolSummaryView.as_view(), name="patrol_summary"),
    path(C + "patrols/add/", patrols.PatrolAddView.as_view(), name="patrol_add"),
    path("patrols/<int:pk>/", patrols.PatrolDetailView.as_view(), name="patrol_detail"),
    path("patrol-photos/<int:pk>/", patrols.PatrolPhotoView.as_view(), name="patrol_photo"),
    # The prevention plan
    path(C + "plan/", plans.PlanView.as_view(), name="plan"),
    path(C + "plan/edit/", plans.PlanEditView.as_view(), name="plan_edit"),
    path(C + "plan/history/", plans.PlanHistoryView.as_view(), name="plan_history"),
    path(C + "plan/diff/", plans.PlanDiffView.as_view(), name="plan_diff"),
    path("plan-versions/<int:pk>/", plans.PlanVersionView.as_view(), name="plan_version"),
]
