"""Benchmark of the group-matching engine against the exact optimum.

Generates seeded random instances shaped like a municipality (6 places, 3-5
time slots, 8 topics, a realistic mix of group kinds, a few avoid pairs, some
single-gender wishes, an optional age span and sometimes an open group with
free seats), runs the engine on each and computes the exact optimum number of
candidates placed with OR-Tools CP-SAT. Prints a table, the aggregate ratio
engine/optimum, how often the engine places the optimum, how often its own
bound proves its proposal optimal (with and without an age span), a scale run
over 40 places and the time for one candidate who ticks 10,000 places x 100
slots. Stops with an error if the engine's ``upper_bound`` is ever below a
solution CP-SAT found and verified: the bound must be a proof.

Needs the ``benchmark`` extra (``pip install -e ".[benchmark]"``, i.e.
``ortools``); the engine itself does not.

    python benchmarks/matching.py            # full run, about 6 minutes
    python benchmarks/matching.py --quick    # about 10 seconds
    python benchmarks/matching.py --seed 7 --time-limit 30
    python benchmarks/matching.py --time-limit 30 --prover 30   # README's run
    python benchmarks/matching.py --prover 0  # the engine alone, no prover
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wagtail_selvhjelp.matching import (
    Candidate,
    OpenGroup,
    Rules,
    check_proposal,
    propose_groups,
)


PLACE_NAMES = [
    "Gol", "Nesbyen", "Hol", "Ål", "Flå", "Hemsedal", "Geilo", "Torpo",
    "Noresund", "Vikersund", "Hokksund", "Åmot", "Prestfoss", "Veggli",
    "Rødberg", "Kongsberg", "Drammen", "Hønefoss", "Jevnaker", "Sokna",
]  # fmt: skip
SLOT_NAMES = [
    "weekday daytime", "weekday evening", "weekend", "Monday evening",
    "Thursday daytime",
]  # fmt: skip
TOPICS = [
    "anxiety", "depression", "grief", "relatives", "addiction", "chronic pain",
    "loneliness", "eating disorders",
]  # fmt: skip


@dataclass
class Instance:
    label: str
    candidates: list[Candidate]
    rules: Rules
    open_groups: list[OpenGroup]


def _place_names(count: int) -> list[str]:
    names = list(PLACE_NAMES)
    number = 2
    while len(names) < count:
        names.extend(f"{name} {number}" for name in PLACE_NAMES)
        number += 1
    return names[:count]


def make_instance(
    seed: int,
    size: int,
    *,
    places: int = 6,
    area_size: int = 6,
    age_span: int | None | str = "random",
    open_groups: int | str = "random",
) -> Instance:
    """A random municipality: places come in areas of ``area_size`` and each
    candidate picks one to three places within one area (bigger towns are
    more popular), one to three slots, up to three topics."""
    rng = random.Random(f"{seed}-{size}-{places}")
    place_names = _place_names(places)
    areas = [
        place_names[start : start + area_size] for start in range(0, places, area_size)
    ]
    slots = SLOT_NAMES[: rng.randint(3, 5)]
    if age_span == "random":
        age_span = rng.choice([None, None, 15, 20])
    rules = Rules(min_size=4, max_size=8, max_age_span=age_span)
    candidates = []
    for number in range(size):
        area = rng.choice(areas)
        weights = [len(area) - position for position in range(len(area))]
        place_count = rng.choices([1, 2, 3], [60, 30, 10])[0]
        chosen_places = set()
        while len(chosen_places) < min(place_count, len(area)):
            chosen_places.add(rng.choices(area, weights)[0])
        slot_count = rng.choices([1, 2, 3], [50, 35, 15])[0]
        kind = rng.choices(["themed", "mixed", "any"], [35, 20, 45])[0]
        topic_count = rng.choices([0, 1, 2, 3], [5, 45, 35, 15])[0]
        if kind == "themed":
            topic_count = max(1, topic_count)
        topic_weights = [8, 7, 5, 5, 4, 3, 3, 2]
        topics = set()
        while len(topics) < topic_count:
            topics.add(rng.choices(TOPICS, topic_weights)[0])
        gender = rng.choices(["woman", "man", None], [58, 37, 5])[0]
        single = gender is not None and rng.random() < 0.08
        birth_year = None if rng.random() < 0.05 else rng.randint(1945, 2007)
        candidates.append(
            Candidate(
                id=number,
                places=frozenset(chosen_places),
                slots=frozenset(rng.sample(slots, slot_count)),
                topics=frozenset(topics),
                kind=kind,
                gender=gender,
                single_gender=single,
                birth_year=birth_year,
                waited_days=rng.randint(0, 400),
            )
        )
    pairs = max(1, size // 30)
    avoid: dict[int, set] = {}
    for _ in range(pairs):
        first, second = rng.sample(range(size), 2)
        avoid.setdefault(first, set()).add(second)
    if rng.random() < 0.3:
        avoid.setdefault(0, set()).add("withdrawn-registration")
    candidates = [
        Candidate(**{**c.__dict__, "avoid": frozenset(avoid.get(c.id, ()))})
        for c in candidates
    ]
    groups = []
    if open_groups == "random":
        open_groups = rng.choices([0, 1, 2], [50, 30, 20])[0]
    for number in range(open_groups):
        members = rng.randint(3, 6)
        topic = rng.choice([None, *TOPICS[:4]])
        years = tuple(rng.randint(1950, 2000) for _ in range(members))
        if age_span is not None:
            base = rng.randint(1950, 1990)
            years = tuple(base + rng.randint(0, age_span // 2) for _ in range(members))
        groups.append(
            OpenGroup(
                id=f"open-{number}",
                place=rng.choice(place_names[:area_size]),
                slot=rng.choice(slots),
                topic=topic,
                member_ids=frozenset(f"member-{number}-{i}" for i in range(members)),
                birth_years=years,
            )
        )
    if groups and size:
        first = rng.randrange(size)
        candidates[first] = Candidate(
            **{
                **candidates[first].__dict__,
                "avoid": candidates[first].avoid | {"member-0-0"},
            }
        )
    label = f"N={size} seed={seed} span={age_span} open={len(groups)} avoid={pairs}"
    return Instance(label, candidates, rules, groups)


# -- the exact yardstick --------------------------------------------------


def exact_optimum(
    instance: Instance, time_limit: float, hint=None, workers: int = 8
) -> dict:
    """The most candidates any valid proposal can place, by CP-SAT: the
    package's own optional prover (``matching/_exact.py``, its docstring
    describes the model), here with ``workers`` threads and ``time_limit``
    seconds. The solution is split into concrete groups; if every split
    succeeds the optimum is exact
    ("verified"), otherwise the figure is only an upper bound.

    ``hint`` (a proposal, e.g. the engine's) only gives the solver a first
    solution: the optimum is still proven by CP-SAT's own bound.
    """
    from wagtail_selvhjelp.matching import _exact
    from wagtail_selvhjelp.matching._problem import prepare

    problem = prepare(instance.candidates, instance.rules, instance.open_groups)
    found = _exact.solve(problem, time_limit, hint=hint, workers=workers)
    return {
        "status": found.status,
        "value": found.value,
        "bound": found.bound,
        "verified": found.groups is not None,
        "seconds": found.seconds,
    }


# -- running ---------------------------------------------------------------


def run_engine(instance: Instance, exact_seconds: float | None = None) -> tuple:
    started = time.perf_counter()
    result = propose_groups(
        instance.candidates,
        instance.rules,
        instance.open_groups,
        exact_seconds=exact_seconds,
    )
    elapsed = time.perf_counter() - started
    problems = check_proposal(
        instance.candidates, instance.rules, instance.open_groups, result
    )
    if problems:
        raise SystemExit(f"invalid proposal for {instance.label}: {problems[:3]}")
    return result, elapsed


def quality(args) -> None:
    sizes = args.sizes or (
        [20, 50, 100, 300] if args.quick else [20, 40, 60, 80, 100, 150, 200, 300]
    )
    per_size = args.per_size or (2 if args.quick else 6)
    header = (
        f"{'instance':<44} {'engine':>6} {'bound':>6} {'optimum':>8} "
        f"{'status':>9} {'engine s':>9} {'cp-sat s':>9} {'+prover':>8} "
        f"{'bound':>6} {'s':>6}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for size in sizes:
        for number in range(per_size):
            instance = make_instance(args.seed * 1000 + number, size)
            result, engine_seconds = run_engine(instance)
            proved, prover_seconds = result, 0.0
            if args.prover and result.gap:
                proved, prover_seconds = run_engine(instance, args.prover)
            exact = exact_optimum(instance, args.time_limit, hint=result)
            optimum = exact["value"]
            status = exact["status"]
            if status == "optimal" and not exact["verified"]:
                status = "bound"
            for mode in (result, proved):
                if (
                    optimum is not None
                    and exact["verified"]
                    and mode.upper_bound < optimum
                ):
                    raise SystemExit(
                        f"{instance.label}: the engine's upper_bound "
                        f"{mode.upper_bound} is below {optimum}, which CP-SAT "
                        f"placed in a verified solution: the bound is not a "
                        f"proven bound"
                    )
            rows.append(
                Row(
                    size=size,
                    span=instance.rules.max_age_span is not None,
                    placed=result.placed_count,
                    bound=result.upper_bound,
                    optimum=optimum,
                    status=status,
                    seconds=engine_seconds,
                    proved_placed=proved.placed_count,
                    proved_bound=proved.upper_bound,
                    prover_seconds=prover_seconds,
                )
            )
            print(
                f"{instance.label:<44} {result.placed_count:>6} "
                f"{result.upper_bound:>6} {optimum if optimum is not None else '-':>8} "
                f"{status:>9} {engine_seconds:>9.3f} {exact['seconds']:>9.2f} "
                f"{proved.placed_count:>8} {proved.upper_bound:>6} "
                f"{prover_seconds:>6.1f}",
                flush=True,
            )
    summarise(rows, max(sizes), args.prover)


@dataclass
class Row:
    size: int
    span: bool
    placed: int
    bound: int
    optimum: int | None
    status: str
    seconds: float
    proved_placed: int
    proved_bound: int
    prover_seconds: float

    @property
    def known(self) -> int | None:
        """The optimum, when CP-SAT or the engine's own bound proves it."""
        if self.status == "optimal":
            return self.optimum
        if self.bound == self.placed:
            return self.placed
        if self.proved_bound == self.proved_placed:
            return self.proved_placed
        return None


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / max(1, whole):.0f} %)"


