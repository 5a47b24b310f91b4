"""The administration log: who changed accounts, keys, kiosks, centers, the model or the retention,
and who exported citizens' contact details."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow


class AdminAction(enum.StrEnum):
    account_created = "account_created"
    #: Role, region, centers or name; ``details`` has what changed, before and after.
    account_changed = "account_changed"
    account_disabled = "account_disabled"
    account_enabled = "account_enabled"
    #: An administrator set someone's password (a person's own change is not logged here).
    credentials_set = "credentials_set"
    api_key_issued = "api_key_issued"
    api_key_revoked = "api_key_revoked"
    kiosk_added = "kiosk_added"
    kiosk_code_renewed = "kiosk_code_renewed"
    kiosk_revoked = "kiosk_revoked"
    center_saved = "center_saved"
    service_saved = "service_saved"
    model_rolled_back = "model_rolled_back"
    #: ``flask ml retrain`` put a newly trained model in use; ``details`` has the versions and scores.
    model_promoted = "model_promoted"
    contacts_purged = "contacts_purged"
    #: A dashboard export that carried citizens' contact details.
    contacts_exported = "contacts_exported"
    #: Stored comments masked again after the patterns for personal data changed.
    comments_remasked = "comments_remasked"
    #: A citizen's contact and comment erased at their request.
    personal_data_erased = "personal_data_erased"
    #: Backups older than their retention period deleted (``flask retention purge`` or ``db backup``).
    backups_pruned = "backups_pruned"
    #: An administrator or the command line turned off someone's two-factor sign-in (a lost phone).
    two_factor_reset = "two_factor_reset"


class AdminEvent(db.Model):
    """One line of the administration log. Written in the transaction of the change it records."""

    __tablename__ = "admin_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The administrator; None for the command line (whoever ran it on the server).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: The actor's username at the time, kept should the account be renamed or removed.
    actor_name: Mapped[str] = mapped_column(sa.String(40), default="")
    action: Mapped[AdminAction] = mapped_column(sa.Enum(AdminAction, native_enum=False, length=40))
    #: What it was done to, as people name it: a username, a key's name and prefix, a center code.
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    #: What changed, e.g. ``{"role": ["officer", "integrity"]}``; never a password or a key's secret.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
