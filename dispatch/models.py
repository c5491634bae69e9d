"""The station network: service stations and the area each one covers."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
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

    manager: Mapped[User | None] = relationship()
    engineers: Mapped[list["Engineer"]] = relationship(  # noqa: F821
        back_populates="station", order_by="Engineer.id")

    def __repr__(self) -> str:
        return f"<Station {self.code} {self.name}>"
