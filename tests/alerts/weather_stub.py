"""A local stand-in for the weather services: serves recorded bodies by path."""

from __future__ import annotations

from pathlib import Path

from tests.alerts.local_server import LocalServer, Received, Reply

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Reply:
    """A recorded JSON answer from tests/alerts/fixtures."""
    return Reply(200, (FIXTURES / name).read_bytes())


class WeatherStub(LocalServer):
    """Answers each path with the reply set for it, and 404 for any other."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, Reply] = {}

    def serve(self, path: str, reply: Reply) -> None:
        self.routes[path] = reply

    def answer(self, request: Received) -> Reply:
        return self.routes.get(request.path) or Reply.json({"detail": "Not Found"}, 404)
