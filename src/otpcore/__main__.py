"""Run the ``otpcore`` command: ``python -m otpcore``."""

import sys

from otpcore.cli import main

sys.exit(main())
