"""What the pages refuse, as exceptions the page handlers turn into a page or a redirect."""

from __future__ import annotations


class WebError(Exception):
    """The root of this package's errors."""


class LoginRequiredError(WebError):
    """A page asked for without a valid session: the person is sent to the login page and
    comes back where they were going."""

    def __init__(self, next_path: str) -> None:
        super().__init__("log in first")
        self.next_path = next_path


class PageForbiddenError(WebError):
    """The person's role may not see this page (``store/access.yaml``)."""

    def __init__(self, permission: str) -> None:
        super().__init__(f"the role may not {permission}")
        self.permission = permission


class CrossSiteError(WebError):
    """A form sent from another site (no ``Origin``/``Referer`` of this one): refused, so a
    page elsewhere cannot make a logged-in caseworker's browser change a case."""