def summarise(rows: list[Row], largest: int, prover: float = 0) -> None:
    """Print the figures the README's table reports."""
    scored = [row for row in rows if row.status == "optimal"]
    engine_total = sum(row.placed for row in scored)
    optimum_total = sum(row.optimum for row in scored)
    known = [row for row in rows if row.known is not None]
    print()
    print(
        f"instances: {len(rows)}, optimum proven and verified by CP-SAT for "
        f"{len(scored)}, known (by CP-SAT or by the engine's own bound) for "
        f"{len(known)}"
    )
    if optimum_total:
        print(
            f"aggregate ratio engine/optimum (CP-SAT proven): "
            f"{engine_total}/{optimum_total} = {engine_total / optimum_total:.4f}"
        )
    modes = [("engine alone", "placed", "bound")]
    if any(row.proved_bound != row.bound for row in rows) or prover:
        modes.append(("engine + exact prover", "proved_placed", "proved_bound"))
    for mode, placed_field, bound_field in modes:
        print(f"{mode}:")
        equal = [row for row in known if getattr(row, placed_field) == row.known]
        worst = max(
            (row.known - getattr(row, placed_field) for row in known), default=0
        )
        small = [row for row in known if row.size <= 100]
        equal_small = sum(1 for row in small if getattr(row, placed_field) == row.known)
        print(
            f"  places the optimum: {_rate(len(equal), len(known))} of those "
            f"with a known optimum; at most {worst} below it"
        )
        print(f"  equal to the optimum for N <= 100: {_rate(equal_small, len(small))}")
        for label, with_span in (
            ("without an age span", False),
            ("with an age span", True),
        ):
            part = [row for row in rows if row.span == with_span]
            proven = sum(
                1
                for row in part
                if getattr(row, bound_field) == getattr(row, placed_field)
            )
            loose = [
                getattr(row, bound_field) - row.known
                for row in part
                if row.known is not None
            ]
            print(
                f"  proves its proposal optimal (gap 0) {label}: "
                f"{_rate(proven, len(part))}; bound above the known optimum by "
                f"at most {max(loose, default=0)}"
            )
    used = [row.prover_seconds for row in rows if row.prover_seconds]
    if used:
        print(
            f"engine + exact prover: run on {len(used)} instances with a gap, "
            f"max {max(used):.1f} s, mean {sum(used) / len(used):.1f} s (engine "
            f"and prover, with --prover {prover:g})"
        )
    print("bound never below a CP-SAT verified solution: checked on every instance")
    big = [row.seconds for row in rows if row.size == largest]
    if big:
        print(
            f"engine time at N={largest}: max {max(big):.3f} s, "
            f"mean {sum(big) / len(big):.3f} s"
        )


