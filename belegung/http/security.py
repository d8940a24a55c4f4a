"""What every answer and every form is protected by: security headers (a Content-Security-
Policy without inline script or style), CSRF tokens on every page's form (the API, which
takes bearer tokens only, is left out), session cookies that are Secure whenever the
request came over https, and the caller's address and scheme behind trusted proxies."""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from belegung.config import settings_of
from belegung.extensions import csrf
from belegung.http.paths import DOCS_PATH, is_api_path, is_api_request

# Nothing inline, no eval, nothing from another origin (static/vendor/README.md).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI (the API's interactive docs, from flask-swagger-ui) starts itself with an
# inline script and styles its widgets inline; it shows no personal data.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, `Secure` whenever the request came over https (directly
    or, with BELEGUNG_TRUSTED_PROXIES, through a proxy that says so): a first start on
    http://127.0.0.1 still logs in."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # The API authenticates by bearer token, never by the cookie: no session to read
        # (Flask gives a null session, which is never saved).
        if is_api_path(request.path):
            return None
        return super().open_session(app, request)


def _headers(response: Response) -> Response:
    headers = response.headers
    api = is_api_request()
    docs = request.path == DOCS_PATH or request.path.startswith(DOCS_PATH + "/")
    present = {key.lower() for key, _value in headers.items()}
    fixed = _DOCS_HEADERS if docs else _API_HEADERS if api else _PAGE_HEADERS
    headers.extend([(key, value) for key, value in fixed if key.lower() not in present])
    if request.is_secure and "strict-transport-security" not in present:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if not api and request.endpoint != "static" and "cache-control" not in present:
        # Pages show who sleeps where, on tablets that are shared: no copy in any cache.
        # A public page (/frei) sets its own; the API has its rule (http.api).
        headers["Cache-Control"] = "no-store"
        headers["Vary"] = "Cookie"
    return response


def _fixed_headers(csp: str, referrer: str) -> tuple[tuple[str, str], ...]:
    # The API (and its docs) sends no Referer anywhere: no page of ours is its caller's
    # business. Pages keep it for same-origin requests: Flask-WTF checks it on https.
    return (
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", referrer),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )


_DOCS_HEADERS = _fixed_headers(DOCS_CSP, "no-referrer")
_API_HEADERS = _fixed_headers(CSP, "no-referrer")
_PAGE_HEADERS = _fixed_headers(CSP, "same-origin")


def _check_csrf() -> None:
    """Every page's POST carries the form's CSRF token; the API authenticates by bearer
    token (no cookie), so a forged cross-site request has nothing to ride on there."""
    if is_api_request():
        return
    csrf.protect(apply_exemptions=True)


def init_security(app: Flask) -> None:
    """CSRF, session cookies, headers and proxies; call before registering other hooks
    that read the session."""
    proxies = settings_of(app).trusted_proxies
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.after_request(_headers)
