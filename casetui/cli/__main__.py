"""``python -m casetui.cli``, the same as ``casetui``."""

import sys

from casetui.cli import main

sys.exit(main())
