"""``python -m serving.cli …``: the same as ``kefu …``."""

import sys

from serving.cli import app

sys.exit(app())
