"""``/coprod/api/<action>``: the Store's member methods for member pages' kernels (loopback,
with a per-server secret), so those kernels never load SQLAlchemy."""

from __future__ import annotations

import hmac
import inspect
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from tornado.ioloop import IOLoop

from ..errors import CoprodError
from ..store.ports import ERROR_KINDS, MEMBER_ACTIONS
from .handlers import Plain

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger("coprod.server")


class ApiHandler(Plain):
    """The members' Store calls. The call itself runs on the app's worker threads, so a slow
    write never holds up the event loop that every page's websocket runs on. The Store is safe
    there: each call takes its own connection from the SQLAlchemy engine's pool (SQLite in WAL
    mode with a busy timeout, so writers wait for each other instead of failing)."""

    def initialize(  # type: ignore[override]
        self, store: Store, base: str, token: str, executor: ThreadPoolExecutor
    ) -> None:
        self.store, self.base, self.token, self.executor = store, base, token, executor

    async def post(self, action: str) -> None:
        given = self.request.headers.get("X-Coprod-Token", "")
        if not self.token or not hmac.compare_digest(given, self.token):
            self._error(403, "forbidden", "not allowed")
            return
        if action not in MEMBER_ACTIONS:
            self._error(404, "not_found", f"no action {action!r}")
            return
        try:
            args = json.loads(self.request.body or b"{}")
            if not isinstance(args, dict):
                raise ValueError
        except ValueError:
            self._error(400, "invalid", "the request was not a JSON object")
            return
        method = getattr(self.store.members, action)
        try:
            inspect.signature(method).bind(**args)
        except TypeError:
            self._error(400, "invalid", f"wrong arguments for {action}")
            return
        try:
            result = await IOLoop.current().run_in_executor(self.executor, lambda: method(**args))
        except CoprodError as e:
            # The kind names the class RemoteMemberStore raises again on the kernel's side.
            status, kind = next(
                (v for cls, v in ERROR_KINDS.items() if isinstance(e, cls)), (400, "error")
            )
            self._error(status, kind, str(e))
            return
        except Exception:  # noqa: BLE001 - never a traceback to the page
            log.exception("member API %s failed", action)
            self._error(500, "error", "the server could not save this; please try again")
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"result": result}))

    def _error(self, status: int, kind: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": message, "kind": kind}))
