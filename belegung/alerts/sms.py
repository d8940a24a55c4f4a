"""SMS backends behind one small interface: Twilio, or the log when no account is configured.

A backend only sends; retries, back-off and "at most once per recipient and cause" belong to
the outbox, which tells the two error classes apart: a TransientSmsError may succeed later,
a PermanentSmsError never will.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import (
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from belegung.alerts.segments import count_segments
from belegung.config import ConfigError, Settings

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.twilio.com"
DEFAULT_TIMEOUT = 10.0  # seconds; the outbox retries a timeout later

# Twilio error codes this service reacts to (STACK-NOTES, "twilio 9.13").
INVALID_NUMBER = 21211
OPTED_OUT = 21610
TOO_MANY_REQUESTS = 20429


@dataclass(frozen=True)
class SentMessage:
    """The provider's id for the message and its first status (Twilio: "queued")."""

    sid: str
    status: str


class SmsError(Exception):
    """Sending failed; `code` is the provider's error code, `status` the HTTP status."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class TransientSmsError(SmsError):
    """Timeout, connection error, HTTP 5xx or rate limit (20429): try again later.

    A read timeout or a dropped connection leaves open whether the provider accepted the
    message (`in_doubt`): the outbox asks the provider (`find`) before sending it again.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        in_doubt: bool = False,
    ):
        super().__init__(message, code=code, status=status)
        self.in_doubt = in_doubt


class PermanentSmsError(SmsError):
    """The provider refused this message for good: 21211 invalid number, 21610 recipient
    opted out, any other 4xx. Retrying won't help."""


class SmsBackend(Protocol):
    """Sends one SMS; raises TransientSmsError or PermanentSmsError."""

    name: str

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SentMessage:
        """Hand `body` to the provider for `to` (E.164); `status_callback` is the URL the
        provider reports delivery to."""
        ...

    def find(self, to: str, body: str, since: datetime) -> SentMessage | None:
        """The message with this body the provider took for `to` since `since`, if any
        (after an attempt that may or may not have reached it); None if there is none or
        the backend can't tell. Raises TransientSmsError if the provider can't be asked."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def mask_phone(number: str) -> str:
    """`+4915123456789` → `+49151…89`: enough to tell recipients apart in a log."""
    if len(number) <= 8:
        return number[:3] + "…"
    return number[:6] + "…" + number[-2:]


class LogBackend:
    """Writes each message to the log instead of sending it: a first start needs no account.

    The body holds bed counts, never personal data; the number is masked all the same.
    """

    name = "log"

    def __init__(self, logger: logging.Logger = log) -> None:
        self.logger = logger

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SentMessage:
        sid = "LOG" + uuid.uuid4().hex
        count = count_segments(body)
        self.logger.info(
            "SMS %s to %s (%s, %d segment(s)): %s",
            sid,
            mask_phone(to),
            count.encoding,
            count.segments,
            body,
        )
        return SentMessage(sid=sid, status="sent")

    def find(self, to: str, body: str, since: datetime) -> SentMessage | None:
        # A log can't be asked; writing a message to it twice harms nobody.
        return None

    def close(self) -> None:
        pass


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending to `api_base` instead of https://api.twilio.com
    (a proxy, or a local stand-in in tests), with a timeout on every request."""

    def __init__(self, api_base: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(api_base)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._prefix = parts.path.rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        url = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, url, params, data, headers, auth, timeout, allow_redirects)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class TwilioBackend:
    """Sends through the `twilio` client. `from_` is a phone number in E.164 or the SID of a
    Messaging Service ("MG…")."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str,
        *,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.from_ = from_
        self.http_client = RebasedHttpClient(api_base, timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http_client)

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SentMessage:
        sender = "messaging_service_sid" if self.from_.startswith("MG") else "from_"
        fields: dict[str, str] = {"to": to, "body": body, sender: self.from_}
        if status_callback is not None:
            fields["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**fields)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(exc) from exc
        except requests.ConnectTimeout as exc:
            # No connection, so no request reached Twilio.
            raise TransientSmsError(f"Twilio not reached: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            # A read timeout or a dropped connection: the request may have arrived.
            raise TransientSmsError(
                f"Twilio not reached: {type(exc).__name__}", in_doubt=True
            ) from exc
        except ValueError as exc:
            # A 2xx whose body is no JSON: Twilio may have taken the message, so sending it
            # again could deliver it twice.
            raise PermanentSmsError("Twilio's answer was unreadable") from exc
        if not message.sid:
            raise PermanentSmsError("Twilio's answer named no message")
        return SentMessage(sid=str(message.sid), status=str(message.status or "queued"))

    # Twilio's clock and ours may differ a little; a message created shortly before the
    # attempt began is still the one we look for.
    FIND_SLACK = timedelta(minutes=2)
    FIND_LIMIT = 50

    def find(self, to: str, body: str, since: datetime) -> SentMessage | None:
        try:
            recent = self.client.messages.list(to=to, limit=self.FIND_LIMIT)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(exc) from exc
        except (requests.RequestException, ValueError) as exc:
            raise TransientSmsError(f"Twilio not asked: {type(exc).__name__}") from exc
        for message in recent:
            created = message.date_created
            if message.body != body or not message.sid:
                continue
            if created is not None and created < since - self.FIND_SLACK:
                continue
            return SentMessage(sid=str(message.sid), status=str(message.status or "queued"))
        return None

    def close(self) -> None:
        self.http_client.close()


def _classify(exc: TwilioRestException | TwilioServiceException) -> SmsError:
    status: int = exc.status
    # Without a JSON body the client reports the HTTP status as the code: not Twilio's code.
    code: int | None = exc.code if exc.code != status else None
    message = f"Twilio answered HTTP {status}" + (f", error {code}" if code else "")
    if status >= 500 or status == 429 or code == TOO_MANY_REQUESTS:
        return TransientSmsError(message, code=code, status=status)
    return PermanentSmsError(message, code=code, status=status)


def backend_for(settings: Settings) -> SmsBackend:
    """Twilio when its credentials are configured, else the log."""
    if settings.sms_backend == "log":
        return LogBackend()
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.sms_from):
        raise ConfigError(
            "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and BELEGUNG_SMS_FROM must all be set "
            "to send SMS through Twilio"
        )
    return TwilioBackend(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.sms_from,
        api_base=settings.twilio_api_base,
        timeout=settings.sms_timeout,
    )
