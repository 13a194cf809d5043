"""What a team agrees to do about its results, and, a round later, whether it helped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from .framework import Framework

STATUSES = {"open": "Open", "doing": "Under way", "done": "Done", "dropped": "Dropped"}
HELPED = {
    "": "Not reviewed yet",
    "yes": "Yes, it helped",
    "partly": "Partly",
    "no": "No",
    "too-early": "Too early to tell",
}
EDITABLE = ("principle_id", "what", "lead", "due", "status", "helped", "review_note")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Action:
    id: int
    round_id: int  # the round whose results it was agreed on
    series_id: int
    principle_id: str
    what: str
    lead: str = ""
    due: str = ""  # YYYY-MM-DD or empty
    status: str = "open"
    helped: str = ""
    review_note: str = ""
    reviewed_in: int | None = None  # the round in which the team looked back at it
    created_at: str = ""
    updated_at: str = ""

    @property
    def closed(self) -> bool:
        return self.status in ("done", "dropped")

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_action_field(framework: Framework, field: str, value: Any) -> Any:
    """The value to store for one field of an action, or InvalidInput saying what is expected."""
    if field not in EDITABLE:
        raise InvalidInput(f"{field}: not a field of an action")
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: expected text")
    value = value.strip() if field not in ("what", "review_note") else value
    if field == "principle_id":
        try:
            framework.principle(value)
        except KeyError:
            raise InvalidInput(
                f"principle: {value!r} is not a principle of {framework.title}"
            ) from None
    elif field == "what":
        if not value.strip():
            raise InvalidInput("what: say what the team will do")
        if len(value) > 5000:
            raise InvalidInput("what: at most 5,000 characters")
    elif field == "lead" and len(value) > 200:
        raise InvalidInput("who leads: at most 200 characters")
    elif field == "due" and value and not _DATE.fullmatch(value):
        raise InvalidInput(f"by when: expected a date as YYYY-MM-DD, not {value!r}")
    elif field == "status" and value not in STATUSES:
        raise InvalidInput(f"status: expected one of {', '.join(STATUSES)}, not {value!r}")
    elif field == "helped" and value not in HELPED:
        raise InvalidInput(f"did it help: expected one of {', '.join(k for k in HELPED if k)}")
    elif field == "review_note" and len(value) > 5000:
        raise InvalidInput("review note: at most 5,000 characters")
    return value
