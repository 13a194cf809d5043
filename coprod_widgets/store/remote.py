"""The member's side of the Store, over HTTP to the `coprod serve` process.

Every member's page is a kernel. Importing SQLAlchemy costs a kernel about 11 MiB (53 -> 65 MiB,
measured), so member pages do not hold a database connection: they call the few Store methods a
member needs on the server, which holds the one Store. Stdlib only.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import cast

from ..errors import CoprodError
from .ports import ERROR_CLASSES, MEMBER_ACTIONS, MemberView

__all__ = ["MEMBER_ACTIONS", "RemoteMemberStore"]


class RemoteMemberStore:
    """The member port (``ports.MemberPort``), carried over loopback HTTP to the server's Store:
    same methods, same errors."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_env(cls) -> RemoteMemberStore | None:
        url, token = os.environ.get("COPROD_API"), os.environ.get("COPROD_API_TOKEN")
        return cls(url, token) if url and token else None

    def _call(self, action: str, payload: dict[str, object]) -> object:
        req = urllib.request.Request(  # noqa: S310 - loopback URL set by `coprod serve`
            f"{self.base_url}/{action}",
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "X-Coprod-Token": self.token},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read().decode("utf-8"))["result"]
        except urllib.error.HTTPError as e:
            try:
                body = json.loads(e.read().decode("utf-8"))
            except ValueError:
                body = {}
            kind = body.get("kind", "")
            message = body.get("error") or f"the server answered {e.code}"
            raise ERROR_CLASSES.get(kind, CoprodError)(message) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            raise CoprodError(
                "the server could not be reached to save your answers; they are kept on this "
                "page and will be saved when it is back"
            ) from e

    def _saved(self, action: str, payload: dict[str, object]) -> str:
        """A write's answer: when it was saved."""
        result = self._call(action, payload)
        if not isinstance(result, str):
            raise CoprodError(f"the server's answer to {action} was not understood")
        return result

    def member_view(self, code: str, me: str) -> MemberView:
        result = self._call("member_view", {"code": code, "me": me})
        if not (isinstance(result, dict) and {"round", "framework", "answer"} <= result.keys()):
            raise CoprodError("the server's answer to member_view was not understood")
        return cast(MemberView, result)

    def save_rating(
        self, code: str, me: str, statement_id: str, value: int | None, dont_know: bool = False
    ) -> str:
        return self._saved(
            "save_rating",
            {
                "code": code,
                "me": me,
                "statement_id": statement_id,
                "value": value,
                "dont_know": dont_know,
            },
        )

    def save_comment(self, code: str, me: str, principle_id: str, text: str) -> str:
        return self._saved(
            "save_comment", {"code": code, "me": me, "principle_id": principle_id, "text": text}
        )

    def save_profile(self, code: str, me: str, name: str = "", role: str = "") -> str:
        return self._saved("save_profile", {"code": code, "me": me, "name": name, "role": role})

    def submit(self, code: str, me: str) -> str:
        return self._saved("submit", {"code": code, "me": me})
