"""The curated tag set: public to read, admins to edit."""
from extensions import db
from marketplace.models import Tag


def test_everyone_reads_the_active_tags(client, catalog):
    catalog["messy"].active = False
    db.session.commit()
    codes = [t["code"] for t in client.get("/api/tags").get_json()]
    assert "on_time" in codes and "late" in codes and "messy" not in codes


def test_an_admin_adds_and_retires_a_tag(client, catalog, make_user, bearer):
    header = bearer(make_user("admin").email)
    created = client.post("/api/tags", headers=header, json={
        "code": "careful", "name_zh": "细心", "name_en": "Careful"})
    assert created.status_code == 201
    tag_id = created.get_json()["id"]
    assert client.patch(f"/api/tags/{tag_id}", headers=header, json={"active": False}).status_code == 200
    assert "careful" not in [t["code"] for t in client.get("/api/tags").get_json()]
    assert "careful" in [t["code"] for t in client.get("/api/tags?all=true", headers=header).get_json()]


def test_tag_edits_are_checked(client, catalog, make_user, bearer):
    header = bearer(make_user("admin").email)
    assert client.post("/api/tags", headers=header, json={
        "code": "on_time", "name_zh": "准时", "name_en": "On time"}).status_code == 409
    bad = client.post("/api/tags", headers=header, json={"code": "Bad Code!", "name_zh": "x", "name_en": "x"})
    assert bad.status_code == 422 and "code" in bad.get_json()["errors"]["json"]


def test_customers_cannot_edit_tags(client, catalog, make_user, bearer):
    header = bearer(make_user("customer").email)
    assert client.post("/api/tags", headers=header, json={
        "code": "sneaky", "name_zh": "x", "name_en": "x"}).status_code == 403
    assert db.session.query(Tag).filter_by(code="sneaky").count() == 0


def test_the_admin_page_adds_a_tag(client, catalog, make_user, login):
    login(make_user("admin").email)
    response = client.post("/admin/tags", data={"code": "careful", "name_zh": "细心",
                                                "name_en": "Careful", "positive": "1"})
    assert response.status_code == 302
    assert "细心" in client.get("/admin/tags").get_data(as_text=True)
