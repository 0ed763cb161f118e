"""Who may do what (DESIGN.md, "Who may do what"), as data.

Rights are ``(model label, action)`` pairs; ``app.*`` covers every model of an app. Actions:
``view``, ``add``, ``change``, ``deactivate``, ``reveal`` (see one record's full personal
data, with a reason), ``export``, ``import``. Where a role may act is decided separately, by
the area its user is assigned to (``User.scope_paths``).
"""

from __future__ import annotations

from fangkong.accounts.choices import Role

VIEW = {"view"}
EDIT = {"view", "add", "change", "deactivate"}
OFFICER = EDIT | {"reveal", "export", "import"}

RIGHTS: dict[str, dict[str, set[str]]] = {
    Role.DISTRICT_OFFICIAL: {
        "areas.*": VIEW,
        "registry.*": VIEW,
        "core.objectchange": set(),
    },
    Role.STREET_OFFICIAL: {
        "areas.*": VIEW,
        "registry.*": VIEW,
    },
    Role.COMMUNITY_OFFICER: {
        "areas.*": VIEW,
        "registry.*": OFFICER,
        "core.objectchange": VIEW,
        "core.accessevent": VIEW,
        "core.job": VIEW,
    },
    Role.HEALTH_OFFICER: {
        "areas.*": VIEW,
        "registry.*": VIEW | {"reveal"},
        "core.job": VIEW,
    },
    Role.GRID_WORKER: {
        "areas.*": VIEW,
        "registry.*": EDIT,
        "core.job": VIEW,
    },
    Role.CHECKPOINT_STAFF: {
        "areas.*": VIEW,
    },
    Role.VOLUNTEER: {},
}


def role_allows(role: str, model_label: str, action: str) -> bool:
    rights = RIGHTS.get(role, {})
    app_label = model_label.split(".", 1)[0]
    return action in rights.get(model_label, rights.get(f"{app_label}.*", set()))
