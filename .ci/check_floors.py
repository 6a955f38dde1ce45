"""Fail if the installed Wagtail or Django is below its patched floor.

No vulnerability database is reachable from the CI machines, so the floors
are kept here by hand: for each release series, the first release without a
published security advisory. Raise them when a security release comes out
(and raise the bounds in setup.cfg with them).
"""

import sys
from importlib.metadata import version


FLOORS = {
    "django": {(5, 2): (5, 2, 19), (6, 0): (6, 0, 10), (6, 1): (6, 1, 3)},
    "wagtail": {(7, 0): (7, 0, 9), (7, 4): (7, 4, 4), (8, 0): (8, 0, 1)},
}


def parse(text):
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    failures = []
    for package, floors in FLOORS.items():
        installed = parse(version(package))
        series = installed[:2]
        oldest_series = min(floors)
        if series < oldest_series:
            failures.append(f"{package} {version(package)} is older than supported")
        elif series in floors and installed < floors[series]:
            floor = ".".join(map(str, floors[series]))
            failures.append(f"{package} {version(package)} is below {floor}")
        else:
            print(f"ok: {package} {version(package)}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
