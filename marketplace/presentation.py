"""Engineers as pages and the API present them: plain data built from the domain calls,
so that the JSON API and the HTML pages show the same thing."""
from __future__ import annotations

import math

from flask_babel import gettext as _
from flask_login import current_user

from accounts.locale import select_locale as current_locale
from dispatch.booking import station_now
from dispatch.coverage import Point
from dispatch.engineers import get_engineer
from dispatch.gaps import record_uncovered
from extensions import db
from marketplace.favourites import favourite_engineers, is_favourite
from marketplace.listing import Filters, engineers_near, entry_of, top_tags
from marketplace.profiles import card, masked_name, reviews_of, tag_json
from marketplace.standing import rates


def customer_id() -> int | None:
    authenticated = current_user.is_authenticated and current_user.role == "customer"
    return current_user.id if authenticated else None


def listing_page(args) -> dict:
    """The listing for a point as plain data, for the API and the page alike."""
    listing = engineers_near(
        Point(args["lat"], args["lng"]),
        Filters(args["skill"], args["min_stars"], args["level"], args["day"]),
        args["sort"], args["page"], args["per_page"], customer_id())
    locale, now = current_locale(), station_now()
    nearest = listing.coverage.nearest
    covered = bool(listing.coverage.stations)
    message = None
    if not covered and args["page"] == 1:  # paging through the same search is not new demand
        record_uncovered(Point(args["lat"], args["lng"]), "search", now.date())
    if not covered and nearest:
        message = _("We don’t cover this address yet; the nearest station is %(name)s, "
                    "%(km)s km away.", name=nearest[0].name, km=round(nearest[1]))
    signed_in = customer_id() is not None
    return {
        "covered": covered, "message": message,
        "nearest": {"code": nearest[0].code, "name": nearest[0].name,
                    "distance_km": round(nearest[1], 1)} if nearest else None,
        "total": listing.total, "page": args["page"], "per_page": args["per_page"],
        "pages": math.ceil(listing.total / args["per_page"]),
        "engineers": [card(e, station=(listing.stations[e.station_id][0].code,
                                       listing.stations[e.station_id][0].name),
                           locale=locale, now=now, distance_km=listing.stations[e.station_id][1],
                           favourite=(e.id in listing.favourites) if signed_in else None)
                      for e in listing.entries],
    }


def profile(engineer_id: int) -> dict:
    engineer = get_engineer(engineer_id)
    locale, now = current_locale(), station_now()
    favourite = None
    if customer_id() is not None:
        favourite = is_favourite(customer_id(), engineer.id)
    tags = top_tags([engineer.id], None).get(engineer.id, [])
    station = (engineer.station.code, engineer.station.name)
    return {**card(entry_of(engineer, tags[:3]), station=station, locale=locale, now=now,
                   favourite=favourite),
            "bio": engineer.bio,
            "years_of_service": engineer.years_of_service(now.date()),
            "histogram": engineer.stats.histogram(),
            "rates": rates(engineer.id),
            "tags": [tag_json(t, locale) for t in tags]}


def review_page(engineer_id: int, page: int, per_page: int) -> dict:
    get_engineer(engineer_id)
    reviews, total = reviews_of(engineer_id, page, per_page)
    locale = current_locale()
    return {"total": total, "page": page, "per_page": per_page,
            "reviews": [public_review(r, locale) for r in reviews]}


def public_review(review, locale: str) -> dict:
    """A review as anyone may read it: the reviewer masked, no contact details."""
    return {"id": review.id, "stars": review.stars, "text": review.text,
            "reviewer": masked_name(review.customer.name),
            "tags": [{"code": t.code, "name": t.name_for(locale), "positive": t.positive}
                     for t in review.tags],
            "created_at": review.created_at, "reply": review.reply, "replied_at": review.replied_at}


def favourite_state(engineer_id: int, favourite: bool) -> dict:
    db.session.commit()
    return {"engineer_id": engineer_id, "favourite": favourite,
            "favourite_count": get_engineer(engineer_id).stats.favourite_count}




def favourite_cards(customer: int) -> list[dict]:
    """My engineers, as cards."""
    engineers = favourite_engineers(customer)
    tags = top_tags([e.id for e in engineers], 3)
    locale, now = current_locale(), station_now()
    return [card(entry_of(e, tags.get(e.id, [])), station=(e.station.code, e.station.name),
                 locale=locale, now=now, favourite=True) for e in engineers]
