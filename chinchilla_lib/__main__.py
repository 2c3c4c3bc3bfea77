"""``python -m chinchilla_lib``: see :mod:`chinchilla_lib.cli`."""

import sys

from .cli import main

sys.exit(main())
