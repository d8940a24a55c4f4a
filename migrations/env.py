"""Alembic environment: runs against the app's engine, with belegung's metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from belegung.db import Base, UTCDateTime, built_on

config = context.config
if config.config_file_name is not None:
    # Keep the app's and pytest's loggers alive.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    # Render our UTC type as the plain column type it is in the database, so revisions
    # don't import application code.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def get_engine():
    return current_app.extensions["migrate"].db.engine


def run_migrations_offline() -> None:
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        # Don't write an empty revision when autogenerate finds no change.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    # Flask-Migrate's defaults include render_as_batch=True: SQLite can't ALTER most
    # things, so batch mode rebuilds the table instead.
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)

    with get_engine().connect() as connection:
        # An index built on the other backend only is not expected in this database.
        conf_args.setdefault("include_object", built_on(connection.dialect.name))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            **conf_args,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # The app's statement timeout (BELEGUNG_DB_STATEMENT_TIMEOUT) is for
                # requests; building an index on a large table may take longer. Lock
                # waits stay bounded. LOCAL: the pooled connection keeps its own.
                connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
