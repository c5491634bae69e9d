"""What dispatch plans: stations and the area each covers, their engineers with shifts and
skills, and the visits with their steps."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User, utcnow
from extensions import db


class Station(db.Model):
    """A service station in a county-level city; it serves customers within
    `coverage_km` of its coordinates."""

    __tablename__ = "stations"
    __table_args__ = (
        # The coverage pre-filter is a range scan on latitude, then longitude.
        Index("ix_stations_lat_lng", "lat", "lng"),
        Index("ix_stations_coverage_km", "coverage_km"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180",
                        name="coordinates_valid"),
        CheckConstraint("coverage_km > 0 AND coverage_km <= 100", name="coverage_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    county: Mapped[str] = mapped_column(String(40))
    lat: Mapped[float]
    lng: Mapped[float]
    coverage_km: Mapped[float] = mapped_column(default=30.0)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # A network run publishes this station's plan itself instead of leaving a draft.
    auto_publish: Mapped[bool] = mapped_column(default=False, server_default=false())

    manager: Mapped[User | None] = relationship()
    engineers: Mapped[list[Engineer]] = relationship(
        back_populates="station", order_by="Engineer.id")

    def __repr__(self) -> str:
        return f"<Station {self.code} {self.name}>"


engineer_skills = Table(
    "engineer_skills",
    db.metadata,
    Column("engineer_id", ForeignKey("engineers.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Skill(db.Model):
    """A product line an engineer is certified to repair (laptop, printer, server, ...)."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(40))

    def name_for(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Engineer(db.Model):
    """An engineer of a station, who visits customers on site: what planning needs to know
    (station, shift, skills). The marketplace adds the profile's figures (marketplace.models)."""

    __tablename__ = "engineers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    photo_url: Mapped[str | None] = mapped_column(String(300))
    bio: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date]
    # Working pattern: minutes after midnight (station time) and ISO weekdays ("123456").
    shift_start: Mapped[int] = mapped_column(default=9 * 60)
    shift_end: Mapped[int] = mapped_column(default=18 * 60)
    work_days: Mapped[str] = mapped_column(String(7), default="123456")
    # Bumped by every booking of this engineer: the UPDATE is the lock that serialises
    # concurrent bookings (a row lock on PostgreSQL, the write lock on SQLite).
    booking_version: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
    station: Mapped[Station] = relationship(back_populates="engineers")
    skills: Mapped[list[Skill]] = relationship(secondary=engineer_skills,
                                               order_by="Skill.code")

    def years_of_service(self, today: date) -> int:
        years = today.year - self.started_on.year
        return years - ((today.month, today.day) < (self.started_on.month, self.started_on.day))



VISIT_STATES = ("requested", "scheduled", "en_route", "on_site", "completed", "cancelled",
                "no_show", "needs_second_visit")


