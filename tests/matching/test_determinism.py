"""The proposal does not depend on input order or on hash randomisation."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


SCRIPT = """
import random
from wagtail_selvhjelp.matching import Candidate, Rules, propose_groups

rng = random.Random(3)
people = [
    Candidate(
        id=f"person-{n}",
        places=frozenset(rng.sample(["Gol", "Ål", "Hol"], rng.randint(1, 2))),
        slots=frozenset(rng.sample(["day", "evening"], rng.randint(1, 2))),
        topics=frozenset(rng.sample(["grief", "anxiety", "relatives"], 2)),
        kind=rng.choice(["themed", "mixed", "any"]),
        gender=rng.choice(["woman", "man", None]),
        birth_year=rng.randint(1950, 2000),
        waited_days=rng.randint(0, 3),
        avoid=frozenset({f"person-{rng.randrange(150)}"}),
    )
    for n in range(150)
]
result = propose_groups(people, Rules(max_age_span=15))
print(repr(result))
"""


@pytest.mark.parametrize("seeds", [("0", "1"), ("2", "12345")])
def test_same_output_under_different_hash_seeds(seeds):
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in seeds:
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        completed = subprocess.run(  # noqa: S603 (runs this interpreter on a fixed script)
            [sys.executable, "-c", SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        )
        outputs.append(completed.stdout)
    assert outputs[0] == outputs[1]
    assert "ProposedGroup" in outputs[0]
