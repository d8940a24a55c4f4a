"""The `flask --app belegung …` commands."""

from __future__ import annotations

import json
import logging
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from belegung import texts
from belegung.alerts.models import OutboxMessage
from belegung.auth.models import Role, User
from belegung.auth.service import (
    create_token,
    create_user,
    get_user,
    list_tokens,
    revoke_token,
    set_active,
)
from belegung.config import settings_of
from belegung.context import Actor, ServiceContext, service_context
from belegung.errors import DomainError
from belegung.extensions import db, session
from belegung.facilities.models import FacilityKind, TargetGroup
from belegung.facilities.service import get_facility
from belegung.limits import EARLIEST_NIGHT, LATEST_NIGHT, MAX_ID
from belegung.nights import system_clock
from belegung.schemas import forbidden_character
from belegung.serving import ACCESS_LOG_FORMAT, AccessLogger  # noqa: F401  (importable here)
from belegung.stays.availability import COUNTS, Availability
from belegung.stays.operations import read_availability
from belegung.transaction import unit_of_work

# The repository: gunicorn.conf.py (and templates/, migrations/) beside the package.
ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def cli_context(label: str = "cli") -> Iterator[ServiceContext]:
    """A service context for a command, in one unit of work: committed once at the end,
    rolled back on error."""
    with unit_of_work(session()) as uow:
        yield service_context(session(), Actor.system(label), settings_of(current_app), uow=uow)


# A database id, as the API takes it: beyond the integer column it would fail there.
ID = click.IntRange(1, MAX_ID)


class TextType(click.ParamType):
    """A name, slug or label: refused (usage error) if it holds a character no stored text
    may hold. Bytes that are not UTF-8 reach Python as lone surrogates, which no database
    can store."""

    name = "text"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        char = forbidden_character(value)
        if char is not None:
            self.fail(texts.API["forbidden_character"].format(char=char), param, ctx)
        return value


TEXT = TextType()


