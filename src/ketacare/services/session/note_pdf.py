"""The session note as a PDF, to print or file: the same sections as the page, in order.

Laid out from the assembled ``SessionNote`` (``services.session.note``) with fpdf2's standard
Helvetica font, so text is reduced to Latin-1 as for the REMS form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from fpdf import FPDF
from sqlalchemy.orm import Session

from ketacare.core.session.note import SessionNote
from ketacare.services.audit import AuditContext
from ketacare.services.session.note import get_session_note

LINE_MM = 5
KIND_WORDS = {
    "start": "started",
    "stop": "stopped",
    "pause": "paused",
    "resume": "resumed",
    "rate_change": "rate change",
}


def _latin1(text: str) -> str:
    """Helvetica covers Latin-1 only; anything else becomes '?' rather than failing."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2192", "->")
    return text.encode("latin-1", "replace").decode("latin-1")


def _t(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _n(value: Decimal | int | None, unit: str = "") -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)).normalize():f} {unit}".strip()


def _yes(value: bool) -> str:
    return "yes" if value else "no"


class _Doc:
    def __init__(self, title: str) -> None:
        self.pdf = FPDF(format="Letter")
        self.pdf.set_compression(False)  # keeps the text searchable in tests
        self.pdf.set_title(_latin1(title))
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()

    def title(self, text: str) -> None:
        self.pdf.set_font("Helvetica", "B", 13)
        self.pdf.multi_cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def section(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font("Helvetica", "B", 11)
        self.pdf.cell(0, LINE_MM + 2, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def line(self, text: str, *, bold: bool = False) -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", 9)
        self.pdf.multi_cell(0, LINE_MM, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def lines(self, rows: Sequence[str], empty: str) -> None:
        for row in rows or [empty]:
            self.line(row)


def _head(doc: _Doc, note: SessionNote, generated_at: datetime) -> None:
    doc.title(f"Session note - {note.patient_name}")
    doc.line(
        f"MRN {note.mrn} - born {note.date_of_birth or ''} - session {note.session_id} "
        f"({note.state}) - {note.protocol_id} ({note.drug.replace('_', ' ')})"
    )
    doc.line(
        f"{note.location}, {note.chair} - staff {note.staff} - times in {note.timezone} - "
        f"printed {generated_at:%Y-%m-%d %H:%M} UTC"
    )
    doc.line(
        f"Booked {_t(note.starts_at)} - first dose {_t(note.first_administration_at)} - "
        f"dosing ended {_t(note.administration_ended_at)} - ended {_t(note.ended_at)}"
    )
    if note.order is not None:
        o = note.order
        doc.line(
            f"Order {o.order_id}: {_n(o.dose_mg, 'mg')} over {o.duration_min} min ({o.status})"
        )


def _predose(doc: _Doc, note: SessionNote) -> None:
    doc.section("Pre-dose checks")
    doc.line(
        f"Fasting (NPO) {_yes(note.npo_confirmed)} - escort arranged {_yes(note.escort_arranged)}"
        f" - pregnancy test {note.pregnancy_status or 'not recorded'}"
    )
    ack = note.bp_acknowledgement
    if ack is not None:
        doc.line(f"Pre-dose BP acknowledged {_t(ack.at)} by {ack.by}: {ack.note or ''}")


def _vitals(doc: _Doc, note: SessionNote) -> None:
    doc.section("Vital signs")
    doc.lines(
        [
            f"{_t(v.at)}  BP {v.systolic or '-'}/{v.diastolic or '-'}  HR {v.heart_rate or '-'}  "
            f"SpO2 {v.spo2 or '-'}  RR {v.respiratory_rate or '-'}  {v.phase.replace('_', ' ')}"
            f"{'  symptoms: ' + ', '.join(v.symptoms) if v.symptoms else ''}  ({v.recorded_by})"
            for v in note.vitals
        ],
        "No vitals charted.",
    )


def _administration(doc: _Doc, note: SessionNote) -> None:
    doc.section("Administration record")
    doc.lines(
        [
            f"{_t(e.at)}  {KIND_WORDS.get(e.kind, e.kind.replace('_', ' '))}  "
            f"{_n(e.rate_ml_per_h, 'mL/h')}{_n(e.amount, e.amount_unit or '')}"
            f"{'  lot ' + e.lot_number if e.lot_number else ''}"
            f"{'  reason: ' + e.reason if e.reason else ''}  ({e.recorded_by})"
            for e in note.administration
        ],
        "Nothing given.",
    )
    if note.totals is not None:
        t = note.totals
        volume = f" ({_n(t.total_ml, 'mL')})" if t.total_ml is not None else ""
        doc.line(f"Total given {_n(t.total_mg, 'mg')}{volume}", bold=True)


def _ratings_and_events(doc: _Doc, note: SessionNote) -> None:
    doc.section("Ratings and observations")
    doc.lines(
        [
            f"{_t(r.at)}  "
            + (f"{r.instrument_id.upper()} total {_n(r.total)}  " if r.instrument_id else "")
            + f"{r.text or ''}  ({r.recorded_by})"
            for r in note.ratings
        ],
        "No ratings recorded.",
    )
    doc.section("Adverse events")
    doc.lines(
        [
            f"{_t(e.onset_at)}  {e.category.replace('_', ' ')} ({e.severity}"
            f"{', serious' if e.serious else ''})  actions: {e.actions_taken or '-'}  "
            f"outcome: {e.outcome}  ({e.recorded_by})"
            for e in note.adverse_events
        ],
        "None recorded.",
    )
    doc.section("Alerts and acknowledgements")
    doc.lines(
        [
            f"{_t(a.raised_at)}  {a.tier.replace('_', ' ')}: {a.message}  - "
            + (
                f"acknowledged {_t(a.acknowledged_at)} by {a.acknowledged_by}: {a.ack_note or ''}"
                if a.acknowledged_at
                else "NOT ACKNOWLEDGED"
            )
            for a in note.alerts
        ],
        "No alerts.",
    )


def _discharge(doc: _Doc, note: SessionNote) -> None:
    doc.section("Discharge checklist")
    doc.lines([f"{item.replace('_', ' ')}: {_yes(done)}" for item, done in note.checklist], "")
    doc.line(
        f"Escort present {_yes(note.escort_confirmed)} - no driving acknowledged "
        f"{_yes(note.no_driving_acknowledged)} - on supplemental oxygen "
        f"{_yes(note.on_supplemental_oxygen)}"
    )
    doc.section("State log")
    doc.lines(
        [
            f"{_t(t.at)}  {(t.from_state or '-').replace('_', ' ')} -> "
            f"{t.to_state.replace('_', ' ')}{'  (' + t.reason + ')' if t.reason else ''}  ({t.by})"
            for t in note.transitions
        ],
        "",
    )


def _rems_and_signature(doc: _Doc, note: SessionNote) -> None:
    if note.rems is not None:
        doc.section("Spravato REMS Patient Monitoring Form")
        r = note.rems
        status = {"submitted": f"submitted {_t(r.submitted_at)} by {r.submitted_by}"}.get(
            r.status, r.status
        )
        doc.line(f"Status: {status}")
        if r.missing:
            doc.line(f"Missing fields: {', '.join(r.missing)}")
        for problem in r.problems:
            doc.line(f"Problem: {problem}")
    doc.section("Signature")
    if note.signature is None:
        doc.line("NOT SIGNED", bold=True)
    else:
        s = note.signature
        doc.line(f"Signed by {s.signed_by} at {_t(s.signed_at)} ({note.timezone})", bold=True)
        doc.line(f"Content SHA-256 {s.content_sha256}")


def render_note_pdf(note: SessionNote, *, generated_at: datetime) -> bytes:
    doc = _Doc(f"Session note {note.session_id}")
    _head(doc, note, generated_at)
    _predose(doc, note)
    _vitals(doc, note)
    _administration(doc, note)
    _ratings_and_events(doc, note)
    _discharge(doc, note)
    _rems_and_signature(doc, note)
    return bytes(doc.pdf.output())


def session_note_pdf(db: Session, *, session_id: int, at: datetime, ctx: AuditContext) -> bytes:
    """The note as a PDF (clinical readers; the read is audited by ``get_session_note``)."""
    note = get_session_note(db, session_id=session_id, at=at, ctx=ctx)
    return render_note_pdf(note, generated_at=at)
