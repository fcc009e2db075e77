from __future__ import annotations

from ketacare.web.markdown import render_markdown


def test_structure_and_emphasis() -> None:
    html = render_markdown(
        "<!-- ketacare-consent-version: 2 -->\n# Consent\n\nKetamine is **off-label** here.\n"
        "It may cause *dissociation*.\n\n- nausea\n- blood pressure rise\n\nEnd."
    )
    assert "ketacare-consent-version" not in html
    assert "<h2>Consent</h2>" in html
    expected = "Ketamine is <strong>off-label</strong> here. It may cause <em>dissociation</em>."
    assert f"<p>{expected}</p>" in html
    assert "<ul>\n<li>nausea</li>\n<li>blood pressure rise</li>\n</ul>" in html
    assert html.endswith("<p>End.</p>")


def test_html_typed_by_an_admin_is_escaped() -> None:
    html = render_markdown("<script>alert(1)</script> and <b>bold</b>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html
