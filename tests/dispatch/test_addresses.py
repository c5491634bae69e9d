"""Addresses as people give them: the saved-addresses page, the listing asked by words, and
a booking made without a coordinate typed anywhere."""
from datetime import timedelta

from accounts.models import Address
from dispatch.models import Visit
from dispatch.slots import local_now
from extensions import db


def tomorrow_at(hour=9):
    day = local_now("Asia/Shanghai").date() + timedelta(days=1)
    return f"{day}T{hour:02d}:00:00"


def addresses_of(user):
    db.session.expire_all()
    return db.session.execute(db.select(Address).where(Address.user_id == user.id)
                              .order_by(Address.id)).scalars().all()


def test_a_customer_saves_an_address_by_its_words_and_the_first_becomes_default(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    response = client.post("/me/addresses", data={"label": "家", "address_text": "上海市黄浦区南京东路 1 号"})
    assert response.status_code == 302
    [home] = addresses_of(customer)
    assert (home.lat, home.lng, home.is_default) == (31.2304, 121.4737, True)
    page = client.get("/me/addresses").get_data(as_text=True)
    assert "南京东路 1 号" in page and "地址“家”已保存" in page


def test_the_pin_wins_over_the_words_and_make_default_moves_the_default(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    client.post("/me/addresses", data={"label": "家", "address_text": "黄浦区", "lat": "31.24", "lng": "121.48"})
    client.post("/me/addresses", data={"label": "公司", "address_text": "黄浦区", "lat": "31.22", "lng": "121.46"})
    home, office = addresses_of(customer)
    assert (office.lat, office.is_default, home.is_default) == (31.22, False, True)
    client.post(f"/me/addresses/{office.id}/default")
    home, office = addresses_of(customer)
    assert office.is_default and not home.is_default
    # The booking page now starts from the office.
    page = client.get(f"/book/{wang.id}").get_data(as_text=True)
    assert 'name="lat" value="31.22"' in page


def test_deleting_the_default_makes_the_next_one_default(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    for label, lat in (("家", "31.24"), ("公司", "31.22")):
        client.post("/me/addresses", data={"label": label, "address_text": "黄浦区", "lat": lat, "lng": "121.47"})
    home, office = addresses_of(customer)
    client.post(f"/me/addresses/{home.id}/delete")
    [left] = addresses_of(customer)
    assert left.id == office.id and left.is_default


def test_unfindable_words_are_a_form_message_and_nothing_is_saved(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    response = client.post("/me/addresses", data={"label": "家", "address_text": "火星基地"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "We could not find this address" in page and 'value="火星基地"' in page
    assert addresses_of(customer) == []


def test_an_empty_address_says_so_once(client, wang, make_user, login):
    login(make_user("customer").email)
    response = client.post("/me/addresses", data={"label": "家", "address_text": ""},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    error = response.get_data(as_text=True).split('id="address_text-error">', 1)[1].split("</p>", 1)[0]
    assert error.count(".") == 1, error  # one sentence, not one per hidden coordinate field


def test_the_pin_map_has_its_tiles(client, wang, make_user, login, app):
    login(make_user("customer").email)
    page = client.get("/me/addresses").get_data(as_text=True)
    assert f'data-tiles="{app.config["MAP_TILE_URL"]}"' in page and 'data-tiles=""' not in page


def test_another_customers_address_cannot_be_touched(client, wang, make_user, login):
    owner, other = make_user("customer"), make_user("customer")
    address = Address(user=owner, label="家", text="黄浦区", lat=31.24, lng=121.47, is_default=True)
    db.session.add(address)
    db.session.commit()
    login(other.email)
    assert client.post(f"/me/addresses/{address.id}/delete").status_code == 404
    assert addresses_of(owner)


def test_the_listing_asked_by_words_lists_the_engineers_there(client, wang):
    page = client.get("/engineers", query_string={"address": "上海市黄浦区"}).get_data(as_text=True)
    assert "王师傅" in page
    # The address travels on: the card's profile link carries it.
    assert "address=%E4%B8%8A%E6%B5%B7%E5%B8%82%E9%BB%84%E6%B5%A6%E5%8C%BA" in page


def test_the_listing_without_any_address_asks_for_one_rather_than_erring(client, wang):
    response = client.get("/engineers", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Tell us your address" in response.get_data(as_text=True)


def test_the_profile_carries_the_address_to_the_booking(client, wang):
    page = client.get(f"/engineers/{wang.id}", query_string={
        "lat": "31.25", "lng": "121.49", "address": "人民路 88 号"}).get_data(as_text=True)
    assert f"/book/{wang.id}?lat=31.25&amp;lng=121.49&amp;address_text=" in page


def test_a_new_customer_books_by_typing_only_words(client, wang, make_user, login):
    """No saved address and no script on the page: the words find the point."""
    customer = make_user("customer")
    login(customer.email)
    response = client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "address_text": "上海市黄浦区南京东路 1 号", "problem": "开不了机",
        "window_start": tomorrow_at()})
    assert response.status_code == 302
    visit = db.session.execute(db.select(Visit)).scalar_one()
    assert (visit.lat, visit.lng, visit.address_text) == (31.2304, 121.4737, "上海市黄浦区南京东路 1 号")
