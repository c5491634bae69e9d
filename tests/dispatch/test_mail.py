"""Notices by e-mail: sent in the customer's language where MAIL_SERVER is set, never
otherwise."""
import pytest

from dispatch.mail import send_notice
from dispatch.models import Notice
from extensions import db, mail
from tests.dispatch.test_notices_page import chosen_absent, crew  # noqa: F401  (fixtures)


@pytest.fixture
def notice(chosen_absent):  # noqa: F811
    return db.session.query(Notice).filter_by(kind="eta_moved").one()


def test_without_a_mail_server_nothing_is_sent(app, notice):
    app.config["MAIL_SERVER"] = None
    with mail.record_messages() as outbox:
        assert send_notice(notice) is False
    assert outbox == []


def test_with_a_mail_server_the_customer_gets_the_notice_in_their_language(app, notice):
    app.config["MAIL_SERVER"] = "smtp.example.test"
    try:
        with mail.record_messages() as outbox:
            assert send_notice(notice) is True
            notice.visit.customer.locale = "en"
            assert send_notice(notice) is True
    finally:
        app.config["MAIL_SERVER"] = None
    assert [m.recipients for m in outbox] == [[notice.visit.customer.email]] * 2
    assert "10:30" in outbox[0].body and "预计" in outbox[0].body
    assert outbox[1].body == "Your engineer now expects to arrive at about 10:30 instead of 09:00."
