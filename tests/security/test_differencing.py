"""The differencing attack: can a facilitator work out one member's answers by comparing what
they saw before and after that member answered (or changed an answer)?

Ten members of an anonymous round (minimum 3) answer one by one, then some change their
answers, then the round closes. After every step the attacker records everything a facilitator
can get: the results page (headless TeamResultsApp), the team report (HTML, through the report
notebook), the ratings CSV and JSON, and the role table. Then they difference every pair of
observations, consecutive or not, and try to solve for one member's ratings and comments.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from itertools import combinations

import pytest

from coprod_widgets.apps.results import TeamResultsApp
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.exchange import export_csv, export_json
from coprod_widgets.reports.export import export_report


def page_text(widget) -> str:
    """Every HTML and text value (and button label) in a widget tree, in order: the walk of
    tests/apps/tree.py, which this folder cannot import as a package."""
    parts = [v for a in ("value", "description") if isinstance(v := getattr(widget, a, None), str)]
    parts += [page_text(c) for c in getattr(widget, "children", ())]
    return "\n".join(parts)


NEED = 3
ROLES = ("Staff", "Person with lived experience", "Carer")
# Member i's role: Staff 5, lived experience 3, one carer, one who gives no role.
ROLE_OF = ["Staff", "Staff", "Person with lived experience", "Staff", "Carer", "Staff"]
ROLE_OF += ["Person with lived experience", "Staff", "Person with lived experience", ""]


def token(i: int) -> str:
    return f"tok-attack-member-{i:02d}"


def ratings_of(i: int, version: int = 0) -> dict[str, int]:
    """Distinct answers per member (and per version), so that no two coincide by chance."""
    n = i * 7 + version * 3
    return {
        "p1-a": 1 + n % 4,
        "p1-b": 1 + (n // 4) % 4,
        "p2-a": 1 + (n // 2) % 4,
        "p2-b": 1 + (i + version) % 4,
    }


def comment_of(i: int, version: int = 0) -> str:
    return f"Member {i} thought, take {version}: we listen {'well' if i % 2 else 'a bit'}."


def give(store, code: str, i: int, version: int = 0) -> None:
    me = token(i)
    if version == 0:
        store.members.save_profile(code, me, role=ROLE_OF[i])
    for sid, v in ratings_of(i, version).items():
        store.members.save_rating(code, me, sid, v)
    store.members.save_comment(code, me, "p1", comment_of(i, version))
    if version == 0:
        store.members.submit(code, me)


def member_answer(i: int, version: int) -> tuple:
    """One member's contribution as the JSON export would show it (ratings and role)."""
    return (tuple(sorted(ratings_of(i, version).items())), ROLE_OF[i])


def observe(store, links, lib) -> dict:
    """Everything the facilitator can get now."""
    rid = links.round.id
    app = TeamResultsApp(store, links.facilitator_code, "http://x", library=lib)
    obs = {
        "page": page_text(app),
        "body": app.body.value,  # the results themselves, without the header
        "roles": app.roles.value,
        "report": export_report("team_report", {"round_id": rid, "db": store.url}, "html").decode(),
    }
    try:
        ex = store.imports.export(rid)
    except InvalidInput as e:
        assert "can be exported from 3" in str(e)
        obs["csv"] = obs["json"] = None
    else:
        obs["csv"] = export_csv(ex)
        obs["json"] = json.loads(export_json(ex))
    return obs


def released_multiset(doc: dict | None) -> Counter:
    """The attacker's best data: every respondent's ratings and role, as a multiset."""
    if doc is None:
        return Counter()
    return Counter(
        (tuple(sorted(r["ratings"].items())), r.get("role", "")) for r in doc["respondents"]
    )


def comment_multiset(doc: dict | None) -> Counter:
    return Counter() if doc is None else Counter(c["text"] for c in doc["comments"])


def csv_multiset(text: str | None) -> Counter:
    """The same respondents read from the CSV (numbered afresh each time: the number is no key)."""
    if text is None:
        return Counter()
    by: dict[str, dict] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["kind"] == "rating":
            r = by.setdefault(row["respondent"], {"ratings": {}, "role": row["role"]})
            r["ratings"][row["statement_id"]] = int(row["value"])
    return Counter((tuple(sorted(r["ratings"].items())), r["role"]) for r in by.values())


VOLATILE = (
    # Counts of answers (before the first release), held back or in progress are counts only,
    # and the report's own date.
    re.compile(r"<strong>\d+ of \d+</strong>"),
    re.compile(r"<p class=.coprod-held.>.*?</p>", re.S),
    re.compile(r" \d+ more in progress\."),
    re.compile(r"Report made</dt><dd>[^<]*</dd>"),
    re.compile(r"\b[a-z][0-9a-f]{10}\b"),  # matplotlib's random clip-path ids in the SVGs
)


