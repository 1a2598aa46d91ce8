"""`python -m act_emulator` runs the emulator CLI."""

import sys

from .cli import main

sys.exit(main())
