"""How pages show instants: in the location's time zone, with the date unless it is today.

One Jinja filter, ``when``, used by every template: a vitals row read at 10:00 today shows
"10:00", one dated 1800 shows "1800-01-01 10:00", so a wrong year can never hide behind a time.
The zone and "today" come from the render context (``pages.common.render`` sets them from the
signed-in user's organisation); without them the filter shows UTC with the date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context


def local_time(value: datetime, *, zone: tzinfo, today: date | None, seconds: bool = False) -> str:
    clock = "%H:%M:%S" if seconds else "%H:%M"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    if today is not None and local.date() == today:
        return local.strftime(clock)
    return local.strftime(f"%Y-%m-%d {clock}")


@pass_context
def when(context: Context, value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    zone: tzinfo = context.get("zone") or UTC
    today: Any = context.get("local_today")
    return local_time(value, zone=zone, today=today, seconds=seconds)


def zone_label(zone: tzinfo) -> str:
    """The zone's IANA name as shown in table headers ("times in Europe/London")."""
    return str(zone)
