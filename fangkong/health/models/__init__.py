"""The health module: cases, close contacts, quarantines, daily health reports, disinfection,
and the status changes that carry every change of a health status with its reason and
evidence through the four-eyes review.

A health status changes only through ``fangkong.health.services`` (the health role, a reason
code from a closed list, an evidence reference); each change is a ``StatusChange`` row, so a
person's status history, the review queue and the four-eyes count are one table.
"""

# The parts live in this package's modules; importers name the package alone. In the order the
# models were declared in one file, so Django registers them (and lists them) as before.
# isort: off
from fangkong.health.models.policy import (
    PERSON_SCOPE,
    HealthPolicy,
)
from fangkong.health.models.cases import (
    Case,
    Contact,
)
from fangkong.health.models.quarantines import (
    Quarantine,
)
from fangkong.health.models.reports import (
    Disinfection,
    HealthReport,
)
from fangkong.health.models.changes import (
    StatusChange,
)
# isort: on

# The package's names, for its importers (mypy: explicit re-exports).
__all__ = [
    "PERSON_SCOPE",
    "Case",
    "Contact",
    "Disinfection",
    "HealthPolicy",
    "HealthReport",
    "Quarantine",
    "StatusChange",
]
