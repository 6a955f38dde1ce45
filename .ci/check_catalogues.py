"""Fail if a translatable string in the package is missing from nb or nn.

Runs ``makemessages`` into a scratch copy of the package and compares the
message ids with the committed catalogues, which must be complete (the test
suite checks that every entry is translated and compiled).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib


ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wagtail_selvhjelp"


def main():
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "wagtail_selvhjelp"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "--no-location",
                "-l",
                "nb",
                "-l",
                "nn",
            ],
            cwd=copy,
            check=True,
            capture_output=True,
            env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
        for language in ("nb", "nn"):
            relative = Path("locale", language, "LC_MESSAGES", "django.po")
            fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / relative))}
            committed = {
                (e.msgctxt, e.msgid)
                for e in polib.pofile(str(PACKAGE / relative))
                if not e.obsolete
            }
            missing = sorted(fresh - committed, key=str)
            for _msgctxt, msgid in missing:
                print(f"{language}: missing {msgid!r}")
            failed |= bool(missing)
            print(f"{language}: {len(committed)} messages, {len(missing)} missing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
