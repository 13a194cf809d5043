"""A portfolio as one self-contained HTML page: the report stylesheet (on screen and on paper),
no script, nothing fetched, and every piece of a participant's or trainer's text escaped.

Written from a ``model.portfolio.PortfolioView``; the PDF is this page printed (``portfolio``).
"""

from __future__ import annotations

from html import escape

from ..model.course import SELF_ASSESSMENT
from ..model.portfolio import AnswerView, Line, ModuleView, PortfolioView, facts
from ..style import style_tag
from .journal_html import html_text


def _dl(rows: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f"<dl class='coprod-facts'>{items}</dl>"


def _lines(a: AnswerView) -> str:
    """The answer: plain paragraphs, a list of choices, or its parts each under its label."""
    if not a.lines:
        return ""
    if all(not line.label for line in a.lines):
        if len(a.lines) == 1:
            return f"<div class='coprod-answer'>{html_text(a.lines[0].text)}</div>"
        items = "".join(f"<li>{html_text(line.text)}</li>" for line in a.lines)
        return f"<ul class='coprod-answer'>{items}</ul>"
    if a.kind == SELF_ASSESSMENT:
        rows = "".join(
            f"<tr><td>{escape(line.label)}</td><td>{escape(line.text)}</td></tr>"
            for line in a.lines
        )
        return (
            "<table class='coprod-table coprod-words coprod-answer'><thead><tr>"
            "<th scope='col'>Statement</th><th scope='col'>Answer</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return "<dl class='coprod-answer'>" + "".join(_part(line) for line in a.lines) + "</dl>"


def _part(line: Line) -> str:
    return f"<dt><strong>{escape(line.label)}</strong></dt><dd>{html_text(line.text)}</dd>"


def _answer(a: AnswerView, n: int | None) -> str:
    number = f"{n}. " if n is not None else ""
    out = [f"<h3>{number}{escape(a.prompt)}</h3>"]
    if a.heading:
        out.append(f"<p class='coprod-note'>{escape(a.heading)}</p>")
    out.append(_lines(a))
    if a.status:
        out.append(f"<p class='coprod-status'><em>{escape(a.status)}</em></p>")
    if a.feedback is not None:
        at = escape(a.feedback.at[:10])
        out.append(
            "<blockquote class='coprod-feedback'>"
            f"<p><strong>Trainer's feedback</strong> <span class='coprod-note'>({at})</span></p>"
            f"{html_text(a.feedback.text)}</blockquote>"
        )
    return f"<article class='coprod-exercise'>{''.join(out)}</article>"


def _module(m: ModuleView, n: int) -> str:
    done = "complete" if m.done else "not complete yet"
    body = "".join(_answer(a, i) for i, a in enumerate(m.exercises, start=1))
    return (
        f"<section class='coprod-module'><h2>Module {n}: {escape(m.title)}</h2>"
        f"<p class='coprod-note'>{m.answered} of {m.total} exercises answered ({done}).</p>"
        f"{body or '<p>This module has no exercises.</p>'}</section>"
    )


def _cpd(view: PortfolioView) -> str:
    c = view.cpd
    done = "".join(f"<li>{escape(t)}</li>" for t in c.modules_done) or "<li>None yet.</li>"
    sources = "".join(f"<li>{escape(s)}</li>" for s in c.sources)
    return (
        "<section class='coprod-cpd'><h2>CPD record</h2>"
        f"{_dl(c.facts())}<h3>Modules completed</h3><ul>{done}</ul>"
        f"{'<h3>Sources</h3><ul>' + sources + '</ul>' if sources else ''}"
        f"<p class='coprod-note'>{escape(c.note)}</p></section>"
    )


def _other(view: PortfolioView) -> str:
    if not view.other:
        return ""
    body = "".join(_answer(a, None) for a in view.other)
    return (
        "<section class='coprod-module'><h2>Other answers</h2><p class='coprod-note'>Answers to "
        "exercises that are no longer in this version of the course, kept as written.</p>"
        f"{body}</section>"
    )


def portfolio_body(view: PortfolioView) -> str:
    """The page's content: who and what, the CPD record, the modules, any other answers."""
    head = (
        f"<header><h1>{escape(view.title)}</h1>"
        f"<p class='coprod-note'>The work of {escape(view.name)} in the cohort "
        f"{escape(view.cohort)}.</p>{_dl(facts(view))}</header>"
    )
    modules = "".join(_module(m, i) for i, m in enumerate(view.modules, start=1))
    return head + _cpd(view) + modules + _other(view)


def portfolio_html(view: PortfolioView) -> str:
    """The whole page, self-contained: it reads the same offline, on screen and printed."""
    title = escape(f"{view.title}: {view.name}")
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{title}</title>\n{style_tag('report')}\n</head>\n"
        f"<body>\n<main class='coprod-report'>{portfolio_body(view)}</main>\n</body>\n</html>\n"
    )
