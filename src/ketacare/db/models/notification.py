"""The notification outbox: e-mails waiting for ``ketacare worker`` to send them.

One row per (event, recipient). Recipients are resolved when the event is recorded, so the
row set is fixed in the event's own transaction and a failure to reach one prescriber never
re-sends to another; the address is read from the user at send time, so a corrected address
is honoured. Rows hold no clinical content: only the kind of event, the clinic and the time. A
questionnaire-link row addressed to a patient without a portal account holds that patient's
e-mail address, and until it is sent the link path holds the link's secret token (see
``services.notify.notifications``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.codes import NotificationKind, NotificationStatus
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class NotificationJob(Base):
    __tablename__ = "notification_jobs"
    __table_args__ = (
        # A retried request or a second call for the same event finds the existing row.
        UniqueConstraint("dedupe_key"),
        # The worker's claim: pending rows that are due, oldest first.
        Index("ix_notification_jobs_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(StrEnumType(NotificationKind, 40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Exactly one recipient: a user account (address read at send time), or a patient without a
    # portal account, addressed by the e-mail on their record when the row was queued.
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    # The id of the row that caused it (safety alert, treatment session); no foreign key, as
    # those tables belong to other features and the outbox outlives nothing it points to.
    source_id: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Appended to the configured base URL when the mail is composed ("/dashboard").
    link_path: Mapped[str] = mapped_column(String(200))
    status: Mapped[NotificationStatus] = mapped_column(StrEnumType(NotificationStatus, 10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # An exception class and SMTP code only: never a server message that could echo content.
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dedupe_key: Mapped[str] = mapped_column(String(200))
