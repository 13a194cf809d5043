"""The seams between pages and the store, one Protocol per port.

A page is written against a port, never against ``Store`` itself, so the same page runs on the
store in its own kernel (JupyterLab, the command line) or on the store held by `coprod serve`
(a member's kernel reaches it over loopback HTTP: ``store.remote.RemoteMemberStore``).

``MEMBER_ACTIONS`` is the one list of what a member's page may ask the server to do; the server
answers nothing else. ``ERROR_KINDS`` is the one map between the store's errors and what travels
back to the page (the page shows the error's own message, which is written for a person).
"""

from __future__ import annotations

from typing import Protocol, TypedDict

from ..errors import Closed, CoprodError, InvalidInput, NotFound

# A value as JSON holds it: what a plan field or a journal form setting is saved as.
JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]


# What the author changed for one entry and form: ``{"mapping:q": [...], "text:q": "..."}``.
FormSettings = dict[str, JSONValue]


class MemberView(TypedDict):
    """What a member's page reads when it opens (JSON-ready): ``Round.to_dict()``,
    ``Framework.to_dict()`` and ``Answer.to_dict()`` (an empty answer before the first save)."""

    round: dict[str, JSONValue]
    framework: dict[str, JSONValue]
    answer: dict[str, JSONValue]


class MemberPort(Protocol):
    """What a member's self-assessment page may do: read its round and its own answer, and
    write that answer. Every method takes the round's member code and the member's token."""

    def member_view(self, code: str, me: str) -> MemberView: ...

    def save_rating(
        self, code: str, me: str, statement_id: str, value: int | None, dont_know: bool = False
    ) -> str: ...

    def save_comment(self, code: str, me: str, principle_id: str, text: str) -> str: ...

    def save_profile(self, code: str, me: str, name: str = "", role: str = "") -> str: ...

    def submit(self, code: str, me: str) -> str: ...


MEMBER_ACTIONS: tuple[str, ...] = (
    "member_view",
    "save_rating",
    "save_comment",
    "save_profile",
    "submit",
)

# error class <-> (HTTP status, kind): the server sends the kind, the member's kernel raises the
# same class again with the same message.
ERROR_KINDS: dict[type[CoprodError], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    Closed: (409, "closed"),
    InvalidInput: (400, "invalid"),
}
ERROR_CLASSES: dict[str, type[CoprodError]] = {kind: cls for cls, (_, kind) in ERROR_KINDS.items()}
