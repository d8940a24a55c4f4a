"""A local stand-in for Twilio's Messages API: checks basic auth, records the form fields
that arrive, and answers as Twilio does, or as the test's script says."""

from __future__ import annotations

import base64
import re
import secrets
from collections import deque
from email.utils import formatdate

from tests.alerts.local_server import LocalServer, Received, Reply

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "standin-auth-token-0123456789ab"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")


def twilio_error(status: int, code: int, message: str, delay: float = 0.0) -> Reply:
    """An error body as Twilio sends it."""
    return Reply.json(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
        delay=delay,
    )


def invalid_number() -> Reply:
    return twilio_error(400, 21211, "The 'To' number is not a valid phone number.")


def opted_out() -> Reply:
    return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")


def too_many_requests() -> Reply:
    return twilio_error(429, 20429, "Too Many Requests")


def server_error() -> Reply:
    return twilio_error(500, 20500, "Internal Server Error")


def accepted(delay: float = 0.0) -> Reply:
    """The message is accepted; the stand-in builds Twilio's body from the request (a 201
    with a body of its own is sent as it is)."""
    return Reply(status=201, delay=delay)


def slow(seconds: float) -> Reply:
    """A success that arrives only after `seconds` (longer than the client waits)."""
    return accepted(delay=seconds)


class TwilioStandIn(LocalServer):
    """Answers each request with the next scripted reply; once the script is used up,
    every message is accepted (201, status "queued"). A GET of the Messages resource lists
    the messages accepted so far (newest first, filtered by `To`), as Twilio does."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._script: deque[Reply] = deque()
        self.sids: list[str] = []  # of the messages accepted, in order
        self.accepted: list[dict[str, object]] = []  # their bodies as Twilio answered

    def script(self, *replies: Reply) -> None:
        self._script.extend(replies)

    @property
    def messages(self) -> list[dict[str, str]]:
        """The form fields of every message sent to the Messages resource (POST)."""
        return [r.form for r in self.received if MESSAGES_PATH.match(r.path) and r.method == "POST"]

    @property
    def lookups(self) -> list[dict[str, str]]:
        """The query of every listing of the Messages resource (GET)."""
        return [r.query for r in self.received if MESSAGES_PATH.match(r.path) and r.method == "GET"]

    def _authorised(self, request: Received) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def answer(self, request: Received) -> Reply:
        if not self._authorised(request):
            return twilio_error(401, 20003, "Authenticate")
        match = MESSAGES_PATH.match(request.path)
        if not match or match["sid"] != self.account_sid or request.method not in ("GET", "POST"):
            return twilio_error(404, 20404, "The requested resource was not found")
        if request.method == "GET":
            return self._list(request)
        reply = self._script.popleft() if self._script else accepted()
        if reply.status != 201 or reply.body:
            return reply
        return Reply.json(self._message(request.form), status=201, delay=reply.delay)

    def _list(self, request: Received) -> Reply:
        to = request.query.get("To")
        found = [m for m in reversed(self.accepted) if to is None or m["to"] == to]
        size = int(request.query.get("PageSize") or 50)
        path = request.path
        return Reply.json(
            {
                "messages": found[:size],
                "end": min(len(found), size) - 1,
                "first_page_uri": path,
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": path,
            }
        )

    def _message(self, form: dict[str, str]) -> dict[str, object]:
        sid = "SM" + secrets.token_hex(16)
        self.sids.append(sid)
        now = formatdate(usegmt=True)
        message = self._body(form, sid, now)
        self.accepted.append(message)
        return message

    def _body(self, form: dict[str, str], sid: str, now: str) -> dict[str, object]:
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued" if "From" in form else "accepted",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": form.get("To"),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