class Visit(db.Model):
    """An on-site visit: what to fix, where, in which window, by whom, and how it went."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_engineer_window", "engineer_id", "window_start"),
        Index("ix_visits_station_window", "station_id", "window_start"),
        CheckConstraint("window_end > window_start", name="window_order"),
        CheckConstraint("status IN ('requested','scheduled','en_route','on_site','completed',"
                        "'cancelled','no_show','needs_second_visit')", name="status_known"),
        CheckConstraint("channel IN ('web','phone')", name="channel_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("engineers.id"))
    chosen_by_customer: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"))
    product_model: Mapped[str | None] = mapped_column(String(80))
    serial_number: Mapped[str | None] = mapped_column(String(80))
    problem: Mapped[str] = mapped_column(String(2000))
    address_text: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lng: Mapped[float]
    window_start: Mapped[datetime]  # station-local time
    window_end: Mapped[datetime]
    duration_minutes: Mapped[int]
    planned_start: Mapped[datetime | None]  # the ETA from the latest plan
    route_order: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(5), default="web")
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    en_route_at: Mapped[datetime | None]
    on_site_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    fault_found: Mapped[str | None] = mapped_column(String(1000))
    parts_used: Mapped[str | None] = mapped_column(String(500))
    fixed_first_time: Mapped[bool | None]
    # Planning: a visit the manager pinned keeps its engineer (and pinned start, if set) in
    # every re-plan; a visit the published plan could not place says why.
    pinned: Mapped[bool] = mapped_column(default=False)
    pinned_start: Mapped[datetime | None]  # and at this time, when the manager set one
    unplanned_reason: Mapped[str | None] = mapped_column(String(300))
    # Completion counts once the customer confirms it: the engineer enters the code the
    # customer reads out on site, or the customer confirms in the app. Only then are points
    # earned and the review opened (a visit cannot be completed by its engineer alone).
    completion_code: Mapped[str | None] = mapped_column(String(8))
    confirmed_at: Mapped[datetime | None]
    confirmed_via: Mapped[str | None] = mapped_column(String(8))  # code, app

    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    booked_by: Mapped[User] = relationship(foreign_keys=[booked_by_id])
    station: Mapped[Station] = relationship()
    engineer: Mapped[Engineer | None] = relationship()
    skill: Mapped[Skill] = relationship()
    events: Mapped[list[VisitEvent]] = relationship(
        back_populates="visit", order_by="VisitEvent.id", cascade="all, delete-orphan")


class VisitEvent(db.Model):
    """One step of a visit's life: who moved it from which state to which, and when."""

    __tablename__ = "visit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(5), default="web")
    note: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class ContactRead(db.Model):
    """Someone other than the customer was shown a customer's phone or address: who, whose,
    for which visit, through which door, when. Admins query it (an access log)."""

    __tablename__ = "contact_reads"
    __table_args__ = (
        Index("ix_contact_reads_customer_at", "customer_id", "at"),
        Index("ix_contact_reads_reader_at", "reader_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    fields: Mapped[str] = mapped_column(String(40))  # "phone,address"
    channel: Mapped[str] = mapped_column(String(8))  # page, api
    path: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    reader: Mapped[User] = relationship(foreign_keys=[reader_id])
    customer: Mapped[User] = relationship(foreign_keys=[customer_id])


class EngineerDay(db.Model):
    """An engineer's availability on one day where it differs from their usual pattern:
    absent, another shift, another break (minutes after midnight, station time)."""

    __tablename__ = "engineer_days"
    __table_args__ = (
        CheckConstraint("shift_end IS NULL OR shift_start IS NULL OR shift_end > shift_start",
                        name="shift_order"),
    )

    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"),
                                             primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    absent: Mapped[bool] = mapped_column(default=False)
    shift_start: Mapped[int | None]
    shift_end: Mapped[int | None]
    break_start: Mapped[int | None]  # the break's own start and length, when moved
    break_minutes: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    engineer: Mapped[Engineer] = relationship()


PLAN_STATES = ("queued", "running", "draft", "published", "superseded", "failed", "discarded")


class Plan(db.Model):
    """One planning run of a station's day, from the request to the routes: queued, then
    running in a background job, then a draft beside the published plan; publishing makes
    it the plan the day follows (the one before is superseded). A failed run keeps its
    error and changes nothing."""

    __tablename__ = "plans"
    __table_args__ = (
        Index("ix_plans_station_day", "station_id", "day"),
        CheckConstraint("status IN ('queued','running','draft','published','superseded',"
                        "'failed','discarded')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    day: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="queued")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    seconds: Mapped[float] = mapped_column(default=10.0)  # the solver's time budget
    progress: Mapped[float] = mapped_column(default=0.0)  # 0 … 1 while running
    error: Mapped[str | None] = mapped_column(String(500))
    problem: Mapped[dict | None] = mapped_column(JSON)    # the exchange format's documents
    result: Mapped[dict | None] = mapped_column(JSON)
    assigned: Mapped[int | None]
    unassigned: Mapped[int | None]
    travel_seconds: Mapped[int | None]
    job_id: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    station: Mapped[Station] = relationship()


NOTICE_KINDS = ("eta_moved", "engineer_changed", "cannot_keep")


class Notice(db.Model):
    """Something a customer should know about their visit since the last plan: the ETA
    moved by more than half an hour, another engineer comes, or the chosen engineer can no
    longer come. Kept with its facts, written in the reader's language when shown."""

    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_user_created", "user_id", "created_at"),
        CheckConstraint("kind IN ('eta_moved','engineer_changed','cannot_keep')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    facts: Mapped[dict] = mapped_column(JSON)  # e.g. {"from": "09:40", "to": "11:05"}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    visit: Mapped[Visit] = relationship()


class UncoveredRequest(db.Model):
    """Someone searched or tried to book at a place no station covers: only the place's
    grid cell (hundredths of a degree, about 1 km), where it came from and the day; no user,
    no address, no time of day. The coverage-gap map counts these by cell."""

    __tablename__ = "uncovered_requests"
    __table_args__ = (
        Index("ix_uncovered_requests_day_cell", "day", "lat_cell", "lng_cell"),
        CheckConstraint("source IN ('search','booking')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    source: Mapped[str] = mapped_column(String(8))
    lat_cell: Mapped[int]  # round(latitude × 100)
    lng_cell: Mapped[int]  # round(longitude × 100)
