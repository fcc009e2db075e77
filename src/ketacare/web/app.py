"""The ASGI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from ketacare import __version__
from ketacare.config import Settings, load_settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.services.accounts.security import make_hasher
from ketacare.services.clock import Clock, SystemClock
from ketacare.web.api import assessments as assessments_api
from ketacare.web.api import auth as auth_api
from ketacare.web.api import floor as floor_api
from ketacare.web.api import health
from ketacare.web.api import orders as orders_api
from ketacare.web.api import patient_links as patient_links_api
from ketacare.web.api import patients as patients_api
from ketacare.web.api import screening as screening_api
from ketacare.web.api import session as session_api
from ketacare.web.api import session_note as session_note_api
from ketacare.web.api import session_rems as session_rems_api
from ketacare.web.citations import primary_source
from ketacare.web.display import when
from ketacare.web.errors import install_error_handlers
from ketacare.web.markdown import render_markdown
from ketacare.web.pages import admin as admin_pages
from ketacare.web.pages import assessments as assessment_pages
from ketacare.web.pages import auth as auth_pages
from ketacare.web.pages import dashboard as dashboard_pages
from ketacare.web.pages import floor as floor_pages
from ketacare.web.pages import orders as order_pages
from ketacare.web.pages import patient_links as patient_link_pages
from ketacare.web.pages import patients as patient_pages
from ketacare.web.pages import portal as portal_pages
from ketacare.web.pages import schedule as schedule_pages
from ketacare.web.pages import screening as screening_pages
from ketacare.web.pages import session as session_pages
from ketacare.web.pages import session_note as session_note_pages
from ketacare.web.state import AppState

WEB_DIR = Path(__file__).parent


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    app = FastAPI(
        title="KetaCare",
        version=__version__,
        description="Ketamine and esketamine therapy clinic platform. Supports qualified "
        "clinicians; it is not medical advice.",
    )
    templates = Jinja2Templates(directory=WEB_DIR / "templates")
    templates.env.filters["markdown"] = render_markdown
    templates.env.filters["when"] = when
    templates.env.filters["primary_source"] = primary_source
    app.state.ketacare = AppState(
        settings=settings,
        session_factory=session_factory or make_session_factory(make_engine(settings)),
        hasher=make_hasher(settings),
        clock=clock or SystemClock(),
        templates=templates,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for module in (
        health,
        auth_api,
        patients_api,
        auth_pages,
        patient_pages,
        admin_pages,
        assessments_api,
        assessment_pages,
        dashboard_pages,
        orders_api,
        order_pages,
        screening_api,
        screening_pages,
        session_api,
        session_rems_api,
        session_note_api,
        floor_api,
        session_pages,
        session_note_pages,
        floor_pages,
        schedule_pages,
        patient_links_api,
        patient_link_pages,
        portal_pages,
    ):
        app.include_router(module.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        # Browsers and bookmark tools ask for /favicon.ico whatever the page links.
        return RedirectResponse("/static/favicon.svg", status_code=308)

    @app.middleware("http")
    async def security_headers(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def asgi() -> FastAPI:
    """Entry point for `uvicorn --factory ketacare.web.app:asgi` (used by several workers)."""
    return create_app(load_settings())
