"""Ruta's web pages for caseworkers, policy staff and auditors, served by the API's process.

Server-rendered (Jinja2, with htmx for the parts of a page that change in place), in Spanish by
default and English, from assets shipped in the package: they work on an office computer with
no internet. Each page acts through the ``/v1`` API as the logged-in person (see
``api_calls``), so the pages can do exactly what that person's role may do and no more.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .api_calls import ApiAnswer, call_api
from .audit_pages import router as _audit_pages
from .case_pages import router as _cases
from .docs import install_docs
from .draft_editor import router as _draft_editor
from .draft_pages import router as _draft_pages
from .errors import CrossSiteError, LoginRequiredError, PageForbiddenError, WebError
from .handlers import install_page_handlers
from .heatmap_pages import router as _heatmap_pages
from .intake import router as _intake
from .log_pages import router as _log_pages
from .pages import router as _pages
from .receipt_pages import router as _receipts
from .referral_pages import router as _referrals
from .rendering import render
from .rule_pages import router as _rule_pages
from .session import PagePerson, SameSite, page_permission
from .simulation_pages import router as _simulation_pages

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install_pages(app: FastAPI) -> None:
    """Add the pages, their static files and the offline ``/docs`` to ``app``."""
    app.mount("/static/ruta", StaticFiles(directory=STATIC_DIR), name="static")
    install_docs(app)
    for router in (
        _pages,
        _intake,
        _cases,
        _receipts,
        _referrals,
        _rule_pages,
        _draft_pages,
        _draft_editor,
        _simulation_pages,
        _audit_pages,
        _heatmap_pages,
        _log_pages,
    ):
        app.include_router(router)
    install_page_handlers(app)


__all__ = [
    "ApiAnswer",
    "CrossSiteError",
    "LoginRequiredError",
    "PageForbiddenError",
    "PagePerson",
    "SameSite",
    "WebError",
    "call_api",
    "install_pages",
    "page_permission",
    "render",
]
