"""How pages show a rule's source: the primary source only, never a path in the repository.

Core rules cite both the primary source ("Spravato PI §2.1") and the in-repo page that explains
them ("docs/clinical/session.md#rule-21"). The page reference helps the engineer reading the
code; a clinician at the chair needs the paper or label section. The ``primary_source`` filter
drops the in-repo references and tidies the punctuation they leave behind.
"""

from __future__ import annotations

import re

_DOC_REF = re.compile(r"docs/clinical/[\w.-]+\.md(?:#[\w-]+)?|(?<=[\s(,;])#[a-z][a-z0-9-]*")
_EMPTY_GROUP = re.compile(r"\(\s*[,;:]?\s*\)|\[\s*[,;:]?\s*\]")
_EMPTY_TAG = re.compile(r"\[(\w+):\s*\]")
_REPEATED_SEPARATOR = re.compile(r"\s*([,;])(?:\s*[,;])+")
_SEPARATOR_AFTER_OPEN = re.compile(r"([(\[])\s*[,;:]\s*")
_SEPARATOR_BEFORE_CLOSE = re.compile(r"\s*[,;:]\s*([)\]])")
_SPACES = re.compile(r"\s{2,}")


def primary_source(text: str | None) -> str:
    """Return ``text`` without in-repo documentation references."""
    if not text:
        return ""
    shown = _DOC_REF.sub("", text)
    shown = _EMPTY_TAG.sub(r"[\1]", shown)
    shown = _REPEATED_SEPARATOR.sub(r"\1", shown)
    shown = _SEPARATOR_AFTER_OPEN.sub(r"\1", shown)
    shown = _SEPARATOR_BEFORE_CLOSE.sub(r"\1", shown)
    shown = _EMPTY_GROUP.sub("", shown)
    shown = _REPEATED_SEPARATOR.sub(r"\1", shown)
    shown = _SPACES.sub(" ", shown)
    return shown.strip(" ,;:")
