"""A visit's life as its customer reads it: each step with when it happened, and the steps
still to come, from the visit's events (the record of who moved it, and when)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from dispatch.lifecycle import CONFIRMED_IN_APP, WRONG_CODE
from dispatch.models import Visit

STEP_NAMES = {
    "booked": _l("Booked"),
    "booked_by_phone": _l("Booked by phone"),
    "rescheduled": _l("Moved to a new time"),
    "en_route": _l("Engineer on the way"),
    "on_site": _l("Engineer arrived"),
    "completed": _l("Work reported done"),
    "confirmed": _l("You confirmed the work"),
    "cancelled": _l("Cancelled"),
}
# The steps of a visit that goes well, in order: what is not reached yet is shown as to come.
AHEAD = ("booked", "en_route", "on_site", "completed", "confirmed")


@dataclass(frozen=True)
class Step:
    key: str
    at: datetime | None  # UTC, as stored; None for a step still to come
    done: bool

    @property
    def name(self) -> str:
        return str(STEP_NAMES[self.key])


def timeline(visit: Visit) -> list[Step]:
    steps: list[Step] = []
    for event in visit.events:
        if event.note == WRONG_CODE:
            continue  # a refused code is the engineer's business, not a step
        if event.from_status is None:
            key = "booked_by_phone" if event.channel == "phone" else "booked"
        elif event.from_status == event.to_status == "scheduled":
            key = "rescheduled"
        elif event.note == CONFIRMED_IN_APP:
            key = "confirmed"
        else:
            key = event.to_status
        if key in STEP_NAMES:
            steps.append(Step(key, event.at, True))
    if visit.confirmed_at and not any(s.key == "confirmed" for s in steps):
        steps.append(Step("confirmed", visit.confirmed_at, True))  # the code, read out on site
    if visit.status != "cancelled":
        reached = {"booked" if s.key == "booked_by_phone" else s.key for s in steps}
        steps += [Step(key, None, False) for key in AHEAD if key not in reached]
    return steps