def stable(text: str) -> str:
    for v in VOLATILE:
        text = v.sub("", text)
    return text


def snapshot_no(obs: dict) -> int:
    return obs["json"]["round"]["snapshot"]["number"] if obs["json"] else 0


@pytest.fixture
def lib(tmp_path):
    d = tmp_path / "frameworks"
    d.mkdir()
    return FrameworkLibrary([d])


@pytest.fixture
def attack(store, small_framework, lib):
    """Run the round, observing after every step: (observations, (member, version) per step)."""
    links = store.rounds.create("Ward 7", small_framework, min_answers=NEED, roles=list(ROLES))
    code = links.member_code
    observations, steps = [observe(store, links, lib)], [None]
    for i in range(10):  # ten members answer, one by one
        give(store, code, i)
        observations.append(observe(store, links, lib))
        steps.append((i, 0))
    for i in (0, 1, 2, 3):  # then four change their answers, one by one
        give(store, code, i, version=1)
        observations.append(observe(store, links, lib))
        steps.append((i, 1))
    store.rounds.close(links.round.id)
    observations.append(observe(store, links, lib))
    steps.append(None)
    return store, links, observations, steps


def test_no_pair_of_releases_gives_away_one_members_answers(attack):
    store, links, observations, steps = attack
    current = {}  # member -> the version of their answer at each step
    truth: list[dict[int, int]] = []
    for step in steps:
        if step is not None:
            current[step[0]] = step[1]
        truth.append(dict(current))

    released = [released_multiset(o["json"]) for o in observations]
    comments = [comment_multiset(o["json"]) for o in observations]
    # The CSV says the same as the JSON.
    assert all(csv_multiset(o["csv"]) == m for o, m in zip(observations, released))

    # The attack: difference every pair of observations, consecutive or not.
    every_answer = {(i, v): member_answer(i, v) for i in range(10) for v in (0, 1)}
    for a, b in combinations(range(len(observations)), 2):
        added, removed = released[b] - released[a], released[a] - released[b]
        for diff in (added, removed):
            n = sum(diff.values())
            assert n == 0 or n >= NEED, (a, b, diff)
            # Solving for one member: the difference is never exactly one member's answer.
            assert not any(Counter([ans]) == diff for ans in every_answer.values()), (a, b)
        c_added, c_removed = comments[b] - comments[a], comments[a] - comments[b]
        for diff in (c_added, c_removed):
            n = sum(diff.values())
            assert n == 0 or n >= NEED, (a, b, diff)
        # The number of answers that differ between any two releases is 0 or at least the
        # minimum (the count shown may move by one: a new answer among changed ones).
        differ = max(sum(added.values()), sum(removed.values()))
        assert differ == 0 or differ >= NEED, (a, b)

    # And what was released is always exactly some members' real answers at some earlier step
    # (a snapshot), never a live view: each release equals the truth at the step it was made.
    for k, obs in enumerate(observations):
        if obs["json"] is None:
            continue
        made_at = next(
            j
            for j in range(k + 1)
            if released[j] == released[k] and (j == 0 or released[j - 1] != released[k])
        )
        truth_then = Counter(member_answer(i, v)[0] for i, v in truth[made_at].items())
        assert Counter(r for r, _ in released[k].elements()) == truth_then


def test_every_view_changes_only_when_a_new_snapshot_is_released(attack):
    _, _, observations, steps = attack
    for before, after, step in zip(observations, observations[1:], steps[1:]):
        same = snapshot_no(before) == snapshot_no(after)
        # Closing the round changes its status in the header, and nothing else.
        views = ("page", "report", "roles", "body") if step is not None else ("roles", "body")
        for view in views:
            if same:
                assert stable(before[view]) == stable(after[view]), view
        if same and before["json"] is not None:
            assert released_multiset(before["json"]) == released_multiset(after["json"])
    # The steps the results moved in, worked by hand: snapshots at 3, 6 and 9 answers; the
    # tenth answer and the first two changes held back (two old answers would leave the set);
    # the third change releases; the fourth change is held back, and still is after closing.
    numbers = [snapshot_no(o) for o in observations]
    assert numbers == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4]
    counts = [sum(released_multiset(o["json"]).values()) for o in observations]
    assert counts == [0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9, 9, 10, 10, 10]


