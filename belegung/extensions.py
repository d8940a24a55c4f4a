"""Extension instances, wired to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from belegung.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
# No default limits: the login counts its attempts itself (auth.throttle); storage from
# RATELIMIT_STORAGE_URI (BELEGUNG_RATELIMIT_STORAGE_URI).
limiter = Limiter(key_func=get_remote_address)


def session() -> Session:
    """The current app context's session. `db.session` is a scoped proxy; services take
    the session itself."""
    return db.session()
