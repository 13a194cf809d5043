"""A demo team with answers, so that a new user sees results at once."""

from __future__ import annotations

import random
from typing import Any

from .content import FrameworkLibrary

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


def ensure_demo(store: Any, framework_id: str = "nef-nesta-six", answers: int = 6) -> Any:
    """Create the demo round once (later calls return the same round's links)."""
    for s in store.list_rounds():
        if s.round.team == DEMO_TEAM:
            return store.links(s.round.id)
    fw = FrameworkLibrary().get(framework_id)
    links = store.create_round(DEMO_TEAM, fw, anonymous=True, min_answers=3, roles=DEMO_ROLES)
    rng = random.Random(20261128)  # the same demo every time
    for i in range(answers):
        me = f"demo-member-{i:02d}-token"
        store.save_profile(links.member_code, me, role=DEMO_ROLES[i % len(DEMO_ROLES)])
        for j, p in enumerate(fw.principles):
            # Some principles agreed on, some where views differ.
            centre = 2 + (j % 3)
            width = 0 if j % 2 == 0 else 2
            for s in p.statements:
                if rng.random() < 0.07:
                    store.save_rating(links.member_code, me, s.id, None, dont_know=True)
                    continue
                v = centre + rng.randint(-width, width) if width else centre + rng.choice([0, 0, 1])
                v = max(fw.scale.minimum, min(fw.scale.maximum, v))
                store.save_rating(links.member_code, me, s.id, v)
            texts = DEMO_COMMENTS.get(p.id, [])
            if texts and i < len(texts):
                store.save_comment(links.member_code, me, p.id, texts[i])
        store.submit(links.member_code, me)
    return links
