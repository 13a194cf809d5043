"""A ratings export written out: tidy CSV (one row per rating) or one JSON document."""

from __future__ import annotations

import csv
import io
import json

from ..framework import Framework
from .export import RatingsExport
from .problems import escape_formula

# A CSV cell before it is written: text (made formula-safe), a number, or None for blank.
Cell = str | int | None


def _csv_columns(named: bool) -> list[str]:
    who = ["respondent", "name", "submitted_at", "role"] if named else ["respondent", "role"]
    return [
        "kind",
        "round",
        "team",
        "framework_id",
        "framework_version",
        *who,
        "principle_id",
        "principle_title",
        "statement_id",
        "statement_text",
        "value",
        "label",
        "dont_know",
        "comment",
    ]


def export_csv(export: RatingsExport) -> str:
    """Tidy CSV: one row per rating, then one per comment; text cells made formula-safe."""
    rnd, fw = export.round, export.framework
    named = not rnd.anonymous
    columns = _csv_columns(named)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)

    def put(d: dict[str, Cell]) -> None:
        w.writerow(
            [
                escape_formula(v) if isinstance(v, str) else ("" if v is None else v)
                for v in (d.get(c, "") for c in columns)
            ]
        )

    base: dict[str, Cell] = {
        "round": rnd.id,
        "team": rnd.team,
        "framework_id": fw.id,
        "framework_version": fw.version,
    }
    for r in export.respondents:
        who: dict[str, Cell] = {"respondent": r.number, "role": r.role}
        if named:
            who |= {"name": r.name, "submitted_at": r.submitted_at}
        for p in fw.principles:
            for s in p.statements:
                if s.id not in r.ratings:
                    continue
                rating = r.ratings[s.id]
                put(
                    base
                    | who
                    | {
                        "kind": "rating",
                        "principle_id": p.id,
                        "principle_title": p.title,
                        "statement_id": s.id,
                        "statement_text": s.text,
                        "value": rating.value,
                        "label": "Don't know"
                        if rating.dont_know
                        else fw.scale.label_for(rating.value),  # type: ignore[arg-type]
                        "dont_know": "true" if rating.dont_know else "false",
                    }
                )
    for c in export.comments:
        whose: dict[str, Cell] = {"respondent": c.respondent, "name": c.name} if named else {}
        put(
            base
            | whose
            | {
                "kind": "comment",
                "principle_id": c.principle_id,
                "principle_title": _title(fw, c.principle_id),
                "comment": c.text,
            }
        )
    return buf.getvalue()


def _title(fw: Framework, principle_id: str) -> str:
    try:
        return fw.principle(principle_id).title
    except KeyError:
        return ""


def export_json(export: RatingsExport) -> str:
    """The same ratings as one JSON document: round, framework, respondents, comments."""
    rnd, fw = export.round, export.framework
    respondents = []
    for r in export.respondents:
        d: dict[str, object] = {"respondent": r.number}
        if not rnd.anonymous:
            d["name"] = r.name
            d["submitted_at"] = r.submitted_at
        if r.role:
            d["role"] = r.role
        d["ratings"] = {
            sid: "dont_know" if rating.dont_know else rating.value
            for sid, rating in r.ratings.items()
        }
        respondents.append(d)
    comments = []
    for c in export.comments:
        d = {"principle_id": c.principle_id, "principle_title": _title(fw, c.principle_id)}
        if not rnd.anonymous:
            d |= {"respondent": c.respondent, "name": c.name}
        comments.append(d | {"text": c.text})
    doc = {
        "format": "coprod-ratings/1",
        "round": {
            "id": rnd.id,
            "team": rnd.team,
            "anonymous": rnd.anonymous,
            "min_answers": rnd.min_answers,
            "roles": list(rnd.roles),
            "status": rnd.status,
            "submitted": export.submitted,
            "held_back_principles": list(export.held_back),
            **(
                {
                    "snapshot": {
                        "number": export.release.sequence,
                        "released_at": export.release.released_at,
                        "answers": export.submitted,
                    }
                }
                if export.release is not None
                else {}
            ),
        },
        "framework": {
            "id": fw.id,
            "version": fw.version,
            "title": fw.title,
            "scale": [{"value": p.value, "label": p.label} for p in fw.scale.points],
            "dont_know": fw.scale.dont_know,
            "principles": [
                {
                    "id": p.id,
                    "title": p.title,
                    "statements": [{"id": s.id, "text": s.text} for s in p.statements],
                }
                for p in fw.principles
            ],
        },
        "respondents": respondents,
        "comments": comments,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
