"""Persons: the search key folds umlauts and their two-letter forms alike (ü, ue and u
all to u; ä, ae and a to a; ö, oe and o to o) and leaves out invisible characters, so
that staff find a guest however they type the name. The keys of existing persons are
recomputed from their names; the downgrade recomputes the previous keys.

The folding functions are copied here as they are at this revision: the application's
may change later, a migration must not.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

KEY_MAX = 240
BATCH = 1000


def key_0009(name: str) -> str:
    folded = unicodedata.normalize("NFC", name).casefold()
    folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    for digraph, letter in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        stripped = stripped.replace(digraph, letter)
    return " ".join(stripped.split())[:KEY_MAX].rstrip()


def key_0003(name: str) -> str:
    folded = unicodedata.normalize("NFC", name).casefold().replace("ß", "ss")
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        folded = folded.replace(umlaut, spelled)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())[:KEY_MAX].rstrip()


def upgrade():
    _recompute(key_0009)


def downgrade():
    _recompute(key_0003)


def _recompute(fold) -> None:
    persons = sa.table(
        "persons", sa.column("id", sa.Integer), sa.column("name"), sa.column("name_key")
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(persons.c.id, persons.c.name, persons.c.name_key)
            .where(persons.c.id > last, persons.c.name.is_not(None))
            .order_by(persons.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [{"pid": pid, "key": fold(name)} for pid, name, key in rows if fold(name) != key]
        if changed:
            bind.execute(
                persons.update()
                .where(persons.c.id == sa.bindparam("pid"))
                .values(name_key=sa.bindparam("key")),
                changed,
            )
        last = rows[-1][0]
