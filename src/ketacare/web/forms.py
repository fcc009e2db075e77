"""One way for every page form to fail: keep what was typed, say what is wrong beside the field.

A page reads its form into a plain ``dict`` (the values exactly as typed), validates it with the
API's own Pydantic schema, and on a ``ValidationError`` or a ``DomainError`` re-renders with a
``FormState``. Templates draw fields with the macros in ``_forms.html``, which put the message
next to its input and focus the first bad one. The messages are the rule's own words with the
machinery stripped: no Pydantic preamble, no ``field: field:`` prefixes, no internal codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ketacare.core.errors import DomainError

GENERAL = "form"
M = TypeVar("M", bound=BaseModel)

# Pydantic error types whose stock wording reads like a parser's; the rest are plain enough.
_PLAIN: Mapping[str, str] = {
    "missing": "Required.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "decimal_parsing": "Enter a number.",
    "decimal_type": "Enter a number.",
    "date_parsing": "Enter a date (YYYY-MM-DD).",
    "date_from_datetime_parsing": "Enter a date (YYYY-MM-DD).",
    "datetime_parsing": "Enter a date and time.",
    "datetime_from_date_parsing": "Enter a date and time.",
    "timezone_aware": "Enter a date and time.",
    "bool_parsing": "Choose yes or no.",
    "string_pattern_mismatch": "Not in the expected format.",
    "extra_forbidden": "Not a field of this form.",
}
_BOUNDS: Mapping[str, str] = {
    "greater_than": "Must be more than {gt}.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than": "Must be less than {lt}.",
    "less_than_equal": "Must be at most {le}.",
    "string_too_long": "At most {max_length} characters.",
    "too_long": "At most {max_length} entries.",
    "decimal_max_places": "At most {decimal_places} decimal places.",
    "decimal_max_digits": "At most {max_digits} digits.",
}
# A pattern says nothing a clinician can act on; say what the field takes instead.
_PATTERN_HINTS: Mapping[str, str] = {
    "email": "Enter an e-mail address (name@example.org).",
    "phone": "Use digits, spaces and + ( ) - only.",
    "emergency_contact_phone": "Use digits, spaces and + ( ) - only.",
    "mrn": "Use letters, digits and - _ / . only.",
    "category": "Use letters and spaces only (e.g. nausea).",
}
_CODE_SUFFIX = re.compile(r"\s*\((?:[a-z0-9_]+\.)+[a-z0-9_]+\)\s*$")
# The core's JSON-Schema validator speaks in types; a form speaks of what to type.
_SCHEMA_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^expected (?:integer)(?: or null)?, got \w+$"), "Enter a whole number."),
    (re.compile(r"^expected (?:number)(?: or null)?, got \w+$"), "Enter a number."),
    (re.compile(r"^expected boolean(?: or null)?, got \w+$"), "Choose yes or no."),
    (re.compile(r"^must be >= (\S+)$"), r"Must be at least \1."),
    (re.compile(r"^must be <= (\S+)$"), r"Must be at most \1."),
    (re.compile(r"^unknown value .*; expected one of (.+)$"), r"Choose one of: \1."),
)


@dataclass
class FormState:
    """What one submitted form looked like and what is wrong with it.

    ``form_id`` names the form on a page that holds several (the chair page's vitals,
    ratings and adverse-event forms), so each shows only its own values and errors.
    """

    form_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def of(self, form_id: str) -> FormState:
        """This state if it belongs to ``form_id``, else an empty one."""
        return self if form_id == self.form_id else FormState(form_id)

    def value(self, name: str, default: Any = "") -> Any:
        found = self.values.get(name)
        return default if found is None else found

    def chosen(self, name: str) -> list[str]:
        """The values of a repeated input (checkboxes sharing a name)."""
        found = self.values.get(name)
        if found is None:
            return []
        return [str(v) for v in found] if isinstance(found, list) else [str(found)]

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def first_error(self) -> str | None:
        return next(iter(self.errors), None)

    @property
    def general(self) -> dict[str, str]:
        """Errors that concern no single field: shown above the form."""
        return {k: v for k, v in self.errors.items() if k == GENERAL}


def plain_message(error: ErrorDetails) -> str:
    """One Pydantic error in the words a clinician would use."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    name = _field_name(error["loc"]).rsplit(".", 1)[-1]
    if kind in ("string_pattern_mismatch", "value_error") and name in _PATTERN_HINTS:
        return _PATTERN_HINTS[name]
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in _BOUNDS:
        return _BOUNDS[kind].format(**ctx)
    if kind == "string_too_short":
        return "Required." if ctx.get("min_length") == 1 else _sentence(error["msg"])
    if kind == "literal_error" and ctx.get("expected") == "True":
        return "Tick the box to confirm."
    if kind in ("literal_error", "enum"):
        return f"Choose one of: {ctx.get('expected', '').replace(chr(39), '')}."
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _sentence(_strip_field(message, _field_name(error["loc"])))


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "Not valid."
    return text[0].upper() + text[1:]


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or GENERAL


