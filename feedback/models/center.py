"""Service centers (the halls) and the services offered at each."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import localized

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"


class Center(db.Model):
    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code used in URLs and QR codes, e.g. ``baku-1``.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: Display names per language, e.g. ``{"az": "...", "ru": "...", "en": "..."}``.
    names: Mapped[dict] = mapped_column(sa.JSON)
    #: Region the center belongs to; supervisors may be scoped to one.
    region: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    #: Inactive centers keep their history but take no new feedback.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    services: Mapped[list[Service]] = relationship(
        back_populates="center", order_by="Service.position, Service.code"
    )

    def name(self, locale: str) -> str:
        return localized(self.names, locale) or self.code

    def __repr__(self) -> str:
        return f"<Center {self.code}>"


class Service(db.Model):
    __tablename__ = "services"
    __table_args__ = (sa.UniqueConstraint("center_id", "code", name="uq_services_center_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The center that offers the service.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    #: Short code, unique within the center, e.g. ``passport``.
    code: Mapped[str] = mapped_column(sa.String(40))
    #: Display names per language.
    names: Mapped[dict] = mapped_column(sa.JSON)
    #: Order on the survey page.
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    center: Mapped[Center] = relationship(back_populates="services")

    def name(self, locale: str) -> str:
        return localized(self.names, locale) or self.code

    def __repr__(self) -> str:
        return f"<Service {self.code}@{self.center_id}>"
