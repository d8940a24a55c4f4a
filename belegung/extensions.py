"""Extension instances, wired to the app in create_app()."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from belegung.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def session() -> Session:
    """The current app context's session. `db.session` is a scoped proxy; services take
    the session itself."""
    return db.session()
