"""Plausible text: no NUL or other control characters, no names made only of invisible marks.

PostgreSQL refuses NUL in text and an unpaired UTF-16 surrogate cannot be encoded at all, so
both are refused here with the field named instead of failing at the database. Control
characters (Unicode category Cc) other than tab and line breaks in multi-line text are never
typed by a person.
"""

from __future__ import annotations

import unicodedata

from ketacare.core.errors import Invalid

MULTILINE_ALLOWED = frozenset("\t\n\r")
# Format characters (Unicode category Cf: zero-width space/joiners, BOM, bidi marks) are
# invisible; a name made only of them and spaces is empty to a reader.
_INVISIBLE = frozenset({"Cf", "Zs", "Zl", "Zp", "Mn"})


def check_text(value: str, *, field: str, multiline: bool = False) -> None:
    """Raise ``Invalid`` if ``value`` holds NUL, a surrogate or a control character.

    Tab, line feed and carriage return are allowed only when ``multiline``.

    Raises:
        Invalid: ``plausibility.text_control`` naming ``field``.
    """
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and not _allowed(char, multiline=multiline)):
            raise Invalid(
                "plausibility.text_control",
                "The text contains an invisible control character; retype it without it.",
                field=field,
            )


def _allowed(char: str, *, multiline: bool) -> bool:
    return multiline and char in MULTILINE_ALLOWED


def check_name(value: str, *, field: str) -> None:
    """A name: plain single-line text with at least one visible character.

    Raises:
        Invalid: ``plausibility.text_control`` or ``plausibility.name_empty``.
    """
    check_text(value, field=field)
    if all(unicodedata.category(c) in _INVISIBLE or c.isspace() for c in value):
        raise Invalid("plausibility.name_empty", "Enter a name.", field=field)
