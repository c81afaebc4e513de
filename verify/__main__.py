"""``python -m verify``: the ``resnet-pl`` command line."""

import sys

from verify.cli import main

sys.exit(main())
