#!/usr/bin/env python
"""Run the example site's management commands: ``python example_site/manage.py``."""

import os
import sys
from pathlib import Path


def main():
    # The project package ``example_site`` and the ``wagtail_selvhjelp``
    # package both live in the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings.dev")

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
