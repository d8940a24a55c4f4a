"""Every answer of the API and its docs carries the headers that keep a browser from
sniffing it as something else, from framing it and from telling another site where it
came from — refusals and errors as much as successes."""

from __future__ import annotations

import pytest

from tests.apiclient import ApiClient

API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _assert_protected(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in API_HEADERS.items():
        assert headers.get(name) == value, (name, response)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("method", "path", "as_", "status"),
    [
        ("GET", "/facilities", "staff", 200),
        ("GET", "/availability", "outreach", 200),
        ("GET", "/stays/999999", "staff", 404),
        ("GET", "/facilities", None, 401),
        ("GET", "/reports/monthly?month=2026-01", "staff", 403),
        ("GET", "/availability?night=gestern", "staff", 422),
        ("DELETE", "/availability", "staff", 405),
        ("GET", "/gibt-es-nicht", "staff", 404),
        ("GET", "/openapi.json", None, 200),
        ("GET", "/docs/", None, 200),
        ("GET", "/docs/swagger-ui-bundle.js", None, 200),
    ],
)
def test_api_answers_carry_the_security_headers(
    api: ApiClient, method: str, path: str, as_: str | None, status: int
) -> None:
    response = api.request(method, path, as_=as_)
    assert response.status_code == status
    _assert_protected(response)
    response.close()  # a static file of the docs is streamed from disk


def test_a_body_over_the_limit_is_refused_with_the_headers(api: ApiClient) -> None:
    body = b"[" + b"1," * (1024 * 1024) + b"1]"
    response = api.post("/stays", as_="staff", data=body, content_type="application/json")
    assert response.status_code == 413
    _assert_protected(response)
