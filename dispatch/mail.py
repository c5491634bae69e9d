"""Notices by e-mail, where a mail server is configured (MAIL_SERVER): each new notice is
also sent to its customer, written in their language. Without MAIL_SERVER nothing is sent,
and a mail server that fails never undoes the plan that made the notice (it is logged)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext as _

from dispatch.models import Notice
from extensions import mail


def send_notice(notice: Notice) -> bool:
    """Mail this notice to its customer; True if a message went out."""
    if not current_app.config.get("MAIL_SERVER"):
        return False
    from flask_mail import Message

    from dispatch.notices import notice_text
    customer = notice.visit.customer if notice.visit is not None else None
    if customer is None or not customer.email:
        return False
    locale = customer.locale if customer.locale in current_app.config["LANGUAGES"] else \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = Message(subject=_("Your visit has changed"), recipients=[customer.email],
                          body=notice_text(notice))
    try:
        mail.send(message)
    except Exception:  # noqa: BLE001 — a mail server down must not fail the publishing
        current_app.logger.exception("notice %s not mailed", notice.id)
        return False
    return True
