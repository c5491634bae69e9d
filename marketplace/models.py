"""Engineers and the product lines (skills) they can repair."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from dispatch.models import Station
from extensions import db

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
    """An engineer of a station, who visits customers on site."""

    __tablename__ = "engineers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    photo_url: Mapped[str | None] = mapped_column(String(300))
    bio: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date]

    user: Mapped[User] = relationship()
    station: Mapped[Station] = relationship(back_populates="engineers")
    skills: Mapped[list[Skill]] = relationship(secondary=engineer_skills,
                                               order_by="Skill.code")

    def years_of_service(self, today: date) -> int:
        years = today.year - self.started_on.year
        return years - ((today.month, today.day) < (self.started_on.month, self.started_on.day))
