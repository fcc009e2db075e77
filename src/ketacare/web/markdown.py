"""A deliberately small Markdown renderer for clinic-authored text (consent wording).

It understands headings, paragraphs, bullet lists, **bold** and *italic*, drops HTML comments
(the version marker), and escapes everything else: a consent document is data typed by an admin,
so no HTML in it may reach the page.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"\*(.+?)\*")


def _inline(text: str) -> str:
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(r"<em>\1</em>", html)


def _flush(paragraph: list[str], out: list[str]) -> None:
    if paragraph:
        out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
        paragraph.clear()


def render_markdown(text: str) -> Markup:
    out: list[str] = []
    paragraph: list[str] = []
    in_list = False
    for raw in _COMMENT.sub("", text).splitlines():
        line = raw.strip()
        is_item = line.startswith(("- ", "* "))
        if in_list and not is_item:
            out.append("</ul>")
            in_list = False
        if not line:
            _flush(paragraph, out)
        elif line.startswith("#"):
            _flush(paragraph, out)
            level = min(len(line) - len(line.lstrip("#")) + 1, 6)
            out.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif is_item:
            _flush(paragraph, out)
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(line[2:])}</li>")
        else:
            paragraph.append(line)
    _flush(paragraph, out)
    if in_list:
        out.append("</ul>")
    return Markup("\n".join(out))  # noqa: S704 - every fragment above was escaped first
