"""The marketplace JSON API: engineers near an address, profiles, reviews, favourites, tags."""
from __future__ import annotations

import math

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort

from accounts.access import allow, public
from accounts.locale import select_locale as current_locale
from dispatch.coverage import Point
from dispatch.slots import local_now
from extensions import db
from marketplace.favourites import add_favourite, favourite_engineers, remove_favourite
from marketplace.listing import Filters, engineers_near, top_tags
from marketplace.models import Tag
from marketplace.profiles import card, get_engineer, masked_name, reviews_of
from marketplace.schemas import (EngineerCardSchema, FavouriteSchema, ListingQuerySchema,
                                 ListingSchema, PageQuerySchema, ProfileSchema, ReviewPageSchema,
                                 TagQuerySchema, TagSchema, TagUpdateSchema)

blp = Blueprint("marketplace_api", __name__, url_prefix="/api",
                description="Find, compare and choose engineers")


def customer_id() -> int | None:
    authenticated = current_user.is_authenticated and current_user.role == "customer"
    return current_user.id if authenticated else None


def listing_page(args) -> dict:
    """The listing for a point as plain data, for the API and the page alike."""
    listing = engineers_near(
        Point(args["lat"], args["lng"]),
        Filters(args["skill"], args["min_stars"], args["level"], args["day"]),
        args["sort"], args["page"], args["per_page"], customer_id())
    locale, now = current_locale(), local_now(current_app.config["TIMEZONE"])
    nearest = listing.coverage.nearest
    covered = bool(listing.coverage.stations)
    message = None
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
        "engineers": [card(e, tags=listing.top_tags.get(e.id, []), locale=locale, now=now,
                           distance_km=listing.distance_km[e.station_id],
                           favourite=(e.id in listing.favourites) if signed_in else None)
                      for e in listing.engineers],
    }


def profile(engineer_id: int) -> dict:
    engineer = get_engineer(engineer_id)
    locale, now = current_locale(), local_now(current_app.config["TIMEZONE"])
    favourite = None
    if customer_id() is not None:
        favourite = engineer.id in {e.id for e in favourite_engineers(customer_id())}
    tags = top_tags([engineer.id], None).get(engineer.id, [])
    return {**card(engineer, tags=tags[:3], locale=locale, now=now, favourite=favourite),
            "bio": engineer.bio,
            "years_of_service": engineer.years_of_service(now.date()),
            "histogram": engineer.stats.histogram(),
            "tags": [{"code": t.code, "name": t.name_for(locale), "positive": t.positive,
                      "count": n} for t, n in tags]}


def review_page(engineer_id: int, page: int, per_page: int) -> dict:
    get_engineer(engineer_id)
    reviews, total = reviews_of(engineer_id, page, per_page)
    locale = current_locale()
    return {"total": total, "page": page, "per_page": per_page, "reviews": [{
        "id": r.id, "stars": r.stars, "text": r.text, "reviewer": masked_name(r.customer.name),
        "tags": [{"code": t.code, "name": t.name_for(locale), "positive": t.positive}
                 for t in r.tags],
        "created_at": r.created_at, "reply": r.reply, "replied_at": r.replied_at}
        for r in reviews]}


@blp.route("/engineers")
@public
@blp.arguments(ListingQuerySchema, location="query")
@blp.response(200, ListingSchema)
def engineers(args):
    """Engineers of every station covering the address, filtered, sorted and paged."""
    return listing_page(args)


@blp.route("/engineers/<int:engineer_id>")
@public
@blp.response(200, ProfileSchema)
def engineer(engineer_id):
    """An engineer's profile: card, histogram, every tag, bio, years of service."""
    return profile(engineer_id)


@blp.route("/engineers/<int:engineer_id>/reviews")
@public
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, ReviewPageSchema)
def engineer_reviews(args, engineer_id):
    """Visible reviews, newest first, with the engineer's replies."""
    return review_page(engineer_id, args["page"], args["per_page"])


def favourite_state(engineer_id: int, favourite: bool) -> dict:
    db.session.commit()
    return {"engineer_id": engineer_id, "favourite": favourite,
            "favourite_count": get_engineer(engineer_id).stats.favourite_count}


@blp.route("/engineers/<int:engineer_id>/favorite", methods=["PUT"])
@allow("customer")
@blp.response(200, FavouriteSchema)
def favourite(engineer_id):
    """Favourite an engineer (idempotent)."""
    get_engineer(engineer_id)
    add_favourite(current_user.id, engineer_id)
    return favourite_state(engineer_id, True)


@blp.route("/engineers/<int:engineer_id>/favorite", methods=["DELETE"])
@allow("customer")
@blp.response(200, FavouriteSchema)
def unfavourite(engineer_id):
    """Un-favourite an engineer (idempotent)."""
    get_engineer(engineer_id)
    remove_favourite(current_user.id, engineer_id)
    return favourite_state(engineer_id, False)


@blp.route("/me/favorites")
@allow("customer")
@blp.response(200, EngineerCardSchema(many=True))
def my_favourites():
    """My engineers: the ones I favourited, newest first."""
    engineers = favourite_engineers(current_user.id)
    tags = top_tags([e.id for e in engineers], 3)
    locale, now = current_locale(), local_now(current_app.config["TIMEZONE"])
    return [card(e, tags=tags.get(e.id, []), locale=locale, now=now, favourite=True)
            for e in engineers]


@blp.route("/tags")
@public
@blp.arguments(TagQuerySchema, location="query")
@blp.response(200, TagSchema(many=True))
def tags(args):
    """The curated review tags (admins may ask for inactive ones too)."""
    query = db.select(Tag).order_by(Tag.positive.desc(), Tag.id)
    if not (args["all"] and current_user.is_authenticated and current_user.role == "admin"):
        query = query.where(Tag.active.is_(True))
    return db.session.execute(query).scalars().all()


@blp.route("/tags", methods=["POST"])
@allow("admin")
@blp.arguments(TagSchema)
@blp.response(201, TagSchema)
def create_tag(fields):
    """Add a tag to the curated set."""
    if db.session.execute(db.select(Tag.id).where(Tag.code == fields["code"])).first():
        abort(409, message=f"Tag '{fields['code']}' exists already.")
    tag = Tag(**fields)
    db.session.add(tag)
    db.session.commit()
    return tag


@blp.route("/tags/<int:tag_id>", methods=["PATCH"])
@allow("admin")
@blp.arguments(TagUpdateSchema(partial=True))
@blp.response(200, TagSchema)
def update_tag(fields, tag_id):
    """Rename, re-classify or retire a tag (retired tags stay on old reviews)."""
    tag = db.session.get(Tag, tag_id) or abort(404, message="No such tag.")
    if "code" in fields and fields["code"] != tag.code:
        abort(422, errors={"json": {"code": ["A tag's code cannot change."]}})
    for name, value in fields.items():
        setattr(tag, name, value)
    db.session.commit()
    return tag
