"""Customer-facing pages: home, the engineers near an address, profiles, my engineers,
and the admins' tag list."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from accounts.access import allow, public
from accounts.locale import select_locale
from accounts.views import safe_next
from dispatch.engineers import get_engineer
from dispatch.geocode import NOT_FOUND, geocode
from dispatch.models import Skill
from extensions import db
from marketplace.favourites import add_favourite, remove_favourite
from marketplace.levels import LEVELS, level_name
from marketplace.listing import SORTS
from marketplace.models import Tag
from marketplace.moderation import REPORT_REASONS
from marketplace.presentation import favourite_cards, listing_page, profile, review_page
from marketplace.schemas import (
    FavouriteFormSchema,
    ListingQuerySchema,
    PageQuerySchema,
    TagFormSchema,
    TagToggleFormSchema,
)

bp = Blueprint("marketplace", __name__)


@bp.route("/")
@public
def home():
    """Where the network serves; a signed-in customer's default address is checked at once."""
    customer = current_user.is_authenticated and current_user.role == "customer"
    saved = current_user.addresses if customer else []
    return render_template("marketplace/home.html", home_address=saved[0] if saved else None)


@bp.route("/healthz")
@public
def healthz():
    """Liveness for load balancers; also the bare-Flask yardstick of the listing benchmark."""
    return "ok"


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico before reading the page's icon link: the same icon."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/engineers")
@public
def engineers():
    """The engineers a customer at this address can choose from."""
    query = {k: v for k, v in request.args.items() if v.strip() != ""}
    errors, listing = {}, None
    if not {"lat", "lng"} <= query.keys():
        query, errors = point_for_address(query)
    if not errors and {"lat", "lng"} <= query.keys():
        try:
            args = ListingQuerySchema().load(query)
        except ValidationError as err:
            errors = err.messages
        else:
            listing = listing_page(args)
    skills = db.session.execute(db.select(Skill).order_by(Skill.id)).scalars().all()
    return render_template("marketplace/engineers.html", listing=listing, errors=errors,
                           query=query, skills=skills, sorts=SORTS, place=place_of(query),
                           levels=[(lvl, level_name(lvl, select_locale())) for lvl in LEVELS]), \
        422 if errors else 200


def point_for_address(query: dict) -> tuple[dict, dict]:
    """The listing asked by address words alone ("赣州市章贡区"): the point they name."""
    words = query.get("address", "").strip()
    if not words:
        return query, {}
    found = geocode(words[:200])
    if found is None:
        return query, {"address": [str(NOT_FOUND)]}
    return {**query, "lat": str(found.lat), "lng": str(found.lng)}, {}


def place_of(args) -> dict:
    """The customer's chosen address as it travels from page to page (listing, profile,
    booking) in the URL, so nobody types it twice."""
    return {k: args[k] for k in ("lat", "lng", "address") if args.get(k)}


@bp.route("/engineers/<int:engineer_id>")
@public
def engineer(engineer_id: int):
    """An engineer's profile with reviews, newest first."""
    try:
        paging = PageQuerySchema().load({k: v for k, v in request.args.items() if k == "page"})
    except ValidationError:
        paging = {"page": 1}
    reviews = review_page(engineer_id, paging["page"], current_app.config["LISTING_PAGE_SIZE"])
    skills = {s.code: s.name_for(select_locale())
              for s in db.session.execute(db.select(Skill)).scalars()}
    return render_template("marketplace/engineer.html", engineer=profile(engineer_id),
                           reviews=reviews, skill_names=skills, report_reasons=REPORT_REASONS,
                           back=safe_next(request.args.get("back")), place=place_of(request.args))


@bp.route("/engineers/<int:engineer_id>/favourite", methods=["POST"])
@allow("customer")
def toggle_favourite(engineer_id: int):
    """The profile's favourite button (a form, so it works without JavaScript)."""
    get_engineer(engineer_id)
    try:
        wanted = FavouriteFormSchema().load(request.form)["favourite"]
    except ValidationError:
        abort(400, _("Use the favourite button."))
    if wanted:
        add_favourite(current_user.id, engineer_id)
        flash(_("Added to your engineers."), "success")
    else:
        remove_favourite(current_user.id, engineer_id)
        flash(_("Removed from your engineers."), "info")
    db.session.commit()
    return redirect(url_for("marketplace.engineer", engineer_id=engineer_id))


@bp.route("/me/engineers")
@allow("customer")
def my_engineers():
    return render_template("marketplace/my_engineers.html",
                           engineers=favourite_cards(current_user.id))


@bp.route("/admin/tags", methods=["GET", "POST"])
@allow("admin")
def admin_tags():
    """The curated review tags: add one, or switch one on or off."""
    errors, form = {}, request.form
    if request.method == "POST" and "toggle" in form:
        try:
            tag = db.get_or_404(Tag, TagToggleFormSchema().load(form)["toggle"])
        except ValidationError as err:
            errors = err.messages
        else:
            tag.active = not tag.active
            db.session.commit()
            return redirect(url_for("marketplace.admin_tags"))
    elif request.method == "POST":
        try:
            fields = TagFormSchema().load(form)
        except ValidationError as err:
            errors = err.messages
        else:
            if db.session.execute(db.select(Tag.id).where(Tag.code == fields["code"])).first():
                errors = {"code": [_("This code is taken.")]}
            else:
                db.session.add(Tag(**fields))
                db.session.commit()
                return redirect(url_for("marketplace.admin_tags"))
    tags = db.session.execute(db.select(Tag).order_by(Tag.positive.desc(), Tag.id)).scalars().all()
    return render_template("marketplace/admin_tags.html", tags=tags, errors=errors, form=form), \
        422 if errors else 200
