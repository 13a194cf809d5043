"""`python -m coprod_widgets.cli ...`, the same as `coprod ...`."""

import sys

from . import main

sys.exit(main())
