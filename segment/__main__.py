"""`python -m segment`: the same as the `segment` command."""

import sys

from segment.cli import main

sys.exit(main())