def _parse_night(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        night = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(texts.CLI["bad_night"].format(value=value)) from None
    # As in the API: far beyond these, "the night after" would overflow.
    if not EARLIEST_NIGHT <= night <= LATEST_NIGHT:
        raise click.BadParameter(
            texts.CLI["night_out_of_range"].format(
                earliest=EARLIEST_NIGHT.isoformat(), latest=LATEST_NIGHT.isoformat()
            )
        )
    return night


@click.group("seed")
def seed_group() -> None:
    """Create the facilities of a preset."""


def _seed_dortmund(demo: bool) -> None:
    from belegung.alerts.presets import seed_rules
    from belegung.demo import fill_demo
    from belegung.facilities.presets import seed
    from belegung.housing.presets import seed_apartments
    from belegung.housing.service import WVP

    with cli_context("seed") as ctx:
        result = seed(ctx)
        seed_apartments(ctx, get_facility(ctx.session, WVP))
        rules = seed_rules(ctx)
        if result.changed:
            click.echo(
                texts.CLI["seed_done"].format(
                    preset="dortmund",
                    facilities=result.facilities,
                    units=result.units,
                    places=result.places,
                )
            )
        elif not rules:
            click.echo(texts.CLI["seed_unchanged"].format(preset="dortmund"))
        if rules:
            click.echo(texts.CLI["rules_seeded"].format(rules=rules))
        if demo:
            filled = fill_demo(ctx)
            if filled.skipped:
                click.echo(texts.CLI["demo_skipped"])
            else:
                click.echo(
                    texts.CLI["demo_done"].format(
                        persons=filled.persons,
                        stays=filled.stays,
                        holds=filled.holds,
                        turn_aways=filled.turn_aways,
                        recipients=filled.recipients,
                    )
                )


@seed_group.command("dortmund")
@click.option("--demo", is_flag=True, help="Also fill realistic sample occupancy.")
@with_appcontext
def seed_dortmund(demo: bool) -> None:
    """Dortmund's four night shelters and the housing programme (idempotent)."""
    _seed_dortmund(demo)


def _table(figures: Availability) -> str:
    columns = texts.AVAILABILITY_COLUMNS
    rows = [[f.name, *(str(getattr(f, c)) for c in COUNTS)] for f in figures.facilities]
    totals = figures.totals
    rows.append([texts.CLI["totals"], *(str(totals[c]) for c in COUNTS)])
    header = [columns["name"], *(columns[c] for c in COUNTS)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    title = texts.CLI["availability_title"].format(
        night=figures.night.strftime("%d.%m.%Y"),
        as_of=figures.as_of.strftime("%d.%m.%Y %H:%M %Z"),
    )
    out = [title]
    if figures.winter_emergency:
        out.append(texts.CLI["winter_active"])
    out += ["", line(header), *(line(r) for r in rows)]
    return "\n".join(out)


@click.command("availability")
@click.option(
    "--night", callback=_parse_night, metavar="YYYY-MM-DD", help="The night (default: tonight)."
)
@click.option("--target-group", type=click.Choice([t.value for t in TargetGroup]))
@click.option("--kind", type=click.Choice([k.value for k in FacilityKind]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as the API answers.")
@with_appcontext
def availability_command(
    night: date | None, target_group: str | None, kind: str | None, as_json: bool
) -> None:
    """Free places per facility for a night."""
    with cli_context() as ctx:
        figures = read_availability(
            ctx,
            night,
            target_group=TargetGroup(target_group) if target_group else None,
            kind=FacilityKind(kind) if kind else None,
        )
    if as_json:
        click.echo(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_table(figures))


def _first_start_users(demo: bool, url: str) -> None:
    """On a database without users: create the first ones and print their one-time
    passwords (only now, only here)."""
    from belegung.auth.service import first_start_users

    with cli_context("first-start") as ctx:
        created = first_start_users(ctx, demo=demo)
        if not created:
            return
        click.echo(texts.FIRST_START["heading"])
        for user, password in created:
            facility = ", ".join(f.name for f in user.facilities)
            click.echo(
                texts.FIRST_START["line"].format(
                    name=user.name,
                    role=user.role.value,
                    password=password,
                    facility=texts.FIRST_START["facility"].format(facility=facility)
                    if facility
                    else "",
                )
            )
        click.echo(texts.FIRST_START["login"].format(url=url))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Fill sample occupancy into an empty database.",
)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Also run the scheduler (alerts, SMS, housekeeping) beside the web server.",
)
@with_appcontext
def serve_command(host: str, port: int, workers: int, demo: bool, scheduler: bool) -> None:
    """Migrate, seed the Dortmund preset, and serve with gunicorn beside the scheduler (the
    first-start command): one command, two processes, stopped together."""
    from flask_migrate import upgrade

    upgrade()
    _seed_dortmund(demo)
    _first_start_users(demo, f"http://{host}:{port}")
    db.session.remove()
    db.engine.dispose()
    # The production configuration (gunicorn.conf.py: the worker that slow clients can't
    # stall, timeouts, limits, logs, metrics), bound where serve was told.
    gunicorn = [
        sys.executable, "-m", "gunicorn",
        "--config", str(ROOT / "gunicorn.conf.py"),
        "--workers", str(workers),
        "--bind", f"{host}:{port}",
        "belegung:create_app()",
    ]  # fmt: skip
    click.echo(texts.CLI["serving"].format(url=f"http://{host}:{port}"))
    scheduler_command = [sys.executable, "-m", "flask", "--app", "belegung", "scheduler"]
    sys.exit(supervise(gunicorn, scheduler_command if scheduler else None))


# How long serve waits before starting a scheduler that ended unexpectedly again.
SCHEDULER_RESTART_SECONDS = 5


def supervise(web: list[str], scheduler: list[str] | None) -> int:
    """Run the web server and the scheduler side by side until the web server ends or a
    signal (Ctrl+C, SIGTERM) stops both; returns the web server's exit status.

    A scheduler that finds another one running (exit ANOTHER_IS_RUNNING) is left off:
    exactly one may run. One that ends otherwise is started again after a pause.
    """
    from belegung.scheduler import ANOTHER_IS_RUNNING

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    web_process = subprocess.Popen(web)  # noqa: S603  (fixed argv)
    background: subprocess.Popen[bytes] | None = None
    restart_at = 0.0 if scheduler else None
    try:
        while not stopping:
            if web_process.poll() is not None:
                break
            if background is not None and background.poll() is not None:
                code = background.returncode
                background = None
                if code == ANOTHER_IS_RUNNING:
                    click.echo(texts.ALERTS_CLI["serve_scheduler_taken"], err=True)
                    restart_at = None
                else:
                    click.echo(
                        texts.ALERTS_CLI["serve_scheduler_restart"].format(
                            code=code, seconds=SCHEDULER_RESTART_SECONDS
                        ),
                        err=True,
                    )
                    restart_at = time.monotonic() + SCHEDULER_RESTART_SECONDS
            due = restart_at is not None and time.monotonic() >= restart_at
            if scheduler and background is None and due:
                background = subprocess.Popen(scheduler)  # noqa: S603  (fixed argv)
            time.sleep(0.2)
    finally:
        for process in (background, web_process):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (background, web_process):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return web_process.returncode or 0


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler (alerts, SMS, weather, housekeeping). Exactly one may run per
    database; a second one refuses to start."""
    from belegung.scheduler import run_scheduler

    _log_to_stderr()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sys.exit(run_scheduler(app))


def _log_to_stderr() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s [%(name)s] %(message)s",
            stream=sys.stderr,
        )


@click.group("alerts")
def alerts_group() -> None:
    """SMS alerts: send a test message, try a crew's SMS command."""


@alerts_group.command("test")
@click.argument("phone", type=TEXT)
@with_appcontext
def alerts_test(phone: str) -> None:
    """Send one test SMS to PHONE through the outbox (and show how it went)."""
    from belegung.alerts.dispatch import dispatch
    from belegung.alerts.operations import queue_test
    from belegung.alerts.sms import backend_for
    from belegung.alerts.tasks import status_callback_url

    _log_to_stderr()
    settings = settings_of(current_app)
    with domain_errors(), cli_context() as ctx:
        message = queue_test(ctx, phone)
        message_id, number = message.id, message.phone
    click.echo(texts.ALERTS_CLI["test_queued"].format(phone=number, id=message_id))
    backend = backend_for(settings)
    try:
        dispatch(
            session(),
            backend,
            current_app.config.get("BELEGUNG_CLOCK") or system_clock,
            timeout=settings.sms_timeout,
            status_callback=status_callback_url(settings),
            only=[message_id],
        )
    finally:
        backend.close()
    with cli_context() as ctx:
        sent = ctx.session.get(OutboxMessage, message_id)
        status = sent.status.value if sent else "?"
        detail = ""
        if sent is not None and sent.provider_sid:
            detail = f" ({sent.provider_sid})"
        elif sent is not None and sent.error:
            detail = f" ({sent.error})"
    click.echo(texts.ALERTS_CLI["test_result"].format(status=status, detail=detail))


@alerts_group.command("inbound")
@click.argument("phone", type=TEXT)
@click.argument("text", type=TEXT)
@with_appcontext
def alerts_inbound(phone: str, text: str) -> None:
    """Answer TEXT as if PHONE had sent it by SMS (FREI, HALTEN …, HILFE), without Twilio."""
    from belegung.alerts.operations import answer_sms

    with domain_errors(), cli_context("sms") as ctx:
        reply = answer_sms(ctx, phone, text, f"CLI{secrets.token_hex(16)}")
    click.echo(reply if reply is not None else texts.ALERTS_CLI["inbound_unknown"])


@contextmanager
def domain_errors() -> Iterator[None]:
    """Show a domain error as a one-line message and exit 1, not as a traceback."""
    try:
        yield
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


@click.group("users")
def users_group() -> None:
    """Users and devices."""


@users_group.command("create")
@click.argument("name", type=TEXT)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--facility",
    "facility_slugs",
    multiple=True,
    type=TEXT,
    metavar="SLUG",
    help="A facility staff work in (repeatable).",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read a password for the web login from standard input."
)
@with_appcontext
def users_create(
    name: str, role: str, facility_slugs: tuple[str, ...], password_stdin: bool
) -> None:
    """Create a user (or a device, such as a crew phone)."""
    try:
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    except UnicodeDecodeError:
        raise click.ClickException(texts.CLI["password_not_utf8"]) from None
    with domain_errors(), cli_context() as ctx:
        facilities = [get_facility(ctx.session, slug) for slug in facility_slugs]
        user = create_user(ctx, name, Role(role), facilities=facilities, password=password)
        click.echo(texts.CLI["user_created"].format(name=user.name, role=user.role.value))


@users_group.command("deactivate")
@click.argument("name", type=TEXT)
@with_appcontext
def users_deactivate(name: str) -> None:
    """Lock user NAME out of the pages and the API at once (from their next request);
    their tokens and password stay, for `users reactivate`."""
    with domain_errors(), cli_context() as ctx:
        user = set_active(ctx, get_user(ctx.session, name), False)
        click.echo(texts.CLI["user_deactivated"].format(name=user.name))


@users_group.command("reactivate")
@click.argument("name", type=TEXT)
@with_appcontext
def users_reactivate(name: str) -> None:
    """Let user NAME log in and use their tokens again."""
    with domain_errors(), cli_context() as ctx:
        user = set_active(ctx, get_user(ctx.session, name), True)
        click.echo(texts.CLI["user_reactivated"].format(name=user.name))


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List users with their roles and facilities."""
    with cli_context() as ctx:
        users = ctx.session.scalars(sa.select(User).order_by(User.name)).all()
        rows = [
            [
                u.name,
                u.role.value,
                ", ".join(f.slug for f in u.facilities) or "–",
                texts.CLI["yes"] if u.active else texts.CLI["no"],
            ]
            for u in users
        ]
    click.echo(_columns(texts.CLI["users_header"], rows))


@click.group("tokens")
def tokens_group() -> None:
    """Bearer tokens for the API."""


@tokens_group.command("create")
@click.argument("name", type=TEXT)
@click.option("--label", type=TEXT, help="What the token is for, e.g. the device (default: NAME).")
@with_appcontext
def tokens_create(name: str, label: str | None) -> None:
    """Create a token for user NAME; the token is printed once, on the last line."""
    with domain_errors(), cli_context() as ctx:
        user = get_user(ctx.session, name)
        token, raw = create_token(ctx, user, name=label)
        click.echo(texts.CLI["token_created"].format(id=token.id, name=user.name))
    click.echo(raw)


@tokens_group.command("list")
@click.option("--user", "user_name", type=TEXT, help="Only the tokens of this user.")
@with_appcontext
def tokens_list(user_name: str | None) -> None:
    """List tokens (never the tokens themselves: only their first characters)."""
    settings = settings_of(current_app)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(settings.timezone).strftime("%d.%m.%Y %H:%M") if moment else "–"

    with domain_errors(), cli_context() as ctx:
        user = get_user(ctx.session, user_name) if user_name else None
        rows = [
            [
                str(t.id),
                t.user.name,
                t.name,
                t.prefix + "…",
                when(t.created_at),
                when(t.last_used_at),
                when(t.revoked_at),
            ]
            for t in list_tokens(ctx.session, user)
        ]
    click.echo(_columns(texts.CLI["tokens_header"], rows))


@tokens_group.command("revoke")
@click.argument("token_id", type=ID)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its ID (see `tokens list`)."""
    with domain_errors(), cli_context() as ctx:
        token = revoke_token(ctx, token_id)
        click.echo(texts.CLI["token_revoked"].format(id=token.id))


def _columns(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    )


# --- data protection: retention of persons and of the audit log (issue 12) ----------------


@click.group("persons")
def persons_group() -> None:
    """Persons: retention."""


@persons_group.command("anonymise")
@click.option("--dry-run", is_flag=True, help="Only count whom the run would anonymise.")
@with_appcontext
def persons_anonymise(dry_run: bool) -> None:
    """Anonymise persons without a stay, hold, ban or turn-away for
    BELEGUNG_ANONYMISE_AFTER_MONTHS months (what the scheduler runs nightly)."""
    from belegung.persons.tasks import anonymise_persons

    result = anonymise_persons(dry_run=dry_run, label="cli")
    key = "anonymise_dry_run" if dry_run else "anonymise_done"
    click.echo(
        texts.CLI[key].format(
            persons=len(result.person_ids), cutoff=result.cutoff.strftime("%d.%m.%Y")
        )
    )


@click.group("audit")
def audit_group() -> None:
    """The audit log: retention."""


@audit_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count the entries the run would delete.")
@with_appcontext
def audit_purge(dry_run: bool) -> None:
    """Delete audit entries older than BELEGUNG_AUDIT_RETENTION_MONTHS months (what the
    scheduler runs nightly)."""
    from belegung.audit.tasks import purge_audit_log

    result = purge_audit_log(dry_run=dry_run, label="cli")
    key = "purge_dry_run" if dry_run else "purge_done"
    click.echo(
        texts.CLI[key].format(entries=result.entries, cutoff=result.cutoff.strftime("%d.%m.%Y"))
    )


# --- reports (issue 12) -------------------------------------------------------------------


@click.group("reports")
def reports_group() -> None:
    """The monthly figures and the federal statistic."""


def _write(output: str | None, body: str | bytes) -> None:
    """To the file named, or to standard output."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if output:
        with open(output, "wb") as file:
            file.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _parse_month(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from belegung.reports.monthly import Month

    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError:
        raise click.BadParameter(texts.VALIDATION["bad_month"]) from None


@reports_group.command("monthly")
@click.option("--month", callback=_parse_month, metavar="YYYY-MM", help="Default: last month.")
@click.option("--facility", type=TEXT, metavar="SLUG", help="Only this facility.")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Default: stdout.")
@with_appcontext
def reports_monthly(month: Any, facility: str | None, fmt: str, output: str | None) -> None:
    """A month's figures per facility and in total (as GET /api/v1/reports/monthly)."""
    from belegung.reports import exports
    from belegung.reports.operations import monthly_report
    from belegung.reports.schemas import MonthlyReportSchema

    with domain_errors(), cli_context() as ctx:
        report = monthly_report(ctx, month, facility=facility)
    if fmt == "csv":
        _write(output, exports.monthly_csv(report))
    elif fmt == "xlsx":
        _write(output, exports.monthly_xlsx(report))
    else:
        body = json.dumps(MonthlyReportSchema().dump(report), ensure_ascii=False, indent=2)
        _write(output, body + "\n")


@reports_group.command("federal")
@click.option(
    "--night", callback=_parse_night, metavar="YYYY-MM-DD", help="Default: the last 31 January."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "summary_csv"]),
    default="csv",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Default: stdout.")
@with_appcontext
def reports_federal(night: date | None, fmt: str, output: str | None) -> None:
    """The federal statistic of housed homeless persons for a reference night (as GET
    /api/v1/reports/federal-statistic): a CSV row per person, or the summary."""
    from belegung.reports import exports
    from belegung.reports.operations import federal_report
    from belegung.reports.schemas import FederalSummarySchema

    with domain_errors(), cli_context() as ctx:
        statistic = federal_report(ctx, settings_of(current_app), night)
    if fmt == "csv":
        _write(output, exports.federal_csv(statistic))
    elif fmt == "summary_csv":
        _write(output, exports.federal_summary_csv(statistic))
    else:
        body = json.dumps(FederalSummarySchema().dump(statistic), ensure_ascii=False, indent=2)
        _write(output, body + "\n")


def register_cli(app: Flask) -> None:
    from belegung.housing.cli import housing_group

    app.cli.add_command(housing_group)
    app.cli.add_command(reports_group)
    app.cli.add_command(persons_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(alerts_group)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(users_group)
    app.cli.add_command(tokens_group)
    app.cli.add_command(seed_group)
    app.cli.add_command(availability_command)
    app.cli.add_command(serve_command)
