"""The Spravato REMS Patient Monitoring Form of a session as a PDF, to file or send on.

The form itself (template, values, what is missing) is built by ``services.session.rems`` from the
core's versioned template; this module only lays it out: the template's title and version,
every field under its section with its value, and missing required fields marked as such.
The PDF uses the standard Helvetica font, so text is reduced to Latin-1.
"""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF
from sqlalchemy.orm import Session

from ketacare.core.session.rems import FormValue, RemsForm, RemsTemplate, load_rems_template
from ketacare.services.audit import AuditContext
from ketacare.services.session import rems as rems_service

MISSING = "MISSING (required)"
NOT_ANSWERED = "not answered"
LABEL_WIDTH_MM = 80
LINE_MM = 6


def _latin1(text: str) -> str:
    """Helvetica covers Latin-1 only; anything else becomes '?' rather than failing."""
    return (
        text.replace("\u2013", "-")
        .replace("\u2014", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _shown(value: FormValue, *, required: bool) -> str:
    if value is None or value in ("", []):
        return MISSING if required else NOT_ANSWERED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _section_title(section: str) -> str:
    return section.replace("_", " ").capitalize()


def _write_fields(pdf: FPDF, template: RemsTemplate, form: RemsForm) -> None:
    section = None
    for f in template.fields:
        if f.section != section:
            section = f.section
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(
                0, LINE_MM + 1, _latin1(_section_title(section)), new_x="LMARGIN", new_y="NEXT"
            )
        shown = _shown(form.values.get(f.id), required=f.required)
        pdf.set_font("Helvetica", "", 9)
        y = pdf.get_y()
        pdf.multi_cell(LABEL_WIDTH_MM, LINE_MM, _latin1(f.label), new_x="RIGHT", new_y="TOP")
        label_bottom = pdf.get_y() if pdf.get_y() > y else y + LINE_MM
        pdf.set_font("Helvetica", "B" if shown == MISSING else "", 9)
        pdf.multi_cell(0, LINE_MM, _latin1(shown), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), label_bottom))


def render_rems_pdf(form: RemsForm, *, session_id: int, generated_at: datetime) -> bytes:
    """Lay out a built form; ``compress=False`` keeps the text searchable in tests."""
    template = load_rems_template(form.version)
    pdf = FPDF(format="Letter")
    pdf.set_compression(False)
    pdf.set_title(_latin1(template.title))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(template.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(
        0,
        LINE_MM,
        _latin1(
            f"Template {template.template_id}, version {template.version} - KetaCare session "
            f"{session_id} - generated {generated_at:%Y-%m-%d %H:%M} UTC"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _write_fields(pdf, template, form)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    status = "Complete" if form.complete else f"Incomplete: {len(form.missing)} required missing"
    pdf.cell(0, LINE_MM, _latin1(status), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for problem in form.problems:
        pdf.multi_cell(
            0, LINE_MM, _latin1(f"Problem: {problem.message}"), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_font("Helvetica", "I", 7)
    pdf.multi_cell(
        0, 4, _latin1(f"Template source: {template.source}"), new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())


def rems_form_pdf(db: Session, *, session_id: int, at: datetime, ctx: AuditContext) -> bytes:
    """The session's form as a PDF (clinical readers; the read is audited by ``rems_form``)."""
    form = rems_service.rems_form(db, session_id=session_id, at=at, ctx=ctx)
    return render_rems_pdf(form, session_id=session_id, generated_at=at)
