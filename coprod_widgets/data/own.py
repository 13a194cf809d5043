"""One's own: the journal (by its owner) and a plan (by its private code), as tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InvalidInput
from .common import frame, store_of

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store

# -- one's own: the journal and a plan ----------------------------------------------------------

JOURNAL_COLUMNS = (
    "entry",
    "date",
    "title",
    "model",
    "status",
    "minutes",
    "participatory",
    "topic",
    "cycle",
    "tags",
    "principles",
)


def journal(key: str | None = None, db: str | Store | None = None) -> pd.DataFrame:
    """Your own journal's entries, newest first: date (a datetime), title, reflective model,
    status, minutes, whether participatory, topic and cycle, and the tags (``tags``; those that
    name a framework's principle, ``framework/principle``, also in ``principles``).

    ``key``: a served journal's private key (the end of its link); without one, the journal of
    this computer's user (or JupyterHub user), as the journal workbook opens it in JupyterLab.

    Example: reflections per principle this year::

        (data.journal().explode("principles").query("date >= '2026-01-01'")
         .groupby("principles").size())
    """
    import pandas as pd

    from ..identity import journal_owner

    store = store_of(db)
    owner, _visit = journal_owner(key)
    if not owner:
        raise InvalidInput("key: that is not a journal key (the end of your journal's link)")
    ids: list[int] = []
    while True:
        page = store.journal.find(owner, limit=500, offset=len(ids))
        ids += [e.id for e in page.items]
        if not page.more or not page.items:
            break
    principle_ids = _principle_tags()
    rows: list[dict[str, object]] = [
        {
            "entry": e.id,
            "date": e.entry_date or e.created_at[:10],
            "title": e.title,
            "model": e.model_id,
            "status": e.status,
            "minutes": e.minutes,
            "participatory": e.participatory,
            "topic": e.topic_id,
            "cycle": e.cycle,
            "tags": list(e.tags),
            "principles": [t for t in e.tags if t in principle_ids],
        }
        for e in store.journal.entries(owner, ids)
    ]
    df = frame(rows, JOURNAL_COLUMNS)
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    return df


def _principle_tags() -> set[str]:
    """Every ``framework/principle`` tag of the frameworks in the library."""
    from ..content import FrameworkLibrary

    lib = FrameworkLibrary()
    return {f"{fw.id}/{p.id}" for fw in lib for p in fw.principles}


PLAN_COLUMNS = ("field", "value")


def plan(code: str, db: str | Store | None = None) -> pd.DataFrame:
    """Your plan's saved fields, one row each (``field``, ``value`` as saved), read with its
    private code (the end of its link), as the planner opens it.

    Example: ``data.plan("Xy3...").set_index("field").loc["purpose.lead", "value"]``
    """
    store = store_of(db)
    fields = store.plans.fields(str(code).strip().rsplit("=", 1)[-1])
    return frame([{"field": k, "value": v} for k, v in sorted(fields.items())], PLAN_COLUMNS)
