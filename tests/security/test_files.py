"""Issue 11, as the attacker with a shell on the same machine, or reading the logs: the data
folder, the database and the keys are the owner's only; no secret in a log line or an error."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from browser.conftest import Server, until, wait_app
from conftest import make_small_framework

from coprod_widgets.cli import main
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.server import security
from coprod_widgets.store import Store

DATA = Path(__file__).resolve().parent.parent / "data"
PLANTED = "PlantedS3cret"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # what most accounts have: new files 0644, folders 0755
    yield
    os.umask(old)


def test_a_fresh_data_folder_database_and_keys_are_the_owners_only(
    tmp_path, monkeypatch, loose_umask, capsys
):
    home = tmp_path / "fresh" / "coprod"
    monkeypatch.setenv("COPROD_HOME", str(home))
    monkeypatch.delenv("COPROD_DB", raising=False)
    store = Store()  # the default: a SQLite file in the data folder
    try:
        rnd = store.rounds.create("Riverside", make_small_framework(), roles=["Staff", "Carer"])
        assert main(["import", "responses", str(DATA / "responses_good.csv"), "--round",
                     str(rnd.round.id)]) == 0  # fmt: skip
        capsys.readouterr()
        assert mode(home) == 0o700
        db = home / "coprod.sqlite"
        assert mode(db) == 0o600
        for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            if extra.exists():
                assert mode(extra) == 0o600, extra
        keys = list(home.glob("*.key"))
        assert home / "import.key" in keys
        for key in keys:
            assert mode(key) == 0o600, key
    finally:
        store.close()

    from coprod_widgets.server.serve import owner_key_for

    monkeypatch.delenv("COPROD_OWNER_KEY", raising=False)
    key = owner_key_for(True)
    assert len(key) >= 16 and mode(home / "owner.key") == 0o600
    assert owner_key_for(True) == key, "the same key at the next start"
    assert owner_key_for(False) == "", "a loopback server needs none"


def test_loose_files_from_before_are_tightened_when_opened(tmp_path, monkeypatch, loose_umask):
    home = tmp_path / "old"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    monkeypatch.setenv("COPROD_HOME", str(home))
    db = home / "coprod.sqlite"
    Store(f"sqlite:///{db}").close()
    for f in [db, *home.glob("coprod.sqlite-*")]:
        os.chmod(f, 0o644)
    key = home / "import.key"
    key.write_text("ab" * 32 + "\n")
    os.chmod(key, 0o644)

    from coprod_widgets.paths import user_dir
    from coprod_widgets.store.imports import read_import_key

    assert user_dir() == home and mode(home) == 0o700
    s = Store(f"sqlite:///{db}")
    try:
        assert mode(db) == 0o600
        assert read_import_key() == bytes.fromhex("ab" * 32) and mode(key) == 0o600
    finally:
        s.close()


# -- secrets in errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["round", "list"],
        ["round", "create", "--team", "T", "--framework", "scie-four"],
        ["serve", "--port", "1"],
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://coprod:{PLANTED}@127.0.0.1:1/coprod",
        f"postgresql+psycopg2://coprod:{PLANTED}@db.internal/coprod?sslmode=require",
        f"postgresql://coprod:{PLANTED}@127.0.0.1:notaport/coprod",
        f"mysql://root:{PLANTED}@localhost/x",
    ],
)
def test_a_password_in_a_database_url_is_never_printed(tmp_path, url, argv):
    env = {**os.environ, "COPROD_HOME": str(tmp_path)}
    env.pop("COPROD_DB", None)
    r = subprocess.run(
        [sys.executable, "-m", "coprod_widgets.cli", "--db", url, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode != 0
    assert PLANTED not in r.stdout + r.stderr, r.stderr
    assert "***" in r.stderr, r.stderr  # it still names the database, without the password


def test_masking_and_redaction_rules():
    line = (
        "GET /voila/render/self_assessment.ipynb?code=ABCDEFGHIJ&me=m-token-0123456789abcdef "
        "then /journal/JournalKey0123456789 and /j/FacilitatorCode123 "
        f"db postgresql://u:{PLANTED}@h/db and ?owner=OwnerKey0123456789&key=JK0123456789abcd"
    )
    out = security.redact(line)
    for secret in ("ABCDEFGHIJ", "m-token-0123456789abcdef", "JournalKey0123456789",
                   "FacilitatorCode123", PLANTED, "OwnerKey0123456789", "JK0123456789abcd"):  # fmt: skip
        assert secret not in out, (secret, out)
    assert "postgresql://u:***@h/db" in out

    record = logging.LogRecord(
        "tornado.access", logging.INFO, __file__, 1, "%d %s", (200, line), None
    )
    security.RedactFilter().filter(record)
    assert "m-token-0123456789abcdef" not in record.getMessage()


# -- a full journey, then the logs and the files --------------------------------------------------


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("sec-journey"), pool=1, extra_args=("--other-pool", "1"))
    yield srv
    srv.stop()


def test_full_journey_leaves_no_secret_in_the_log_and_private_files(
    journey_server,
    chromium,
):
    srv = journey_server
    store = Store(srv.db)
    try:
        fw = FrameworkLibrary().get("scie-four")
        links = store.rounds.create("Ward 7", fw, min_answers=1)
    finally:
        store.close()
    context = chromium.new_context(viewport={"width": 1100, "height": 1200})
    secrets_seen: list[str] = [links.member_code, links.facilitator_code]
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{srv.url}/j/{links.member_code}")
        wait_app(page)
        me = re.search(r"[?&]me=([^&]+)", page.url).group(1)  # type: ignore[union-attr]
        secrets_seen.append(me)
        page.locator(".coprod-statement").nth(0).get_by_label("4 Often").check()
        page.locator(".coprod-evidence textarea").fill("We co-chair the ward meeting.")
        page.get_by_text("All changes saved").wait_for(timeout=30_000)

        journal = context.new_page()
        journal.set_default_timeout(30_000)
        journal.goto(f"{srv.url}/journal")
        wait_app(journal)
        key = re.search(r"[?&]key=([^&]+)", journal.url).group(1)  # type: ignore[union-attr]
        secrets_seen.append(key)

        results = context.new_page()
        results.set_default_timeout(30_000)
        results.goto(f"{srv.url}/j/{links.facilitator_code}")
        wait_app(results)
    finally:
        context.close()

    # The server puts it in its kernels' environment (its own /proc environ is from its start).
    api_token = next((k.environ().get("COPROD_API_TOKEN", "") for k in srv.kernels()), "")
    assert len(api_token) >= 16
    secrets_seen.append(api_token)
    # Refused pages are logged (warnings) with their URL: links with the secrets in them.
    import urllib.error
    import urllib.request

    for query in (
        f"self_assessment.ipynb?code={links.facilitator_code}&me={me}",
        f"team_results.ipynb?code={links.member_code}&key={key}",
        f"journal.ipynb?key={key}&me={me}&code={links.facilitator_code}&x=%ZZ",
    ):
        try:
            urllib.request.urlopen(f"{srv.url}/voila/render/{query}", timeout=30).close()
        except urllib.error.HTTPError:
            pass
    for path in (f"/journal/{key}/x", f"/j/{links.facilitator_code}/more"):
        try:
            urllib.request.urlopen(f"{srv.url}{path}", timeout=30).close()
        except urllib.error.HTTPError:
            pass
    log = until(
        lambda: (t := (srv.home / "serve.log").read_text()).count("404 GET") >= 3 and t,
        timeout=10,
    )
    assert log, (srv.home / "serve.log").read_text()[-2000:]
    assert "/voila/render/self_assessment.ipynb?code=" in log, "the access log is in serve.log"
    for secret in secrets_seen:
        assert secret not in log, f"a secret in serve.log: {secret[:4]}…"

    home = srv.home
    assert mode(home) == 0o700
    db = home / "coprod.sqlite"
    for f in [db, *home.glob("coprod.sqlite-*"), *home.glob("*.key")]:
        assert mode(f) == 0o600, f
