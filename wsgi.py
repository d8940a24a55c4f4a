"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from belegung import create_app

app = create_app()
