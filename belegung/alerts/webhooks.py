"""Twilio's webhooks: crews' SMS (`POST /sms/inbound`) and delivery status callbacks
(`POST /sms/status`).

These are form posts from Twilio, not API calls and not pages: no bearer token, no
session, no CSRF token — Twilio's request signature (X-Twilio-Signature, an HMAC of the
URL Twilio called and the form, keyed with the account's auth token) is what
authenticates them, checked against BELEGUNG_PUBLIC_URL (the address Twilio calls,
behind a proxy). A missing or bad signature gets 403, and without Twilio credentials
every call does.

Replies to crews go back as TwiML in the webhook's answer, not through the outbox: the
crew is waiting in the street, the answer is computed in the same transaction that holds
the bed, and it needs no second call to Twilio. (An answer that gets lost is asked for
again by the crew; alerts, which nobody asks for, go through the outbox.)
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from belegung.alerts import operations
from belegung.alerts.dispatch import record_callback
from belegung.config import settings_of
from belegung.extensions import session
from belegung.http.context import current_uow
from belegung.jobs import app_clock, context_for

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def called_url() -> str:
    """The URL Twilio called: the public address (behind a proxy) or the request's own."""
    public = settings_of(current_app).public_url
    if not public:
        return request.url
    query = request.query_string.decode("latin-1")
    return public + request.script_root + request.path + (f"?{query}" if query else "")


def _check_signature() -> None:
    settings = settings_of(current_app)
    token = settings.twilio_auth_token
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        abort(403)
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if not RequestValidator(token).validate(called_url(), request.form, signature, algorithm):
        log.warning("refused a Twilio webhook with a bad signature on %r", request.path)
        abort(403)
    account = request.form.get("AccountSid")
    if account and account != settings.twilio_account_sid:
        abort(403)


def _twiml(reply: str | None) -> Response:
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return Response(str(answer), mimetype="application/xml")


@bp.post("/inbound")
def inbound() -> Response:
    """A crew's SMS: FREI, FREI <GRUPPE>, HALTEN <Einrichtung oder Gruppe> [Notiz], HILFE."""
    _check_signature()
    sender = request.form.get("From", "")
    body = request.form.get("Body", "")
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    if not sid:
        abort(400)
    reply = operations.answer_sms(context_for(current_uow(), "sms"), sender, body, sid)
    return _twiml(reply)


@bp.post("/status")
def status() -> Response:
    """A delivery status callback: kept as an event, applied to its message (forward only)."""
    _check_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    message_status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if not sid or not message_status:
        abort(400)
    raw_code = request.form.get("ErrorCode") or ""
    error_code = int(raw_code) if raw_code.isdigit() and len(raw_code) < 9 else None
    record_callback(session(), sid[:64], message_status, error_code, app_clock()())
    return Response(status=204)
