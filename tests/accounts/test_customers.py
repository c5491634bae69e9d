"""The call centre finds the caller by phone, name or e-mail, and opens an account for a
first-time caller."""
import pytest

from accounts.customers import PhoneTaken, create_customer, find_customers, has_real_email
from accounts.models import User
from extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def zhang(make_user):
    return make_user("customer", name="张伟", email="zhang.wei@example.test", phone="+8613812345678")


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
                                   "008613812345678", "(+86) 138.1234.5678"])
def test_a_caller_is_found_by_their_number_however_it_is_written(zhang, make_user, typed):
    make_user("customer", name="李娜", phone="+8613912345678")
    assert [u.id for u in find_customers(typed)] == [zhang.id]


def test_a_caller_is_found_by_the_last_digits_of_their_number(zhang, make_user):
    other = make_user("customer", name="李娜", phone="+8613900005678")
    make_user("customer", name="王芳", phone="+8613900001111")
    assert {u.id for u in find_customers("5678")} == {zhang.id, other.id}
    assert [u.id for u in find_customers("1234 5678")] == [zhang.id]


def test_three_digits_are_not_a_phone_search(zhang):
    assert find_customers("567") == []


def test_a_number_stored_before_numbers_were_normalised_is_found(make_user):
    old = make_user("customer", name="赵敏", phone="150-4209-9100")
    assert [u.id for u in find_customers("+86 15042099100")] == [old.id]


def test_a_caller_is_found_by_name_or_email(zhang, make_user):
    make_user("customer", name="张伟强", email="other@example.test")
    found = find_customers("张伟")
    assert found[0].id == zhang.id and len(found) == 2  # the whole name first
    assert [u.id for u in find_customers("ZHANG.WEI@example.test")] == [zhang.id]
    assert [u.id for u in find_customers("zhang.wei")] == [zhang.id]


def test_only_customers_are_found(make_user):
    make_user("engineer", name="张伟", phone="+8613812345678")
    make_user("agent", name="张伟")
    assert find_customers("张伟") == [] and find_customers("13812345678") == []


def test_percent_and_underscore_are_letters_not_wildcards(zhang):
    assert find_customers("%") == [] and find_customers("_") == []


def test_a_new_customer_gets_no_password_and_an_unverified_number(ctx, client):
    customer = create_customer("陈静", "+8613700001234")
    db.session.commit()
    assert customer.role == "customer" and customer.phone == "+8613700001234"
    assert customer.phone_verified_at is None and not has_real_email(customer)
    for password in ("", PASSWORD, "password"):
        assert User.authenticate(customer.email, password) is None


def test_a_new_customer_may_give_an_email(ctx):
    customer = create_customer("陈静", "+8613700001234", email=" Chen.Jing@Example.test ")
    assert customer.email == "chen.jing@example.test" and has_real_email(customer)


def test_a_number_another_account_has_is_refused_however_it_was_stored(make_user):
    holder = make_user("customer", name="赵敏", phone="150-4209-9100", verified=False)
    with pytest.raises(PhoneTaken) as refused:
        create_customer("冒名", "+8615042099100")
    assert refused.value.holder.id == holder.id
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar() == 1
