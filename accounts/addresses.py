"""A customer's saved addresses: add, name, make default, delete. The default is where
booking starts; there is always one while any address is saved."""
from __future__ import annotations

from werkzeug.exceptions import NotFound

from accounts.models import Address, User
from extensions import db


def own_address(user: User, address_id: int) -> Address:
    """One of the user's addresses; someone else's is a 404, not a 403, to reveal nothing."""
    address = db.session.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise NotFound()
    return address


def add_address(user: User, label: str, text: str, lat: float, lng: float,
                default: bool = False) -> Address:
    address = Address(user_id=user.id, label=label, text=text, lat=lat, lng=lng)
    db.session.add(address)
    db.session.flush()
    if default or not any(a.is_default for a in user.addresses if a is not address):
        make_default(user, address)
    return address


def make_default(user: User, address: Address) -> None:
    for other in user.addresses:
        other.is_default = other.id == address.id
    address.is_default = True


def delete_address(user: User, address: Address) -> None:
    was_default = address.is_default
    db.session.delete(address)
    db.session.flush()
    db.session.expire(user, ["addresses"])
    if was_default and user.addresses:
        make_default(user, user.addresses[0])


def default_address(user: User) -> Address | None:
    return user.addresses[0] if user.addresses else None
