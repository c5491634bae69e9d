"""The marketplace JSON API: engineers near an address, profiles, reviews, favourites, tags."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from flask_smorest import Blueprint, abort

from accounts.access import allow, public
from dispatch.engineers import get_engineer
from extensions import db
from marketplace.favourites import add_favourite, remove_favourite
from marketplace.models import Tag
from marketplace.presentation import favourite_cards, favourite_state, listing_page, profile, review_page
from marketplace.schemas import (
    EngineerCardSchema,
    FavouriteSchema,
    ListingQuerySchema,
    ListingSchema,
    PageQuerySchema,
    ProfileSchema,
    ReviewPageSchema,
    TagQuerySchema,
    TagSchema,
    TagUpdateSchema,
)

blp = Blueprint("marketplace_api", __name__, url_prefix="/api",
                description="Find, compare and choose engineers")


@blp.route("/engineers")
@public
@blp.arguments(ListingQuerySchema(), location="query")
@blp.response(200, ListingSchema)
def engineers(args):
    """Engineers of every station covering the address, filtered, sorted and paged."""
    # Built as plain data matching ListingSchema (tests hold them together); serialised
    # directly, because a schema dump would double the cost of this hot endpoint.
    return jsonify(listing_page(args))


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
    return favourite_cards(current_user.id)


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
