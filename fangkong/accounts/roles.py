"""Who may do what (DESIGN.md, "Who may do what"), as data.

Rights are ``(model label, action)`` pairs; ``app.*`` covers every model of an app. Actions:
``view``, ``add``, ``change``, ``deactivate``, ``reveal`` (see one record's full personal
data, with a reason), ``export``, ``import``, ``print`` (pass cards: every member's name and
the token the gate scans), ``search`` (a shop's personnel register, with a reason). Where a
role may act is decided separately, by the area its user is assigned to (``User.scope``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fangkong.accounts.choices import Role

if TYPE_CHECKING:
    from fangkong.accounts.models import User

VIEW = {"view"}
EDIT = {"view", "add", "change", "deactivate"}
OFFICER = EDIT | {"reveal", "export", "import"}
#: Recording a patrol visit (its photos and on-duty list come with it, in one service).
PATROL = VIEW | {"add"}

RIGHTS: dict[str, dict[str, set[str]]] = {
    # The administrator keeps the area tree and the accounts below its area, and nothing
    # else: no registry, health, pass or audit row (those carry residents' personal data),
    # so a stolen administrator's password reveals no resident.
    Role.ADMINISTRATOR: {
        "areas.*": EDIT,
        "accounts.user": EDIT | {"reset_password", "reset_two_factor"},
        # Further, possibly dated, roles of the users below its area (someone lent).
        "accounts.assignment": EDIT,
    },
    # Officials above a community read figures and masked rows; they change nothing but
    # record their own patrols.
    Role.DISTRICT_OFFICIAL: {
        "areas.*": VIEW,
        "registry.*": VIEW,
        "staff.*": VIEW,
        # The one thing officials record themselves: their patrols of the checkpoints (the
        # story's chief patrolled every gate daily), where restrict() says they cover.
        "staff.patrolvisit": PATROL,
        "screening.*": VIEW,
        "access.*": VIEW,
        "health.*": VIEW,
        "outreach.*": VIEW,
        # The daily figures stored per community (reports.daily): sums, no person in them.
        "reports.communityfigure": VIEW,
        # Submits the district's daily report (the sum of its streets') and reads theirs.
        "daily.dailyreport": VIEW | {"add", "change"},
        # Supplies: stock, donations (the donor's name masked nowhere: officials read the
        # summary), requests; read only.
        "supplies.*": VIEW,
        # Volunteers and their mobilisation, masked like every row: who can help where.
        "volunteers.*": VIEW,
        # Shops, visits, notices, complaints and the overview; never a shop's register.
        "merchants.*": VIEW,
        "merchants.registerentry": set(),
        # Residents' questions and the FAQ, read only (no counselling: a case is personal).
        "inquiries.*": VIEW,
    },
    Role.STREET_OFFICIAL: {
        "areas.*": VIEW,
        "registry.*": VIEW,
        "staff.*": VIEW,
        "staff.patrolvisit": PATROL,
        "screening.*": VIEW,
        "access.*": VIEW,
        "health.*": VIEW,
        "outreach.*": VIEW,
        # The street shares phone notification scripts: writes its own for every community
        # below it, and recommends a community's proposed one street-wide (issue 19).
        "outreach.notificationscript": EDIT | {"recommend"},
        "reports.communityfigure": VIEW,
        # "export": the street's summary filled into its superiors' forms, and the PDF.
        "daily.dailyreport": VIEW | {"add", "change", "export"},
        # The street's own forms (its summary, or a form its communities' reports fill).
        "daily.reporttemplate": VIEW | {"add", "deactivate"},
        # The time after which its communities' reports are late.
        "daily.reportdeadline": VIEW | {"change"},
        "supplies.*": VIEW,
        "volunteers.*": VIEW,
        "merchants.*": VIEW,
        "merchants.registerentry": set(),
        "inquiries.inquiry": VIEW,
        # The street-wide FAQ, which every community of the street shows below its own
        # (written one by one or imported from a list).
        "inquiries.faqentry": EDIT | {"import"},
    },
    # The community officer runs the community: registry, imports, passes, policy, teams,
    # and approves what the four-eyes rule holds back. Health status is the health role's.
    Role.COMMUNITY_OFFICER: {
        "areas.*": VIEW,
        "registry.*": OFFICER,
        "staff.*": OFFICER,
        "screening.*": OFFICER,
        "access.*": OFFICER,
        # Only the office prints pass cards: a card shows the members' names and the QR token
        # that no one at the gate (or above the community) is meant to see.
        "access.pass": OFFICER | {"print"},
        "health.*": VIEW | {"export", "approve"},
        # Announcements, broadcast scripts and rounds, guidance; its notification scripts,
        # proposed upward to the street (which recommends them).
        "outreach.*": OFFICER,
        "outreach.notificationscript": OFFICER | {"propose"},
        # "change": count a past day's daily figures again (the button on the report page).
        "reports.communityfigure": VIEW | {"change"},
        # The community's daily report upward: submitted and corrected by the office alone.
        # "export": the report filled into the superiors' forms (.xlsx), and as a PDF.
        "daily.dailyreport": VIEW | {"add", "change", "export"},
        "daily.reporttemplate": VIEW | {"add", "deactivate"},
        # Supplies: the catalogue, donations, the stock ledger, requests (issues, refuses).
        "supplies.*": OFFICER,
        # Volunteers (veterans first), requests for them and the hours they served; the
        # veterans' list import.
        "volunteers.*": OFFICER,
        # The shops: registry, imports, inspections, notices, owners' links, complaints. Not
        # their registers' entries: who was in a shop is for contact tracing alone.
        "merchants.*": OFFICER,
        "merchants.registerentry": set(),
        "inquiries.*": OFFICER,
        # Counselling: the office opens cases and reads every session's notes (each read is
        # an access event); the counsellor of a case reads its own without this right.
        "counselling.*": OFFICER | {"read_notes"},
        "core.objectchange": VIEW,
        "core.accessevent": VIEW,
        "core.job": VIEW,
        # The accounts of the community's grid workers, gate staff, volunteers and health
        # officer (grantable_roles below). Removing the authenticator app or resetting the
        # password of a user of the community (a lost phone); never an officer's or
        # official's (may_reset_two_factor below: administrators only).
        "accounts.user": EDIT | {"reset_password", "reset_two_factor"},
        # Further roles of those accounts in the community (grantable_roles again).
        "accounts.assignment": EDIT,
        # The API tokens of the community's users (a gate scanner's client, a lost laptop):
        # listing and revoking only; tokens are issued by an operator's command.
        "accounts.apitoken": {"view", "revoke"},
        # Households' own links (issue, replace, revoke, print the slip), the corrections
        # they propose (approve or reject) and the log of what they did through the links.
        "selfservice.*": VIEW | {"add", "change"},
    },
    Role.HEALTH_OFFICER: {
        "areas.*": VIEW,
        "registry.*": VIEW | {"reveal"},
        "staff.*": VIEW,
        "staff.task": VIEW | {"add", "change"},
        "screening.*": VIEW,
        "access.*": VIEW,
        "health.*": OFFICER | {"approve"},
        "outreach.*": VIEW,
        "reports.communityfigure": VIEW,
        "daily.dailyreport": VIEW,
        "supplies.*": VIEW,
        "merchants.*": VIEW,
        # Searching a shop's register (who was there between two times), with a reason,
        # audited: contact tracing, the health role's work alone.
        "merchants.registerentry": {"search"},
        # Medical questions come to the health officer, who also counsels: it sees that a
        # case exists and reads the notes of the cases it counsels (counselling.services).
        "inquiries.inquiry": VIEW | {"add", "change"},
        "inquiries.faqentry": VIEW,
        "counselling.*": VIEW | {"add", "change"},
        "core.job": VIEW,
    },
    # Grid workers keep their grids' registry, make calls and enter health reports.
    Role.GRID_WORKER: {
        "areas.*": VIEW,
        "registry.*": EDIT,
        "staff.*": VIEW,
        "staff.task": VIEW | {"change"},
        "staff.checkin": VIEW | {"add"},
        # Asking to swap one's own shift (the shift's owner approves; staff.services checks
        # that the shift is the asker's own).
        "staff.swaprequest": VIEW | {"add"},
        "screening.*": VIEW | {"add", "change"},
        "access.*": VIEW,
        "health.*": VIEW,
        "health.healthreport": VIEW | {"add"},
        # Inspectors on the street are grid workers or bureau staff lent as grid workers:
        # they record visits and residents' complaints.
        "merchants.*": VIEW,
        "merchants.inspection": VIEW | {"add"},
        "merchants.complaint": VIEW | {"add"},
        "merchants.registerentry": set(),
        "outreach.*": VIEW,
        # Residents call their grid worker first: record, answer and follow up; the FAQ to
        # answer from.
        "inquiries.inquiry": VIEW | {"add", "change"},
        "inquiries.faqentry": VIEW,
        "core.job": VIEW,
        # The links of their grids' households and the corrections those households propose.
        "selfservice.householdlink": VIEW | {"add", "change"},
        "selfservice.correction": VIEW | {"change"},
    },
    # At the gate: the scanner (room, household size, pass state), gate events, visitors.
    Role.CHECKPOINT_STAFF: {
        "areas.*": VIEW,
        # The gates are staff.Checkpoint (access points its gate events at them); the scanner
        # lists a community's gates itself, this right lets the staff pages show them too.
        "staff.checkpoint": VIEW,
        "access.pass": VIEW,
        "access.gateevent": VIEW | {"add"},
        "access.visitor": VIEW | {"add", "change"},
        "staff.shift": VIEW,
        "staff.checkin": VIEW | {"add"},
        "staff.swaprequest": VIEW | {"add"},  # own shifts only (checked by staff.services)
        "staff.task": VIEW | {"change"},
        # A gate asks the office for supplies (and sees what it asked and what is in stock).
        "supplies.supplyrequest": VIEW | {"add"},
        "supplies.item": VIEW,
        "supplies.place": VIEW,
    },
    # Volunteers see their own shifts and tasks (row-level "own" checks live in services).
    Role.VOLUNTEER: {
        "staff.shift": VIEW,
        "staff.checkin": VIEW | {"add"},
        "staff.swaprequest": VIEW | {"add"},  # own shifts only (checked by staff.services)
        "staff.task": VIEW | {"change"},
    },
}

#: How far up the jurisdiction a role stands (for rules about acting on another user).
RANK: dict[str, int] = {
    Role.ADMINISTRATOR: 60,
    Role.DISTRICT_OFFICIAL: 50,
    Role.STREET_OFFICIAL: 40,
    Role.COMMUNITY_OFFICER: 30,
    Role.HEALTH_OFFICER: 30,
    Role.GRID_WORKER: 20,
    Role.CHECKPOINT_STAFF: 10,
    Role.VOLUNTEER: 10,
}

#: The officers of a community: whoever holds reveals, health status and approvals.
OFFICER_ROLES = frozenset({Role.COMMUNITY_OFFICER, Role.HEALTH_OFFICER})


def may_reset_two_factor(actor: User, target: Any) -> bool:
    """Whether ``actor`` may remove ``target``'s authenticator app (scope and the
    ``reset_two_factor`` right are checked apart, by ``restrict()``).

    Only an administrator (a superuser, or the administrator role within its area) resets an
    officer's or an official's app, and only a superuser an administrator's: a community
    officer who could strip the health officer's second factor could log in as them with a
    stolen or guessed password alone. A community officer resets those of grid workers,
    checkpoint staff and volunteers (a lost phone).
    """
    if actor.is_superuser:
        return True
    if target.is_superuser or target.is_staff or target.role == Role.ADMINISTRATOR:
        return False
    if actor.role == Role.ADMINISTRATOR:
        return True
    if target.role in OFFICER_ROLES:
        return False
    return RANK.get(target.role, 100) < RANK.get(actor.role, 0)


#: The roles a community officer gives the accounts of its own community (what happens in
#: practice: the office signs up its grid workers, gate staff, volunteers and health officer).
COMMUNITY_GRANTS = frozenset(
    {Role.HEALTH_OFFICER, Role.GRID_WORKER, Role.CHECKPOINT_STAFF, Role.VOLUNTEER}
)

#: The levels of area an account of each role may be placed on.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({"city", "district", "street", "community"}),
    Role.DISTRICT_OFFICIAL: frozenset({"city", "district"}),
    Role.STREET_OFFICIAL: frozenset({"street"}),
    Role.COMMUNITY_OFFICER: frozenset({"community"}),
    Role.HEALTH_OFFICER: frozenset({"community"}),
    Role.GRID_WORKER: frozenset({"community", "grid"}),
    Role.CHECKPOINT_STAFF: frozenset({"community"}),
    Role.VOLUNTEER: frozenset({"community", "grid"}),
}


def grantable_roles(actor: User) -> frozenset[str]:
    """The roles ``actor`` may give an account (where is ``require()``'s question: an area
    the actor covers with the ``add`` right on users). An administrator gives any role below
    its own area (another administrator only strictly below: see ``may_grant``); a community
    officer the roles under it; nobody else any."""
    if actor.is_superuser or actor.role == Role.ADMINISTRATOR:
        return frozenset(Role.values)
    if actor.role == Role.COMMUNITY_OFFICER:
        return COMMUNITY_GRANTS
    return frozenset()


def may_grant(actor: User, role: str, area: Any) -> bool:
    """Whether ``actor`` may give ``role`` on ``area`` (its scope is checked apart): an
    administrator never makes its own peer or superior (an administrator of its own area)."""
    if role not in grantable_roles(actor):
        return False
    if role == Role.ADMINISTRATOR and not actor.is_superuser:
        return actor.area_id is not None and area.pk != actor.area_id
    return True


def may_manage_account(actor: User, target: Any) -> bool:
    """Whether ``actor`` may edit, deactivate or reactivate ``target``'s account (scope and
    the right are checked apart, by ``require()``): an account of a role the actor may give
    on the target's area. So a community officer manages its community's grid workers, gate
    staff, volunteers and health officer, never another officer; an administrator every
    account below its area, and an administrator only strictly below (``may_grant``).
    Resetting a password or an authenticator app is stricter: ``may_reset_two_factor``."""
    if actor.is_superuser:
        return True
    if target.is_superuser or target.is_staff or target.area_id is None:
        return False
    return may_grant(actor, target.role, target.area)


def role_allows(role: str, model_label: str, action: str) -> bool:
    """A model's own entry wins over its app's ``app.*`` entry."""
    rights = RIGHTS.get(role, {})
    app_label = model_label.split(".", 1)[0]
    return action in rights.get(model_label, rights.get(f"{app_label}.*", set()))
