"""``python -m verify.cli``: the ``resnet-pl`` command line."""

import sys

from verify.cli import main

sys.exit(main())
