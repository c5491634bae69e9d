"""Feedback pages: reviewing a visit (tipping it is payments.views'), the engineer's "my level", and the
admins' review moderation."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, HTTPException

from accounts.access import allow, signed_in
from accounts.locale import select_locale
from accounts.models import utcnow
from dispatch import alternatives
from dispatch.booking import ACTIVE, Request, station_now
from dispatch.engineers import engineer_of
from dispatch.lifecycle import before_cutoff
from dispatch.models import Visit
from dispatch.notices import notice_text, notices_for
from dispatch.slots import Place
from dispatch.timeline import timeline
from dispatch.visits import eta_of, visible_visit
from extensions import db
from marketplace.listing import top_tags
from marketplace.models import AbuseFlag, Review, Tag, Tip
from marketplace.moderation import (
    FLAG_KINDS,
    flag_reasons,
    open_flags,
    report_reason_text,
    reported_reviews,
    resolve_flag as resolve_flag_with,
)
from marketplace.profiles import reviews_of
from marketplace.reviews import (
    edit_review,
    get_review,
    reply,
    report,
    review_visit,
    set_hidden,
)
from marketplace.schemas import (
    FlagResolveFormSchema,
    ModerationFormSchema,
    ReplyFormSchema,
    ReportFormSchema,
    ReviewInSchema,
)
from marketplace.standing import reason_text, standing

bp = Blueprint("feedback", __name__)


def review_form() -> dict:
    """The review form as the schema wants it: stars, the ticked tags, the text."""
    return ReviewInSchema().load({"stars": request.form.get("stars", ""),
                                  "tags": request.form.getlist("tags"),
                                  **({"text": request.form["text"]}
                                     if request.form.get("text", "").strip() else {})})


@bp.route("/visits/<int:visit_id>/review", methods=["POST"])
@allow("customer")
def review(visit_id: int):
    """Review (or, within the edit period, change the review of) a completed visit. Only
    its customer: anyone else who may see the visit (an admin) gets the 403 page, not a
    message on a visits page that is not theirs."""
    visit = visible_visit(visit_id, current_user)
    if visit.customer_id != current_user.id:
        raise Forbidden()
    try:
        fields = review_form()
        existing = db.session.execute(select(Review).where(Review.visit_id == visit.id)).scalar()
        if existing:
            edit_review(existing, current_user, fields["stars"], fields["tags"], fields["text"])
        else:
            review_visit(visit, current_user, fields["stars"], fields["tags"], fields["text"])
        db.session.commit()
        flash(_("Thank you for your review."), "success")
    except ValidationError as err:
        labels = {"stars": _("Stars"), "tags": _("Tags"), "text": _("Your words (optional)")}
        flash(" ".join(f"{labels.get(k, k)}: {' '.join(map(str, v))}" for k, v in err.messages.items()),
              "error")
    except HTTPException as err:
        db.session.rollback()
        flash(str(err.description), "error")
    return redirect(url_for("feedback.my_visit", visit_id=visit_id))


@bp.route("/my/level")
@allow("engineer")
def my_level():
    """My level, points, what the next level needs, my rates, ledger, tags and reviews."""
    engineer = engineer_of(current_user)
    reviews, total = reviews_of(engineer.id, 1, 10)
    return render_template("marketplace/my_level.html", engineer=engineer,
                           standing=standing(engineer.id, select_locale(), utcnow()),
                           reason_text=reason_text,
                           tags=top_tags([engineer.id], None).get(engineer.id, []),
                           reviews=reviews, review_total=total)


@bp.route("/admin/reviews", methods=["GET", "POST"])
@allow("admin")
def moderate():
    """Reported reviews to hide or restore, and feedback flagged as self-dealing."""
    if request.method == "POST":
        try:
            choice = ModerationFormSchema().load(request.form)
        except ValidationError:
            flash(_("Choose a review, then hide or restore it."), "error")
            return redirect(url_for("feedback.moderate"))
        set_hidden(get_review(choice["review"]), choice["action"] == "hide")
        db.session.commit()
        return redirect(url_for("feedback.moderate"))
    return render_template("marketplace/moderate.html", reported=reported_reviews(), flags=open_flags(),
                           report_reason_text=report_reason_text, flag_reasons=flag_reasons,
                           flag_kinds=FLAG_KINDS)


@bp.route("/admin/flags/<int:flag_id>/resolve", methods=["POST"])
@allow("admin")
def resolve_flag(flag_id: int):
    """Close a flag with a note of what was found (the flag stays on record)."""
    flag = db.session.get(AbuseFlag, flag_id)
    if flag is None:
        abort(404)
    try:
        note = FlagResolveFormSchema().load(request.form)["note"]
    except ValidationError as err:
        flash(" ".join(map(str, err.messages.get("note", []))), "error")
        return redirect(url_for("feedback.moderate") + f"#flag-{flag_id}")
    resolve_flag_with(flag, current_user, note.strip())
    db.session.commit()
    flash(_("The flag is closed with your note."), "success")
    return redirect(url_for("feedback.moderate"))


def review_tags_for_form() -> list[Tag]:
    return db.session.execute(select(Tag).where(Tag.active.is_(True))
                              .order_by(Tag.positive.desc(), Tag.id)).scalars().all()


def cannot_keep_offers(visits: list[Visit], now) -> dict[int, list]:
    """For each visit whose chosen engineer can no longer come: that engineer's next free
    windows and similar engineers free at the asked time."""
    return {v.id: alternatives.offer(v.engineer, Request(v.skill, Place(v.lat, v.lng), v.window_start),
                                     now, excluding=v.id, days=current_app.config["SLOT_DAYS"])
            for v in visits if v.status == "scheduled" and v.chosen_by_customer
            and v.unplanned_reason is not None and v.engineer is not None}


def tips_of(visits: list[Visit]) -> dict[int, Tip]:
    """Each visit's tip, for its receipt (a visit has at most one)."""
    return {t.visit_id: t for t in db.session.execute(db.select(Tip).where(
        Tip.visit_id.in_([v.id for v in visits]))).scalars()}


