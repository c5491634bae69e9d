"""Sign-in, sign-up, sign-out, the language switch and proving a phone number."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from accounts import sms
from accounts.access import public, signed_in
from accounts.customers import absorb_call_account
from accounts.models import User, utcnow
from accounts.phone import CodeRefused, masked, pending_code, send_code, verify_code
from accounts.schemas import LoginFormSchema, PhoneCodeFormSchema, PhoneVerifyFormSchema, SignupSchema
from accounts.verification import REFUSALS, code_text
from extensions import db

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only come back to a path on this site (no open redirects). Browsers read a backslash
    as a slash and drop tabs and newlines, so `/\\evil.example` is another site: refused,
    as is any control character."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target and not any(ord(c) < 32 or ord(c) == 127 for c in target) \
            and not urlsplit(target).netloc:
        return target
    return url_for("marketplace.home")


# Where each kind of user works, for a sign-in that names no page to come back to.
LANDING = {"engineer": "dispatch.my_day", "manager": "dispatch.my_station",
           "agent": "console.search", "admin": "dispatch.my_station"}


def landing(user) -> str:
    return url_for(LANDING.get(user.role, "marketplace.home"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    errors: dict = {}
    form = request.form
    if request.method == "POST":
        try:
            data = LoginFormSchema().load(form)
        except ValidationError as err:
            errors = err.messages
        else:
            user = User.authenticate(data["email"], data["password"])
            if user is not None:
                login_user(user, remember=data["remember"])
                flash(_("Welcome back, %(name)s.", name=user.name), "success")
                return redirect(safe_next(data["next"]) if data["next"] else landing(user))
            errors = {"password": [_("Wrong email or password.")]}
    status = 422 if errors else 200
    return render_template("accounts/login.html", form=form, errors=errors,
                           next=request.values.get("next", "")), status


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    errors: dict = {}
    form = request.form
    if request.method == "POST":
        try:
            data = SignupSchema().load(form)
        except ValidationError as err:
            errors = err.messages
        else:
            if db.session.execute(db.select(User.id).where(User.email == data["email"])).first():
                errors = {"email": [_("An account with this email already exists.")]}
            else:
                user = User(email=data["email"], name=data["name"], phone=data["phone"],
                            role="customer", locale=session.get("lang"))
                user.set_password(data["password"])
                db.session.add(user)
                db.session.commit()
                login_user(user)
                flash(_("Your account is ready."), "success")
                after = safe_next(data["next"]) if data["next"] else url_for("marketplace.home")
                if user.phone:  # booking needs it proven: the code first, then where they were going
                    flash(_("Prove your phone number with the code we text you, and you can book."), "info")
                    return redirect(url_for("accounts.phone", next=after))
                return redirect(after)
    status = 422 if errors else 200
    return render_template("accounts/signup.html", form=form, errors=errors,
                           next=request.values.get("next", "")), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Signing out ends the account's sessions everywhere: a copied cookie stops working."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("marketplace.home"))


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    """Remember the chosen language for this browser (and the account, if signed in).
    A POST with the CSRF token: another site cannot change a reader's language."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/me/phone", methods=["GET", "POST"])
@signed_in
def phone():
    """Prove the account's phone number with a code sent by text message: booking,
    reviewing and tipping need one (accounts.verification)."""
    errors: dict = {}
    status = 200
    if request.method == "POST":
        try:
            data = PhoneCodeFormSchema().load(request.form)
        except ValidationError as err:
            errors, status = err.messages, 422
        else:
            try:
                sent = send_code(current_user, data["phone"], sms.sender(), code_text, utcnow())
            except CodeRefused as refusal:
                db.session.rollback()
                field, status, message = REFUSALS[refusal.reason]
                errors = {field: [str(message)]}
            else:
                db.session.commit()
                flash(_("We sent a code to %(phone)s.", phone=masked(sent.phone)), "success")
                return redirect(url_for("accounts.phone", next=data["next"] or None))
    return _phone_page(errors, status)


@bp.route("/me/phone/verify", methods=["POST"])
@signed_in
def verify_phone():
    """Check the code from the text message; the page the customer came from comes next."""
    try:
        data = PhoneVerifyFormSchema().load(request.form)
    except ValidationError as err:
        return _phone_page(err.messages, 422)
    try:
        verify_code(current_user, data["code"], utcnow())
    except CodeRefused as refusal:
        db.session.commit()  # the wrong try counts
        field, status, message = REFUSALS[refusal.reason]
        return _phone_page({field: [str(message)]}, status)
    absorbed = absorb_call_account(current_user)
    db.session.commit()
    flash(_("Your phone number is verified."), "success")
    if absorbed:
        flash(_("What our service line booked for you by phone is in your account now."), "info")
    return redirect(safe_next(data["next"]) if data["next"] else url_for("accounts.phone"))


def _phone_page(errors: dict, status: int):
    pending = pending_code(current_user, utcnow())
    form = dict(request.form)
    form.setdefault("phone", current_user.phone or "")
    return render_template("accounts/phone.html", errors=errors, form=form, pending=pending,
                           pending_to=masked(pending.phone) if pending else None,
                           next=request.values.get("next", "")), status
