"""Domain errors raised by the clinical core and services.

Each error carries a stable ``code`` string (for example ``"session.illegal_transition"``) that
clients can match on, a human-readable message, and optionally the ``field`` it concerns.
The web layer maps the kinds to HTTP status codes; the core knows nothing about HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base class of every expected business error."""

    kind = "domain"

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        """Create the error with a stable code, a message and an optional field name.

        ``extra`` carries structured detail for clients, for example the list of gate
        failures that each name what is missing; it is added to the API error body.
        """
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra: dict[str, object] = dict(extra or {})

    def as_dict(self) -> dict[str, object]:
        """Return a serialisable view used by the API and the CLI."""
        return {"code": self.code, "message": self.message, "field": self.field, **self.extra}


class NotFound(DomainError):  # noqa: N818 - domain vocabulary, not an "Error" suffix
    """The requested thing does not exist (or is invisible to the actor)."""

    kind = "not_found"


class Conflict(DomainError):  # noqa: N818
    """The request clashes with the current state (stale version, illegal transition)."""

    kind = "conflict"


class RuleViolation(DomainError):  # noqa: N818
    """A clinical or business rule refuses the request."""

    kind = "rule_violation"


class Forbidden(DomainError):  # noqa: N818
    """The actor's role does not allow the action."""

    kind = "forbidden"


class Invalid(DomainError):  # noqa: N818
    """The input is malformed or out of its domain."""

    kind = "invalid"


class Unauthorized(DomainError):  # noqa: N818
    """Credentials are missing or wrong."""

    kind = "unauthorized"
