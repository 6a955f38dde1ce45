"""Without OR-Tools, or with the prover off, the engine works as before and
never imports OR-Tools (issue 21)."""

import subprocess
import sys

import pytest

import wagtail_selvhjelp.matching
from wagtail_selvhjelp.matching import engine, propose_groups

from .helpers import random_instance


def test_without_ortools_the_prover_is_skipped(monkeypatch):
    monkeypatch.setattr(engine, "BOUND_ROUNDS", 0)
    monkeypatch.setattr(engine, "EXACT_NODE_LIMIT", 0)
    monkeypatch.delitem(sys.modules, "wagtail_selvhjelp.matching._exact", False)
    monkeypatch.delattr(wagtail_selvhjelp.matching, "_exact", False)
    for name in ("ortools", "ortools.sat", "ortools.sat.python"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "ortools.sat.python.cp_model", None)
    for seed in range(30):
        people, rules, groups = random_instance(seed, size=14)
        alone = propose_groups(people, rules, groups)
        assert propose_groups(people, rules, groups, exact_seconds=5) == alone


def test_the_prover_off_imports_no_ortools():
    code = (
        "import sys\n"
        "from wagtail_selvhjelp.matching import propose_groups\n"
        "from tests.matching.helpers import random_instance\n"
        "for seed in range(20):\n"
        "    propose_groups(*random_instance(seed, size=14), exact_seconds=0)\n"
        "    propose_groups(*random_instance(seed, size=14))\n"
        "print(sorted(name for name in sys.modules if 'ortools' in name "
        "or name.endswith('._exact')))\n"
    )
    output = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


@pytest.mark.parametrize("value", [-1, "10", True, float("nan"), [5]])
def test_a_bad_time_limit_is_refused(value):
    people, rules, groups = random_instance(1, size=8)
    with pytest.raises(ValueError, match="exact_seconds"):
        propose_groups(people, rules, groups, exact_seconds=value)
