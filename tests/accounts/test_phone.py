"""Proving a phone number with a one-time code (issue 14, finding 2): the number as people
write it, stored in E.164; a code by text message that expires, is burnt by wrong tries and
cannot be asked for in a loop; a number proven once per account."""
import re
from datetime import timedelta

import pytest

from accounts.models import PhoneCode, User, utcnow
from accounts.phone import CodeRefused, send_code, verify_code
from accounts.sms import OutboxSender
from extensions import db


@pytest.fixture
def outbox(app):
    sender = app.extensions["sms_sender"]
    sender.messages.clear()
    return sender.messages


def last_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)


def test_a_customer_proves_a_number_written_as_people_write_it(client, make_user, bearer, outbox):
    customer = make_user("customer", verified=False)
    header = bearer(customer.email)
    sent = client.post("/api/me/phone/code", headers=header, json={"phone": "138-1234 5678"})
    assert sent.status_code == 202
    assert sent.get_json()["sent_to"] == "+86 138****5678"
    assert outbox[-1][0] == "+8613812345678"
    wrong = "000000" if last_code(outbox) != "000000" else "111111"
    refused = client.post("/api/me/phone/verify", headers=header, json={"code": wrong})
    assert refused.status_code == 422 and "code" in refused.get_json()["errors"]["json"]
    proved = client.post("/api/me/phone/verify", headers=header, json={"code": last_code(outbox)})
    assert proved.status_code == 200
    me = client.get("/api/me", headers=header).get_json()
    assert me["phone"] == "+8613812345678" and me["phone_verified_at"]
    # used once: the same code again proves nothing more
    again = client.post("/api/me/phone/verify", headers=header, json={"code": last_code(outbox)})
    assert again.status_code == 409


def test_not_a_phone_number_or_not_a_mobile_is_refused_with_the_field(client, make_user, bearer, outbox):
    header = bearer(make_user("customer", verified=False).email)
    nonsense = client.post("/api/me/phone/code", headers=header, json={"phone": "12345"})
    assert nonsense.status_code == 422 and "phone" in nonsense.get_json()["errors"]["json"]
    landline = client.post("/api/me/phone/code", headers=header, json={"phone": "021 6123 4567"})
    assert landline.status_code == 422 and "手机号码" in landline.get_json()["message"]
    assert outbox == []


def test_a_new_code_waits_a_minute_and_the_day_has_five(ctx, make_user):
    user = make_user("customer", verified=False)
    sender, now = OutboxSender(), utcnow()
    send_code(user, "+8613812345678", sender, str, now)
    with pytest.raises(CodeRefused) as early:
        send_code(user, "+8613812345678", sender, str, now + timedelta(seconds=30))
    assert early.value.reason == "wait" and 0 < early.value.retry_after <= 31
    for minute in range(1, 5):
        send_code(user, "+8613812345678", sender, str, now + timedelta(minutes=minute))
    with pytest.raises(CodeRefused) as daily:
        send_code(user, "+8613812345678", sender, str, now + timedelta(minutes=30))
    assert daily.value.reason == "daily"
    assert len(sender.messages) == 5


def test_asking_again_too_soon_is_a_429_with_retry_after(client, make_user, bearer, outbox):
    header = bearer(make_user("customer", verified=False).email)
    assert client.post("/api/me/phone/code", headers=header, json={"phone": "13812345678"}).status_code == 202
    again = client.post("/api/me/phone/code", headers=header, json={"phone": "13812345678"})
    assert again.status_code == 429 and int(again.headers["Retry-After"]) > 0
    assert len(outbox) == 1


def test_five_wrong_tries_burn_the_code_and_an_old_code_expires(ctx, make_user):
    user = make_user("customer", verified=False)
    sender, now = OutboxSender(), utcnow()
    send_code(user, "+8613812345678", sender, str, now)
    right = sender.messages[-1][1]
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(CodeRefused):
            verify_code(user, wrong, now)
    with pytest.raises(CodeRefused) as burnt:
        verify_code(user, right, now)
    assert burnt.value.reason == "no_code" and user.phone_verified_at is None

    send_code(user, "+8613812345678", sender, str, now + timedelta(minutes=2))
    with pytest.raises(CodeRefused) as late:
        verify_code(user, sender.messages[-1][1], now + timedelta(minutes=13))
    assert late.value.reason == "no_code" and user.phone_verified_at is None
    kept = db.session.execute(db.select(PhoneCode.code_hash).where(PhoneCode.user_id == user.id)).scalars().all()
    assert kept and right not in kept  # only a digest is kept


def test_a_number_is_proven_by_one_account_only(ctx, make_user):
    make_user("customer", phone="+8613812345678")  # verified already
    second = make_user("customer", verified=False)
    sender, now = OutboxSender(), utcnow()
    send_code(second, "+8613812345678", sender, str, now)
    with pytest.raises(CodeRefused) as taken:
        verify_code(second, sender.messages[-1][1], now)
    assert taken.value.reason == "taken" and second.phone_verified_at is None


def test_the_page_sends_a_code_and_returns_to_the_booking(client, make_user, login, outbox):
    customer = make_user("customer", verified=False)
    login(customer.email)
    page = client.get("/me/phone?next=/book/1").get_data(as_text=True)
    assert "尚未验证" in page
    refused = client.post("/me/phone", data={"phone": "abc", "next": "/book/1"})
    assert refused.status_code == 422 and "不是可以拨打的电话号码" in refused.get_data(as_text=True)
    sent = client.post("/me/phone", data={"phone": "138 1234 5678", "next": "/book/1"})
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "+86 138****5678" in page and 'id="verify-code"' in page
    done = client.post("/me/phone/verify", data={"code": last_code(outbox), "next": "/book/1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/book/1")
    assert db.session.get(User, customer.id).phone_verified_at is not None
    assert "已验证" in client.get("/me/phone").get_data(as_text=True)


def test_sign_up_stores_the_number_in_e164(ctx, client):
    created = client.post("/signup", data={"name": "林", "email": "lin@example.test",
                                           "phone": "138-1234-5678", "password": "a-long-password",
                                           "password_confirm": "a-long-password"})
    assert created.status_code == 302
    user = db.session.execute(db.select(User).where(User.email == "lin@example.test")).scalar()
    assert user.phone == "+8613812345678" and user.phone_verified_at is None
