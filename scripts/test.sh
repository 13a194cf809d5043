#!/usr/bin/env bash
# Install what the tests need (Debian's chromium and poppler-utils where we may) and run them all.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/python -m pip install -q -e ".[test]"
if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || echo "Chromium could not be installed: browser tests will be skipped" >&2
fi
command -v pdftotext >/dev/null || apt_install poppler-utils || true
# The toolchain's own steps first (not inside pytest): lint, format, types.
echo "ruff check, ruff format --check, mypy:" >&2
.venv/bin/ruff check coprod_widgets tests bench
.venv/bin/ruff format --check coprod_widgets tests bench
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