def _strip_field(message: str, name: str) -> str:
    """Drop any number of leading ``name: `` (or its last segment) prefixes."""
    prefixes = {f"{name}: ", f"{name.rsplit('.', 1)[-1]}: ", f"{name.replace('_', ' ')}: "}
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if message.startswith(prefix):
                message = message.removeprefix(prefix)
                changed = True
    return message


def validation_messages(
    exc: ValidationError, *, aliases: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Per-field messages of a Pydantic error; ``aliases`` maps schema fields to form inputs."""
    out: dict[str, str] = {}
    for error in exc.errors():
        name = _field_name(error["loc"])
        name = (aliases or {}).get(name, name)
        out.setdefault(name, plain_message(error))
    return out


def domain_message(exc: DomainError, *, aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """A domain error as ``{field: message}`` without its code or a repeated field prefix."""
    name = exc.field or GENERAL
    name = (aliases or {}).get(name, name)
    message = _CODE_SUFFIX.sub("", _strip_field(exc.message, exc.field or name))
    for pattern, plain in _SCHEMA_WORDS:
        if pattern.match(message):
            message = pattern.sub(plain, message)
            break
    return {name: _sentence(message)}


def form_errors(
    exc: ValidationError | DomainError, *, aliases: Mapping[str, str] | None = None
) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return validation_messages(exc, aliases=aliases)
    return domain_message(exc, aliases=aliases)


def failed(
    form_id: str,
    values: Mapping[str, Any],
    exc: ValidationError | DomainError,
    *,
    fields: Iterable[str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> FormState:
    """The state to re-render after ``exc``; errors on fields the form does not show (when
    ``fields`` is given) move to the general message above it."""
    errors = form_errors(exc, aliases=aliases)
    if fields is not None:
        shown = set(fields)
        moved: dict[str, str] = {}
        for name, message in errors.items():
            head = name.split(".", 1)[0]  # "answers.2" is the answers input
            key = name if name in shown else head if head in shown else GENERAL
            moved.setdefault(key, message)
        errors = moved
    return FormState(form_id, dict(values), errors)


def parse(schema: type[M], values: Mapping[str, Any], *, flags: Iterable[str] = ()) -> M:
    """The form's values through the API schema, the one way a page reads a form.

    A blank input means "not given" (the schema's default applies). Each name in ``flags`` is a
    checkbox: a browser sends a ticked box ("on") and leaves an unticked one out, so a missing
    flag is ``False``, not "not given".
    """
    given = {k: v for k, v in values.items() if v not in ("", None, [])}
    for name in flags:
        given.setdefault(name, False)
    return schema.model_validate(given)


def text_values(form: Any, names: Iterable[str]) -> dict[str, str]:
    """The named inputs exactly as typed (trimmed), blank when absent."""
    return {name: str(form.get(name) or "").strip() for name in names}


def typed_values(form: Any) -> dict[str, Any]:
    """Every input as typed; a repeated name (checked symptoms) keeps all its values. Secrets
    (the CSRF token, a password) are never sent back into the page."""
    values: dict[str, Any] = {}
    for key in form:
        if key in ("csrf_token", "override_password"):
            continue
        found = [str(v) for v in form.getlist(key)]
        values[key] = found if len(found) > 1 else found[0]
    return values
