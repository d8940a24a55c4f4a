"""`users deactivate NAME` (and the admin page's button) lock a person out of the pages
and the API at once — their very next request — and `users reactivate NAME` lets them
in again."""

from __future__ import annotations

from click.testing import Result
from flask import Flask

from tests.apiclient import ApiClient, audited
from tests.pageclient import PageClient

BOARD = "/nacht/unionstrasse"


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_users_deactivate_locks_out_pages_and_tokens_at_once(
    app: Flask, api: ApiClient, pages: PageClient
) -> None:
    board = pages.as_("staff")
    assert board.get(BOARD).status_code == 200
    assert api.get("/stays", as_="staff").status_code == 200

    result = run(app, "users", "deactivate", "staff")

    assert result.exit_code == 0, result.output
    assert "gesperrt" in result.output
    assert api.get("/stays", as_="staff").status_code == 401
    locked_out = pages.get(BOARD)
    assert locked_out.status_code in (302, 303)
    assert "/login" in locked_out.headers["Location"]
    # Others are not affected.
    assert api.get("/stays", as_="staff_women").status_code == 200
    assert len(audited(api.session, "user.deactivate")) == 1

    result = run(app, "users", "reactivate", "staff")

    assert result.exit_code == 0, result.output
    assert api.get("/stays", as_="staff").status_code == 200
    assert pages.as_("staff").get(BOARD).status_code == 200
    assert len(audited(api.session, "user.reactivate")) == 1


def test_users_deactivate_names_an_unknown_user(app: Flask, api: ApiClient) -> None:
    result = run(app, "users", "deactivate", "niemand")
    assert result.exit_code == 1
    assert "nicht gefunden" in result.output


def test_the_admin_page_has_a_button_that_locks_a_user_out(
    api: ApiClient, pages: PageClient
) -> None:
    staff_id = api.callers["staff"].user_id
    admin = pages.as_("admin")
    page = admin.get(f"/admin/benutzer/{staff_id}")
    assert page.status_code == 200

    done = admin.submit(page, action=f"/admin/benutzer/{staff_id}/sperren")

    assert done.status_code == 303
    assert api.get("/stays", as_="staff").status_code == 401
    page = admin.get(done.headers["Location"])
    assert "Gesperrt" in page.get_data(as_text=True)
    admin.submit(page, action=f"/admin/benutzer/{staff_id}/entsperren")
    assert api.get("/stays", as_="staff").status_code == 200
    # Only admins may.
    refused = pages.as_("manager").post(f"/admin/benutzer/{staff_id}/sperren")
    assert refused.status_code in (400, 403)
