"""An engineer's profile and reviews."""
from datetime import datetime

from extensions import db


def test_profile_has_histogram_tags_and_years(client, station, make_engineer, make_review):
    engineer = make_engineer(station, name="吴师傅")
    engineer.bio = "十年笔记本维修经验"
    for stars, tags in ((5, ("on_time",)), (5, ("on_time", "patient")), (2, ("late",))):
        make_review(engineer, stars, tags=tags)
    body = client.get(f"/api/engineers/{engineer.id}").get_json()
    assert body["histogram"] == [0, 1, 0, 0, 2]
    assert [(t["code"], t["count"]) for t in body["tags"]] == [("on_time", 2), ("patient", 1), ("late", 1)]
    assert body["bio"] == "十年笔记本维修经验" and body["years_of_service"] >= 6


def test_reviews_come_newest_first_with_replies_and_without_hidden_ones(
        client, station, make_engineer, make_review, make_user):
    engineer = make_engineer(station)
    old = make_review(engineer, 4, text="第一次", customer=make_user("customer", name="陈小姐"))
    old.reply, old.replied_at = "谢谢您！", datetime(2026, 2, 1)
    make_review(engineer, 1, text="被隐藏", hidden=True)
    make_review(engineer, 5, text="第二次")
    db.session.commit()
    body = client.get(f"/api/engineers/{engineer.id}/reviews").get_json()
    assert [r["text"] for r in body["reviews"]] == ["第二次", "第一次"] and body["total"] == 2
    assert body["reviews"][1]["reply"] == "谢谢您！"
    assert body["reviews"][1]["reviewer"] == "陈**"


def test_reviews_are_paginated(client, station, make_engineer, make_review):
    engineer = make_engineer(station)
    for i in range(5):
        make_review(engineer, 5, text=f"r{i}")
    page2 = client.get(f"/api/engineers/{engineer.id}/reviews?per_page=2&page=2").get_json()
    assert [r["text"] for r in page2["reviews"]] == ["r2", "r1"]


def test_review_text_is_escaped_on_the_profile_page(client, station, make_engineer, make_review):
    engineer = make_engineer(station)
    make_review(engineer, 5, text='<script>alert("x")</script>')
    page = client.get(f"/engineers/{engineer.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_an_unknown_engineer_is_404(client, ctx):
    assert client.get("/api/engineers/424242").status_code == 404
    assert client.get("/engineers/424242").status_code == 404