def cards_context(visits: list[Visit], notices, now) -> dict:
    """What a customer's visit cards show (templates/dispatch/_visit.html): reviews, tips,
    what can still be changed, the latest notice of each, offers when an engineer cannot come."""
    reviews = {r.visit_id: r for r in db.session.execute(db.select(Review).where(
        Review.visit_id.in_([v.id for v in visits]))).scalars()}
    edit_until = timedelta(days=current_app.config["REVIEW_EDIT_DAYS"])
    latest = {}
    for n in notices:  # newest first: the first of each visit is its latest
        latest.setdefault(n.visit_id, n)
    return {"eta_of": eta_of, "reviews": reviews,
            "changeable": {v.id for v in visits if v.status == "scheduled" and before_cutoff(v, now)},
            "editable": {vid for vid, r in reviews.items() if utcnow() - r.created_at <= edit_until},
            "tags": review_tags_for_form(), "latest_notice": latest, "notice_text": notice_text,
            "offers": cannot_keep_offers(visits, now), "tips": tips_of(visits),
            "tip_presets": current_app.config["TIP_PRESETS_CENTS"]}


@bp.route("/me/visits/<int:visit_id>")
@allow("customer")
def my_visit(visit_id: int):
    """One visit with its timeline, the ETA, the engineer and how to reach the station, the
    work report once done, and the review and tip (once) — where a booking, a review or a
    tip lands, so its confirmation is at the top of the page."""
    visit = visible_visit(visit_id, current_user)
    if visit.customer_id != current_user.id:
        raise Forbidden()
    notices = [n for n in notices_for(current_user.id) if n.visit_id == visit.id]
    page = render_template("dispatch/visit.html", v=visit, steps=timeline(visit),
                           station_phone=visit.station.manager.phone if visit.station.manager else None,
                           **cards_context([visit], notices, station_now()))
    for n in notices:
        if n.read_at is None:
            n.read_at = utcnow()
    db.session.commit()
    return page


@bp.route("/me/visits")
@allow("customer")
def my_visits():
    """My visits with status and ETA, changed or cancelled up to the cut-off, and reviewed
    once done (the page lives here because it shows the reviews); the notices the latest
    plans left on top (opening the page reads them), each visit with its latest one."""
    visits = db.session.execute(db.select(Visit).where(Visit.customer_id == current_user.id)
                                .order_by(Visit.window_start.desc())).scalars().all()
    now = station_now()
    # What is still to come first, soonest first; then what is over, the latest first.
    upcoming = sorted((v for v in visits if v.status in ACTIVE and v.window_end >= now),
                      key=lambda v: v.window_start)
    past = [v for v in visits if v not in upcoming]
    visits = upcoming + past
    notices = notices_for(current_user.id)
    unread = {n.id for n in notices if n.read_at is None}
    page = render_template("dispatch/my_visits.html", visits=visits,
                           first_past=past[0].id if past and upcoming else None,
                           notices=notices, unread=unread, **cards_context(visits, notices, now))
    for n in notices:
        if n.read_at is None:
            n.read_at = utcnow()
    db.session.commit()
    return page


@bp.route("/reviews/<int:review_id>/reply", methods=["POST"])
@allow("engineer")
def reply_to_review(review_id: int):
    """The level page's reply box: the engineer reviewed answers, once, in public."""
    review_ = get_review(review_id)
    back = redirect(url_for("feedback.my_level") + f"#review-{review_id}")
    try:
        text = ReplyFormSchema().load(request.form)["text"]
        reply(review_, current_user, text)
        db.session.commit()
        flash(_("Your reply is on your profile."), "success")
    except ValidationError as err:
        flash(" ".join(map(str, err.messages.get("text", []))), "error")
    except HTTPException as err:
        db.session.rollback()
        if err.code == 403:
            raise  # another engineer's review: the 403 page, not a message on my page
        flash(str(err.description), "error")
    return back


@bp.route("/reviews/<int:review_id>/report", methods=["POST"])
@signed_in
def report_review(review_id: int):
    """The profile's "report" link: flag a review for the admins."""
    review_ = get_review(review_id)
    try:
        reason = ReportFormSchema().load(request.form)["reason"]
    except ValidationError as err:
        flash(" ".join(map(str, err.messages["reason"])), "error")
        return redirect(url_for("marketplace.engineer", engineer_id=review_.engineer_id))
    report(review_, current_user, reason)
    db.session.commit()
    flash(_("Thank you; an admin will look at this review."), "info")
    return redirect(url_for("marketplace.engineer", engineer_id=review_.engineer_id))
