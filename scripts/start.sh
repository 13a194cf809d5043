#!/usr/bin/env bash
# Install coprod into .venv and serve the workbooks on demo data. Prints the address to open.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/python -m pip install -q .
exec .venv/bin/coprod serve --demo "$@"
