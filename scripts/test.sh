#!/usr/bin/env bash
# Install what the tests need and run them all: Debian's chromium, poppler-utils and postgresql
# where we may, JupyterHub's configurable-http-proxy from npm into .venv/node. Then the
# toolchain's steps, the whole suite on SQLite, and the store and model suites again on a
# throwaway PostgreSQL cluster the tests start themselves.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/python -m pip install -q -e ".[test]"
if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || echo "Chromium could not be installed: browser tests will be skipped" >&2
fi
command -v pdftotext >/dev/null || apt_install poppler-utils || true
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql ||
  echo "PostgreSQL could not be installed: its tests will be skipped" >&2
command -v npm >/dev/null || apt_install nodejs npm || true
if [ ! -x .venv/node/node_modules/.bin/configurable-http-proxy ] && command -v npm >/dev/null; then
  npm install --silent --no-audit --no-fund --prefix .venv/node configurable-http-proxy >/dev/null 2>&1 ||
    echo "configurable-http-proxy could not be installed: the JupyterHub test will be skipped" >&2
fi
export PATH="$PWD/.venv/node/node_modules/.bin:$PATH"
# The toolchain's own steps first (not inside pytest): lint, format, types.
echo "ruff check, ruff format --check, mypy:" >&2
.venv/bin/ruff check coprod_widgets tests bench
.venv/bin/ruff format --check coprod_widgets tests bench
.venv/bin/python -m mypy
.venv/bin/python -m pytest "$@"
echo "the store and model suites on PostgreSQL:" >&2
COPROD_TEST_DB=postgresql exec .venv/bin/python -m pytest tests/store tests/model "$@"
