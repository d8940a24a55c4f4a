"""Where the API lives, and whether a request is for it."""

from __future__ import annotations

from flask import request

PREFIX = "/api/v1"
SPEC_PATH = f"{PREFIX}/openapi.json"
DOCS_PATH = f"{PREFIX}/docs"


def is_api_request() -> bool:
    return is_api_path(request.path)


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_public_api_request() -> bool:
    """The OpenAPI document and its interactive docs need no token."""
    return request.path == SPEC_PATH or request.path.startswith(DOCS_PATH)
