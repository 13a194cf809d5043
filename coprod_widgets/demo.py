"""A demo team with answers, so that a new user sees results at once."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .content import FrameworkLibrary

if TYPE_CHECKING:
    from .model.cohort import CohortLinks
    from .model.framework import Framework
    from .store import RoundLinks, Store

DEMO_TEAM = "Riverside community mental health team (demo)"
DEMO_ROLES = ("Staff", "Person with lived experience", "Carer", "Community member")

# Comments a demo team might write, by principle id of the NEF/NESTA framework.
DEMO_COMMENTS = {
    "assets": [
        "People who use the service led two of our away-day sessions this year.",
        "We still start most conversations from what people cannot do.",
    ],
    "capabilities": ["The peer workers' training was designed with them."],
    "mutuality": [
        "Payment for people's time took months to agree.",
        "I get as much from the group as I give.",
    ],
    "networks": ["The walking group runs itself now."],
    "blurring-roles": ["Staff and members plan the timetable together."],
    "catalysts": ["Managers say yes to ideas, but slowly."],
}


DEMO_ACTIONS = [
    (
        "mutuality",
        "Agree a payment policy with the peer workers and pay on the day",
        "Service manager",
    ),
    (
        "catalysts",
        "Give the members' ideas a standing slot at the monthly team meeting",
        "Team lead",
    ),
]


def ensure_demo(store: Store, framework_id: str = "nef-nesta-six", answers: int = 6) -> RoundLinks:
    """Create the demo team once: a closed first round with agreed actions, and a second round
    that reviews them, so a new user sees results, actions and a trend at once. Later calls
    return the latest round's links."""
    rounds = [s.round for s in store.rounds.all() if s.round.team == DEMO_TEAM]
    if rounds:
        return store.rounds.links(max(rounds, key=lambda r: r.id).id)
    fw = FrameworkLibrary().get(framework_id)
    first = store.rounds.create(DEMO_TEAM, fw, anonymous=True, min_answers=3, roles=DEMO_ROLES)
    _answer(store, fw, first, answers, lift=0, seed=20261128)
    actions = [
        store.actions.add(first.round.id, pid, what, lead=lead) for pid, what, lead in DEMO_ACTIONS
    ]
    store.rounds.close(first.round.id)
    second = store.rounds.open_next(first.round.id)
    _answer(store, fw, second, answers, lift=1, seed=20261129)
    store.actions.update(actions[0].id, "status", "done", in_round=second.round.id)
    store.actions.update(actions[0].id, "helped", "yes", in_round=second.round.id)
    store.actions.update(actions[1].id, "status", "doing", in_round=second.round.id)
    return store.rounds.links(second.round.id)


def _answer(
    store: Store, fw: Framework, links: RoundLinks, answers: int, lift: int, seed: int
) -> None:
    rng = random.Random(seed)  # the same demo every time
    acted_on = {pid for pid, _, _ in DEMO_ACTIONS}
    for i in range(answers):
        me = f"demo-member-{links.round.id}-{i:02d}-token"
        store.members.save_profile(links.member_code, me, role=DEMO_ROLES[i % len(DEMO_ROLES)])
        for j, p in enumerate(fw.principles):
            # Some principles agreed on, some where views differ; acted-on ones move up later.
            centre = 2 + (j % 3) + (lift if p.id in acted_on else 0)
            width = 0 if j % 2 == 0 else 2
            for s in p.statements:
                if rng.random() < 0.07:
                    store.members.save_rating(links.member_code, me, s.id, None, dont_know=True)
                    continue
                v = centre + rng.randint(-width, width) if width else centre + rng.choice([0, 0, 1])
                v = max(fw.scale.minimum, min(fw.scale.maximum, v))
                store.members.save_rating(links.member_code, me, s.id, v)
            texts = DEMO_COMMENTS.get(p.id, [])
            if texts and i < len(texts) and not lift:
                store.members.save_comment(links.member_code, me, p.id, texts[i])
        store.members.submit(links.member_code, me)


DEMO_COHORT = "Spring group, introduction to co-production (demo)"
# A few participants part-way through the shipped course's first two modules.
DEMO_PARTICIPANTS = {
    "Amira": {
        "own-definition": "Working it out together with the people who use the service, "
        "from the start, and sharing the decisions.",
        "which-is-co-production": "joint-group",
        "experience-of-involvement": 4,
        "cos-in-your-work": ["co-design", "co-delivery"],
        "weakest-co": "We never evaluate together: the report is written after everyone left.",
        "cos-confidence": 3,
    },
    "Ben": {
        "own-definition": "Asking people what they think before we decide.",
        "which-is-co-production": "focus-group",
        "experience-of-involvement": 2,
        "cos-in-your-work": ["co-delivery"],
    },
    "Chioma": {
        "own-definition": "Equal partners, with the budget and the power shared.",
        "which-is-co-production": "joint-group",
        "experience-of-involvement": 5,
        "cos-in-your-work": ["co-commissioning", "co-design", "co-evaluation"],
        "weakest-co": "Commissioning: the money is decided elsewhere.",
        "cos-confidence": 4,
    },
    "Dev": {
        "own-definition": "Services and the people who use them designing things together.",
        "which-is-co-production": "joint-group",
        "experience-of-involvement": 3,
    },
}
DEMO_FEEDBACK = (
    "Amira",
    "weakest-co",
    "A good catch. Could the group that meets on Thursdays help write the next one?",
)


def ensure_demo_cohort(store: Store, course_id: str = "intro-coproduction") -> CohortLinks:
    """Create the demo cohort once: four participants part-way through the shipped course's
    first modules and one piece of feedback, so a trainer sees the roster, progress and the
    answers released without names at once. Later calls return its links."""
    from .content.courses import CourseLibrary

    for c in store.cohorts.all():
        if c.title == DEMO_COHORT:
            return store.cohorts.links(c.id)
    links = store.cohorts.create(DEMO_COHORT, CourseLibrary().get(course_id), min_answers=3)
    for i, (name, answers) in enumerate(DEMO_PARTICIPANTS.items()):
        me = f"demo-participant-{links.cohort.id}-{i:02d}-token"
        store.cohorts.join(links.join_code, me, name)
        for exercise_id, answer in answers.items():
            store.cohorts.save_answer(links.join_code, me, exercise_id, answer)
        store.cohorts.add_time(links.join_code, me, 240)
    who, exercise_id, text = DEMO_FEEDBACK
    row = next(r for r in store.cohorts.roster(links.cohort.id) if r.name == who)
    store.cohorts.save_feedback(links.cohort.id, row.id, exercise_id, text)
    return links
