"""What happened to a visit, for the packages above dispatch to react to (the listing cache,
the points ledger) without dispatch importing them.

Each signal is sent inside the transaction that made the change, after the change is
flushed, with the visit as sender; receivers write in the same transaction, so a rollback
takes their writes with it. The marketplace connects its receivers in
`marketplace.receivers`, which the app factory imports.
"""
from blinker import Namespace

_signals = Namespace()

visit_booked = _signals.signal("visit-booked", doc="""
A visit was booked with an engineer. `sender` is the visit.""")

visit_moved = _signals.signal("visit-moved", doc="""
A visit moved to another window or engineer. `sender` is the visit (already moved);
`from_engineer_id` is the engineer it left (may be the same one).""")

visit_progressed = _signals.signal("visit-progressed", doc="""
A visit took a step of its life other than cancellation or a confirmed completion (en
route, on site, no-show, needs a second visit, completed but not yet confirmed by its
customer). `sender` is the visit; `from_status` the state it left.""")

visit_cancelled = _signals.signal("visit-cancelled", doc="""
A visit was cancelled: its engineer has room again. `sender` is the visit.""")

visit_completed = _signals.signal("visit-completed", doc="""
A completed visit was confirmed by its customer (the code given to the engineer, or the
app): only now does it count. `sender` is the visit; `at` when it was confirmed (UTC).""")
