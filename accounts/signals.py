"""What happens to accounts, for the packages above that keep rows naming a user
(visits, favourites, reviews…): they connect, accounts never imports them."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

customer_merged = _signals.signal("customer-merged", doc="""
Sent with `source`, an account opened on a call that is about to be deleted, and `into`, the
account of the person who proved its number: every row naming `source` must name `into`
from now on (or go, where `into` already has the same one). Receivers run in no fixed order,
so none may rely on another having run.""")
