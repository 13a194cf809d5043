"""Released results: snapshots of an anonymous round's answers that move only in steps that
single no one out (the rule is ``model.release``; here are its reads and writes)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa

from ..model.release import Release, content, decide, fingerprint, freeze_all, thaw
from ..model.rounds import Answer, Round
from . import schema as t
from .db import Database, results_key


def release(
    db: Database, rnd: Round, pairs: Sequence[tuple[str, Answer]], retry: bool = True
) -> Release:
    """What a facilitator may see of ``rnd`` given its answers now (member hash, answer)."""
    subs = [(h, a) for h, a in pairs if a.submitted]
    drafts = len(pairs) - len(subs)
    if not rnd.anonymous:
        return Release(
            tuple(a for _, a in pairs), live=True, submitted_now=len(subs), in_progress=drafts
        )
    round_id = rnd.id
    key = results_key()
    current = [(fingerprint(key, h, a), content(a)) for h, a in subs]
    with db.reading() as conn:  # the snapshots and the fingerprints kept with the last one
        snaps = conn.execute(
            sa.select(t.result_snapshots)
            .where(t.result_snapshots.c.round_id == round_id)
            .order_by(t.result_snapshots.c.sequence)
        ).all()
        kept = conn.execute(
            sa.select(t.result_fingerprints.c.fingerprint).where(
                t.result_fingerprints.c.round_id == round_id
            )
        ).scalars()
        last_fps = list(kept) if snaps else None
    frozen_sets = [json.loads(s.answers) for s in snaps]
    decision = decide(
        rnd.min_answers,
        current,
        last_fps,
        [[content(thaw(d)) for d in f] for f in frozen_sets],
    )
    if decision.release:
        answers = freeze_all(a for _, a in subs)
        seq = (snaps[-1].sequence if snaps else 0) + 1
        ts = db.now()
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    t.result_snapshots.insert().values(
                        round_id=round_id,
                        sequence=seq,
                        answers=json.dumps(answers, ensure_ascii=False, sort_keys=True),
                        answer_count=len(answers),
                        released_at=ts,
                    )
                )
                conn.execute(
                    t.result_fingerprints.delete().where(
                        t.result_fingerprints.c.round_id == round_id
                    )
                )
                if current:
                    conn.execute(
                        t.result_fingerprints.insert(),
                        [{"round_id": round_id, "fingerprint": fp} for fp, _ in current],
                    )
        except sa.exc.IntegrityError:
            if not retry:
                raise
            return release(db, rnd, pairs, retry=False)  # released by another reader
        return Release(
            tuple(thaw(d) for d in answers),
            sequence=seq,
            released_at=ts,
            submitted_now=len(subs),
            in_progress=drafts,
        )
    last = snaps[-1] if snaps else None
    return Release(
        tuple(thaw(d) for d in frozen_sets[-1]) if frozen_sets else (),
        sequence=last.sequence if last is not None else 0,
        released_at=last.released_at if last is not None else "",
        submitted_now=len(subs),
        in_progress=drafts,
        held=decision.fresh if last is not None else 0,
        need_more=decision.need_more,
    )