def test_the_page_says_which_snapshot_and_what_is_held_back_without_saying_who(attack):
    _, _, observations, _ = attack
    page = observations[5]["page"]  # five answers, the snapshot of three
    assert "Results from 3 answers</strong>, released " in page
    assert "2 newer answers are held back</strong> until at least 1 more person has" in page
    last = observations[-1]["page"]  # closed, one change held back for good
    assert "Results from 10 answers" in last and "1 newer answer is held back" in last
    for o in observations:
        for text in (o["page"], o["report"]):
            assert "tok-attack" not in text


def test_no_time_token_or_rare_role_of_anyone_is_shown_or_exported(attack):
    store, links, observations, _ = attack
    answers = store.rounds.answers(links.round.id)
    times = {a.submitted_at for a in answers if a.submitted_at}
    times |= {t[:16] for t in times}  # to the minute, as a page might print it
    for o in observations:
        for view in ("page", "report", "csv"):
            text = o[view] or ""
            assert "tok-attack" not in text and "submitted_at" not in text
            assert "updated_at" not in text
            assert not any(t in text for t in times), view
        if o["json"] is not None:
            doc = json.loads(json.dumps(o["json"]))
            doc["round"]["snapshot"].pop("released_at")  # the snapshot's own time may be shown
            raw = json.dumps(doc)
            assert "submitted_at" not in raw and not any(t in raw for t in times)
            assert all(r.get("role", "") != "Carer" for r in o["json"]["respondents"])
        # The one carer, and the one member without a role, are never a row of their own.
        assert "<th scope='row'>Carer</th>" not in o["roles"]
        for n in re.findall(r"<th scope='row'>[^<]*</th><td>(\d+)</td>", o["roles"]):
            assert int(n) >= NEED


def test_comments_within_a_snapshot_follow_no_arrival_order(attack):
    _, _, observations, _ = attack
    doc = observations[9]["json"]  # the snapshot of nine
    texts = [c["text"] for c in doc["comments"]]
    assert texts == sorted(texts, key=str.casefold)
    page = observations[9]["page"]
    shown = re.findall(r"<li>(Member \d thought[^<]*)</li>", page)
    assert shown == sorted(shown, key=str.casefold) and len(shown) == 9


def test_a_named_round_is_live_by_design(store, small_framework, lib):
    """Names are shown by design in a named round: no snapshot, every answer shows at once."""
    links = store.rounds.create("Named", small_framework, anonymous=False, min_answers=NEED)
    for i in range(4):
        me = token(i)
        store.members.save_profile(links.member_code, me, name=f"Person {i}")
        for sid, v in ratings_of(i).items():
            store.members.save_rating(links.member_code, me, sid, v)
        store.members.submit(links.member_code, me)
    rel = store.rounds.released(links.round.id)
    assert rel.live and rel.submitted == 4
    assert len(json.loads(export_json(store.imports.export(links.round.id)))["respondents"]) == 4


def test_a_snapshot_keeps_no_token_hash_or_time_and_fingerprints_stay_in_the_store(
    store, small_framework, coprod_home
):
    import sqlalchemy as sa

    links = store.rounds.create("Ward 7", small_framework, min_answers=NEED, roles=list(ROLES))
    for i in range(4):
        give(store, links.member_code, i)
    rel = store.rounds.released(links.round.id)
    assert (rel.sequence, rel.submitted, rel.held) == (1, 4, 0)
    again = store.rounds.released(links.round.id)  # reading again releases nothing new
    assert (again.sequence, again.released_at) == (1, rel.released_at)
    with store.engine.connect() as conn:
        [row] = conn.execute(sa.text("SELECT * FROM result_snapshots")).mappings().all()
        hashes = [r[0] for r in conn.execute(sa.text("SELECT member_hash FROM responses"))]
        times = [r[0] for r in conn.execute(sa.text("SELECT submitted_at FROM responses"))]
        fps = [r[0] for r in conn.execute(sa.text("SELECT fingerprint FROM result_fingerprints"))]
    assert row["answer_count"] == 4 and row["sequence"] == 1
    frozen_text = row["answers"]
    assert not any(x in frozen_text for x in [*hashes, *times, "tok-attack", "submitted"])
    assert len(fps) == 4 and not set(fps) & set(hashes)
    exported = export_json(store.imports.export(links.round.id))
    exported += export_csv(store.imports.export(links.round.id))
    assert not any(fp in exported for fp in fps)
    key = coprod_home / "results.key"
    assert key.stat().st_mode & 0o077 == 0
    # One changed answer is held back; the page's count says so, never whose.
    give(store, links.member_code, 2, version=1)
    held = store.rounds.released(links.round.id)
    assert (held.sequence, held.held, held.need_more) == (1, 1, 2)
