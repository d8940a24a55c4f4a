"""belegung: the occupancy service of a city's homelessness services."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from belegung.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


class App(Flask):
    """Flask, remembering which functions are plain (not coroutines): Flask asks
    `inspect` again for every hook of every request, a tenth of a cached answer's time."""

    _SYNC_KEPT = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: set[Callable[..., Any]] = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if func in self._sync:
            return func
        sync = super().ensure_sync(func)
        if sync is func and len(self._sync) < self._SYNC_KEPT:
            self._sync.add(func)
        return sync


def create_app(
    env: Mapping[str, str] | None = None, config: Mapping[str, Any] | None = None
) -> Flask:
    """Build the app. `env` overrides environment variables (tests); `config` overrides
    Flask settings."""
    app = App(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    try:
        settings = load_settings(
            {**os.environ, **(env or {})}, instance_path=Path(app.instance_path)
        )
    except ConfigError as exc:
        # Fail fast with the variable's name, for `flask`, gunicorn and the tests alike.
        raise SystemExit(f"belegung: configuration error: {exc}") from None
    app.config.from_mapping(settings.flask_config())
    # Umlauts as they are, fields in the order the schemas declare them.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if config:
        app.config.from_mapping(config)

    from belegung import models  # noqa: F401  (register every table with the metadata)
    from belegung.extensions import db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    limiter.init_app(app)
    _skip_limiter_for_api(app, limiter._check_request_limit)

    _init_http(app)

    from belegung.alerts.hooks import init_alerts
    from belegung.stays.hooks import init_stay_hooks

    # The occupancy domain's hook first: the alerts' figures then count what it changed.
    init_stay_hooks()
    init_alerts()

    from belegung.stays.figures_cache import init_figures

    # Last of the committing receivers: the version row is locked just before the commit.
    init_figures()

    from belegung.cli import register_cli

    register_cli(app)
    return app


def _skip_limiter_for_api(app: Flask, check: Callable[[], None]) -> None:
    """Rate limits guard the login pages (auth.views, decorated: they check themselves);
    there are no default limits, and the API has none. Its requests skip the limiter's
    per-request hook, which costs a fifth of a cached answer's time. (A limit put on an
    API route would need this changed.)"""
    from belegung.http.paths import is_api_request

    def check_unless_api() -> None:
        if not is_api_request():
            check()

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[hooks.index(check)] = check_unless_api


def _init_http(app: Flask) -> None:
    """Requests: one unit of work each, the caller, the routes, and errors as answers."""
    from belegung import texts
    from belegung.alerts.api import blp as alerts_api
    from belegung.alerts.views import init_alert_pages
    from belegung.alerts.webhooks import bp as sms_webhooks
    from belegung.audit.api import blp as audit_api
    from belegung.audit.views import init_audit_pages
    from belegung.auth.bearer import init_bearer_auth
    from belegung.auth.sessions import init_sessions
    from belegung.auth.views import init_auth_pages
    from belegung.dashboard.views import init_dashboard_pages
    from belegung.extensions import csrf
    from belegung.facilities.api import blp as facilities_api
    from belegung.facilities.views import init_facility_pages
    from belegung.health import bp as health_pages
    from belegung.housing.api import blp as housing_api
    from belegung.housing.api import raise_upload_limit
    from belegung.housing.views import init_housing_pages
    from belegung.http.api import init_api
    from belegung.http.bodies import init_bodies
    from belegung.http.errors import init_errors
    from belegung.http.observe import init_observe
    from belegung.http.pages import init_pages
    from belegung.http.security import init_security
    from belegung.http.transactions import init_request_transactions
    from belegung.persons.api import blp as persons_api
    from belegung.persons.views import init_person_pages
    from belegung.reports.api import blp as reports_api
    from belegung.reports.views import init_report_pages
    from belegung.status import bp as status_pages
    from belegung.stays.api import blp as stays_api
    from belegung.stays.views import init_stay_pages
    from belegung.winter.api import blp as winter_api
    from belegung.winter.views import init_winter_pages

    # Every template reads its German texts from belegung.texts.
    app.context_processor(lambda: {"texts": texts})
    # Request ids, the request log line and metrics: around everything else.
    init_observe(app)
    init_security(app)
    init_bodies(app)
    init_bearer_auth(app)
    init_sessions(app)
    init_errors(app)
    init_pages(app)
    init_api(
        app,
        [
            facilities_api,
            stays_api,
            persons_api,
            winter_api,
            audit_api,
            reports_api,
            alerts_api,
            housing_api,
        ],
    )
    # Pages (after the API: its URL converters serve them too). Each capability registers
    # its blueprints, navigation links and dashboard panels (http.pages).
    app.register_blueprint(status_pages)
    # /healthz, /readyz, /metrics for operators (no login; /metrics guarded itself).
    app.register_blueprint(health_pages)
    # Twilio's form posts: authenticated by their signature, no token, session or CSRF.
    app.register_blueprint(sms_webhooks)
    csrf.exempt(sms_webhooks)
    init_auth_pages(app)
    init_stay_pages(app)
    init_dashboard_pages(app)
    init_facility_pages(app)
    init_alert_pages(app)
    init_winter_pages(app)
    init_report_pages(app)
    init_audit_pages(app)
    init_person_pages(app)
    init_housing_pages(app)
    # Before every other hook (CSRF reads the form): the import's larger upload limit.
    app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)
    # Last: its hooks go around all the others (see there).
    init_request_transactions(app)
