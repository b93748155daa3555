"""``python -m skcluster``: the command line (see ``skcluster._cli``)."""

import sys

from ._cli import main

sys.exit(main())
