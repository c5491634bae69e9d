"""How dispatch reacts to what happens to accounts (accounts.signals): a customer's account
opened on a call joins the one they opened themselves, so its visits, their history, the
notices sent about them and the log of who read the customer's contacts go with it.
Connected once, when the app factory imports this module."""
from __future__ import annotations

from accounts.models import User
from accounts.signals import customer_merged, reassign
from dispatch.models import ContactRead, Notice, Visit, VisitEvent

# Every dispatch column that can name a customer. Staff columns (a plan's publisher, a
# station's manager) never do.
_CUSTOMER_COLUMNS = (Visit.customer_id, Visit.booked_by_id, VisitEvent.actor_id, Notice.user_id,
                     ContactRead.customer_id, ContactRead.reader_id)


@customer_merged.connect
def move_visits(source: User, into: User, **_) -> None:
    for column in _CUSTOMER_COLUMNS:
        reassign(column, source.id, into.id)
