"""coprod_widgets.data: the numbers are the results page's and the report's (one composition,
``analysis.view.prepare``), and nothing the page holds back comes out of it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from coprod_widgets import data
from coprod_widgets.analysis.results import summary_rows
from coprod_widgets.analysis.view import prepare
from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.identity import journal_key_owner

BELOW = ((1, 2), (4, 3))
ABOVE = ((1, 2), (3, 2), (4, 4), (2, 3), (4, 1), (3, 3))
ROLES = ("Staff", "Staff", "Staff", "Carer", "Carer", "Carer")
NAMES = ("Ann", "Bo", "Cy", "Di", "Ed", "Flo")


def answer(store, links, fw, values, roles=(), first=0):
    """As tests/reports/test_composition.py: each member rates p1's statements v1 and p2's v2."""
    names = () if links.round.anonymous else NAMES[first : first + len(values)]
    for i, (v1, v2) in enumerate(values):
        me = f"tok-data-{links.round.id}-{first + i:03d}"
        for s in fw.principle("p1").statements:
            store.members.save_rating(links.member_code, me, s.id, v1)
        for s in fw.principle("p2").statements:
            store.members.save_rating(links.member_code, me, s.id, v2)
        store.members.save_comment(links.member_code, me, "p1", f"Comment {first + i}")
        if roles or names:
            store.members.save_profile(
                links.member_code,
                me,
                name=names[i] if names else "",
                role=roles[i] if roles else "",
            )
        store.members.submit(links.member_code, me)


def page_rows(store, round_id):
    """The summary table as the results page and the team report write it."""
    return summary_rows(prepare(store, round_id).results)


def same(a, b) -> bool:
    return (a is None and (b is None or (isinstance(b, float) and math.isnan(b)))) or a == b


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
@pytest.mark.parametrize("enough", [False, True], ids=["below", "above"])
@pytest.mark.parametrize("roles", [False, True], ids=["no-roles", "roles"])
def test_results_equal_the_page_and_nothing_below_the_minimum(
    store, small_framework, anonymous, enough, roles
):
    links = store.rounds.create(
        "Ward 7", small_framework, anonymous=anonymous, roles=list(ROLES[::3]) if roles else []
    )
    values = ABOVE if enough else BELOW
    answer(store, links, small_framework, values, roles=ROLES[: len(values)] if roles else ())
    rid = links.round.id
    page = page_rows(store, rid)
    df = data.results(rid, store)
    ratings = data.ratings(links.facilitator_code, store)
    comments = data.comments(rid, store)
    if not enough:
        assert df.empty and ratings.empty and comments.empty
        assert "shown from 3" in df.attrs["why"]
        assert not data.rounds(store).set_index("round").loc[rid, "shown"]
        return
    assert [r["Principle"] for r in page] == list(df["principle"])
    for row, (_, mine) in zip(page, df.iterrows()):
        assert row["People"] == mine["people"]
        for col, key in (("Median", "median"), ("Mean", "mean"), ("Spread (SD)", "spread")):
            assert same(row[col], round(mine[key], 2)), (col, row[col], mine[key])
        assert same(row["Lowest"], round(mine["lowest"], 2))
        assert same(row["Highest"], round(mine["highest"], 2))
        assert row["Band"] == mine["band"]
    # Derived again from the ratings, the medians and means are the page's, unrounded.
    scores = ratings.groupby(["principle", "respondent"])["value"].mean()
    derived = scores.groupby("principle").agg(["median", "mean"])
    results = prepare(store, rid).results
    for p in results.principles:
        assert derived.loc[p.title, "median"] == p.median
        assert derived.loc[p.title, "mean"] == p.mean
    assert set(ratings["name"]) == ({""} if anonymous else set(NAMES))
    assert set(comments["name"]) == ({""} if anonymous else set(NAMES))
    if roles:
        assert set(ratings["role"]) == {"Staff", "Carer"}


def test_an_anonymous_rounds_answers_after_its_snapshot_stay_out(store, small_framework):
    links = store.rounds.create("Ward 8", small_framework, anonymous=True)
    answer(store, links, small_framework, ABOVE[:3])
    rid = links.round.id
    before = data.results(rid, store)  # releases the first snapshot, as the page would
    assert list(before["people"]) == [3, 3]
    # One more member answers with values nobody else gave: one is too small a step to show.
    me = "tok-data-late-0000000"
    for s in small_framework.statements:
        store.members.save_rating(links.member_code, me, s.id, 4 if s.id.startswith("p1") else 1)
    store.members.submit(links.member_code, me)
    after = data.results(rid, store)
    assert after.equals(before)
    assert len(data.ratings(rid, store)) == len(small_framework.statements) * 3
    assert data.rounds(store).set_index("round").loc[rid, "submitted"] == 3
    assert list(page_rows(store, rid)[0].values())[1] == 3  # the page agrees


def test_a_principle_too_few_rated_is_held_back_in_every_table(store, small_framework):
    """Named too: four people answer, only two rate p2 (the others say they don't know)."""
    links = store.rounds.create("Ward 9", small_framework, anonymous=False)
    for i in range(4):
        me = f"tok-data-held-{i:03d}"
        store.members.save_profile(links.member_code, me, name=NAMES[i])
        for s in small_framework.principle("p1").statements:
            store.members.save_rating(links.member_code, me, s.id, 3)
        for s in small_framework.principle("p2").statements:
            if i < 2:
                store.members.save_rating(links.member_code, me, s.id, 4)
            else:
                store.members.save_rating(links.member_code, me, s.id, None, dont_know=True)
        store.members.submit(links.member_code, me)
    rid = links.round.id
    df = data.results(rid, store).set_index("principle_id")
    assert page_rows(store, rid)[1]["People"] == "fewer than 3: not shown"
    assert df.loc["p2", "held_back"] and math.isnan(df.loc["p2", "median"])
    assert pd.isna(df.loc["p2", "people"])
    ratings = data.ratings(rid, store)
    assert ratings.query("principle_id == 'p2'")["value"].isna().all()
    assert data.trends(rid, store).set_index("principle_id").loc["p2", "people"] == 0


def test_trends_and_actions_follow_the_series(store, small_framework):
    r1 = store.rounds.create("Ward 7", small_framework)
    answer(store, r1, small_framework, ABOVE[:3])
    act = store.actions.add(r1.round.id, "p1", "Ask first", lead="Sam")
    r2 = store.rounds.create("Ward 7", small_framework, previous_id=r1.round.id)
    answer(store, r2, small_framework, BELOW)  # below the minimum: no figures
    store.actions.update(act.id, "status", "done", in_round=r2.round.id)
    t = data.trends(r2.round.id, store)
    assert list(t["position"]) == [1, 1, 2, 2]
    first = prepare(store, r1.round.id).results.principles[0]
    assert t.iloc[0]["median"] == first.median
    assert t.query("position == 2")["median"].isna().all()
    a = data.actions(r2.facilitator_code, store)
    assert list(a["what"]) == ["Ask first"] and list(a["status"]) == ["done"]
    assert list(a["reviewed_in"]) == [r2.round.id]


def test_a_member_code_opens_no_results(store, small_framework):
    links = store.rounds.create("Ward 7", small_framework)
    with pytest.raises(NotFound, match="member's link code"):
        data.results(links.member_code, store)
    with pytest.raises(NotFound):
        data.ratings("no-such-code", store)


def test_the_journal_is_its_owners_alone(store):
    key = "a-private-journal-key-0001"
    owner = journal_key_owner(key)
    store.journal.create(owner, title="Met the carers", tags=["nef-nesta-six/mutuality"])
    store.journal.create(owner, title="Walk", tags=["nef-nesta-six/networks", "x/unknown"])
    store.journal.create("user:someone-else", title="Not mine")
    mine = data.journal(key, store)
    assert sorted(mine["title"]) == ["Met the carers", "Walk"]
    assert sorted(mine.explode("principles")["principles"]) == [
        "nef-nesta-six/mutuality",
        "nef-nesta-six/networks",
    ]
    assert str(mine["date"].dtype).startswith("datetime64")
    with pytest.raises(InvalidInput, match="key"):
        data.journal("short", store)


def test_a_plan_by_its_code(store):
    record, code = store.plans.create("Walking group")
    store.plans.save_field(code, "purpose.lead", "Shape the group with its members")
    df = data.plan(code, store).set_index("field")
    assert df.loc["purpose.lead", "value"] == "Shape the group with its members"
    with pytest.raises(NotFound):
        data.plan("not-a-code", store)