def _memory_mib(field: str) -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def scale_child(size: int, places: int, seed: int, span: int | None) -> None:
    """Run one scale instance and print its figures as JSON (in a subprocess,
    so the peak memory is this run's alone)."""
    instance = make_instance(seed, size, places=places, open_groups=3, age_span=span)
    try:
        # Reset the peak resident set size (Linux), which a child process
        # otherwise inherits from the parent that started it.
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    before = _memory_mib("VmRSS")
    result, elapsed = run_engine(instance)
    peak = _memory_mib("VmHWM")
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "label": instance.label,
                "seconds": elapsed,
                "placed": result.placed_count,
                "bound": result.upper_bound,
                "peak_mib": peak,
                "instance_mib": before,
            }
        )
    )


def scale(args) -> None:
    sizes = [5000] if args.quick else [5000, 20000]
    print()
    print(f"scale run: {args.places} places in areas of 6")
    for size, span in [(size, span) for size in sizes for span in (None, 15)]:
        output = subprocess.run(  # noqa: S603 (runs this script itself)
            [
                sys.executable,
                __file__,
                "--scale-child",
                str(size),
                "--places",
                str(args.places),
                "--seed",
                str(args.seed),
                "--scale-span",
                str(span),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(output)
        print(
            f"  {figures['label']}: {figures['seconds']:.2f} s, placed "
            f"{figures['placed']} of at most {figures['bound']}, peak memory "
            f"{figures['peak_mib']:.0f} MiB (interpreter and input alone: "
            f"{figures['instance_mib'] or 0:.0f} MiB)"
        )


def wide(args) -> None:
    """One candidate who ticks 10,000 places and 100 time slots no one else
    has: the engine drops choices no one shares before the search, so this
    costs what the instance without them costs (it took 20 s before)."""
    instance = make_instance(args.seed, 300, age_span=None, open_groups=1)
    plain, plain_seconds = run_engine(instance)
    first = instance.candidates[0]
    widened = Candidate(
        **{
            **first.__dict__,
            "places": first.places | {f"village {n:05}" for n in range(10_000)},
            "slots": first.slots | {f"slot {n:03}" for n in range(100)},
        }
    )
    result, seconds = run_engine(
        Instance(
            instance.label,
            [widened, *instance.candidates[1:]],
            instance.rules,
            instance.open_groups,
        )
    )
    print()
    print(
        f"wide candidate: one of {instance.label} ticks 10,000 more places x 100 "
        f"more slots: {seconds:.3f} s (without them {plain_seconds:.3f} s), "
        f"{result.options_considered} options considered (without them "
        f"{plain.options_considered}), same proposal: {result == plain}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description="Measure the matching engine against the CP-SAT optimum."
    )
    parser.add_argument("--quick", action="store_true", help="fewer, smaller instances")
    parser.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    parser.add_argument(
        "--time-limit", type=float, default=20.0,
        help="CP-SAT seconds per instance (default 20)",
    )  # fmt: skip
    parser.add_argument(
        "--prover", type=float, default=10.0,
        help="seconds for the engine's optional CP-SAT prover where its own "
        "bound leaves a gap (0: engine alone only; default 10)",
    )  # fmt: skip
    parser.add_argument("--sizes", type=int, nargs="*", help="instance sizes N")
    parser.add_argument("--per-size", type=int, help="instances per size")
    parser.add_argument(
        "--places", type=int, default=40, help="places in the scale run"
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the scale run")
    parser.add_argument("--only-scale", action="store_true", help="only the scale run")
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scale-span", default="None", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_child:
        span = None if args.scale_span == "None" else int(args.scale_span)
        scale_child(args.scale_child, args.places, args.seed, span)
        return
    if not args.only_scale:
        quality(args)
    if not args.no_scale:
        scale(args)
        wide(args)


if __name__ == "__main__":
    main()
