"""The one autosave: debounced in a running event loop, honest about what is saved."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from coprod_widgets.apps.autosave import RECONNECTING, Autosave, text_hash
from coprod_widgets.errors import CoprodError, InvalidInput
from coprod_widgets.widgets import FieldNote, SaveStatus


class Sink:
    """A store stand-in that records writes (and can be slow or unreachable)."""

    def __init__(self, delay: float = 0.0):
        self.writes: list[str] = []
        self.delay = delay
        self.down = False
        self.threads: set[str] = set()

    def write(self, value: str):
        def go():
            self.threads.add(threading.current_thread().name)
            if self.delay:
                time.sleep(self.delay)
            if self.down:
                raise CoprodError("the server could not be reached")
            self.writes.append(value)

        return go


def run(coro):
    return asyncio.run(coro)


async def settle(save: Autosave, timeout: float = 10.0) -> None:
    """Wait (on the loop) until nothing is waiting or being written: generous for a busy CI."""
    deadline = time.monotonic() + timeout
    while save.pending and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def test_typing_is_coalesced_and_only_the_last_text_is_written_last():
    sink, status = Sink(), SaveStatus()
    save = Autosave(status, quiet=0.05, max_wait=0.25, debounce=True)

    async def typing():
        text = ""
        for i in range(200):  # 200 keystrokes over about a second
            text += "abcdefghij"[i % 10]
            save.change("evidence", sink.write(text), slug="ev", value=text)
            assert status.state == "saving" and "Saving" in status.value
            await asyncio.sleep(0.005)
        await settle(save)
        return text

    text = run(typing())
    assert 1 <= len(sink.writes) <= 8, len(sink.writes)  # not 200
    assert sink.writes[-1] == text
    assert status.state == "saved" and "All changes saved at" in status.value
    assert status.acks == {"ev": text_hash(text)}
    assert "data-acks" in status.value


def test_a_click_is_written_at_once_and_off_the_event_loop():
    sink, status = Sink(), SaveStatus()
    save = Autosave(status, quiet=5.0, debounce=True)

    async def click():
        save.change("rating", sink.write("4"), immediate=True)
        await asyncio.sleep(0.05)
        await settle(save)

    run(click())
    assert sink.writes == ["4"]
    assert sink.threads and all(t.startswith("autosave") for t in sink.threads)


def test_saved_is_said_only_after_the_store_confirmed():
    sink, status = Sink(delay=0.3), SaveStatus()
    save = Autosave(status, quiet=0.01, debounce=True)
    seen = []

    async def slow():
        save.change("k", sink.write("v"))
        for _ in range(20):
            seen.append((status.state, list(sink.writes)))
            await asyncio.sleep(0.025)
        await settle(save)

    run(slow())
    # while the write was under way the page never said "saved"
    assert all(state != "saved" for state, writes in seen if not writes)
    assert status.state == "saved" and sink.writes == ["v"]


def test_an_unreachable_store_says_reconnecting_and_retries_by_itself():
    sink, status = Sink(), SaveStatus()
    save = Autosave(status, quiet=0.01, retry=(0.05, 0.05), debounce=True)
    sink.down = True

    async def outage():
        save.change("k", sink.write("kept"))
        deadline = time.monotonic() + 10
        while status.state != "retrying" and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert status.state == "retrying" and status.message == RECONNECTING
        sink.down = False  # the connection is back: no new keystroke needed
        await settle(save)

    run(outage())
    assert sink.writes == ["kept"]
    assert status.state == "saved"


def test_a_refused_text_is_said_beside_its_box_and_does_not_stop_the_others():
    sink, status, note = Sink(), SaveStatus(), FieldNote()
    save = Autosave(status, debounce=True)
    save.text("a", "evidence", "bad \ud800 char", sink.write("bad"), note=note)
    assert status.state == "error" and "cannot be saved" in status.value
    assert "cannot be saved" in note.value and "role='alert'" in note.value
    save.text("b", "evidence", "fine", sink.write("fine"))
    assert sink.writes == ["fine"]
    assert status.state == "error"  # box a still holds what could not be saved
    save.text("a", "evidence", "mended", sink.write("mended"), note=note)
    assert status.state == "saved" and note.value == ""
    assert sink.writes == ["fine", "mended"]


def test_the_counter_shows_near_the_limit_only():
    note = FieldNote()
    save = Autosave(SaveStatus(), debounce=True)
    save.text("a", "journal_title", "short", lambda: None, note=note)
    assert note.counter == ""
    save.text("a", "journal_title", "x" * 190, lambda: None, note=note)
    assert "190 of 200" in note.counter


def test_flush_writes_what_waits_and_says_whether_it_is_all_in():
    sink, status = Sink(), SaveStatus()
    save = Autosave(status, quiet=60.0, debounce=True)

    async def leave():
        save.change("k", sink.write("typed"))
        assert sink.writes == []
        assert save.flush() is True
        assert sink.writes == ["typed"]
        sink.down = True
        save.change("k", sink.write("again"))
        assert save.flush() is False
        assert status.state == "retrying"

    run(leave())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "811c9dc5"), ("a", "e40c292c")],
)
def test_text_hash_is_fnv1a_over_utf16_units(text, expected):
    assert text_hash(text) == expected


def test_text_hash_takes_any_text():
    assert len(text_hash("\ud800 lone, 😀 pair, \u00e9")) == 8
    assert text_hash("ab") != text_hash("ba")


def test_permanent_errors_are_said_at_once_without_retrying():
    status = SaveStatus()
    save = Autosave(status, debounce=True)
    calls = []

    def refuse():
        calls.append(1)
        raise InvalidInput("too long")

    save.change("k", refuse)
    assert status.state == "error" and "too long" in status.value
    assert save.flush() is False
    assert calls == [1]


def test_outside_a_kernel_a_loop_that_merely_looks_running_gets_writes_at_once():
    """Playwright's sync API (the browser tests) leaves a loop 'running' in the main thread that
    never turns for us: outside a kernel, and unless asked, every change is written at once."""
    sink = Sink()
    save = Autosave(SaveStatus(), quiet=60.0)

    async def typing():
        save.change("k", sink.write("typed"))
        assert sink.writes == ["typed"]  # written before any await

    run(typing())
