"""What a run does and when, decided from its seed alone: which door each submission goes
through and what it reports, which reports the dispatcher rejects, and the faults (their
kind, the second of the load at which each starts, how long the part stays down)."""

from __future__ import annotations

import random
from dataclasses import dataclass

DOORS = ("portal", "api", "open311")
FAULT_KINDS = ("worker", "web", "broker", "redis")
#: Categories whose handling task goes to one of the demo officials the harness acts as
#: (flooding: thoatnuoc, pothole: giaothong, garbage: moitruong, anything else: the
#: district of the report, ninh_kieu: ninhkieu).
CATEGORIES = ("flooding", "pothole", "garbage", "streetlight")
#: Seconds a part stays down, by fault kind: (shortest, longest).
DOWN_SECONDS = {"worker": (1.0, 3.0), "web": (0.5, 2.0), "broker": (3.0, 6.0), "redis": (3.0, 6.0)}
REJECT_RATIO = 0.2


@dataclass(frozen=True)
class Submission:
    index: int
    door: str
    category: str
    reject: bool
    at: float  # seconds after the load starts


@dataclass(frozen=True)
class Fault:
    index: int
    kind: str
    at: float  # seconds after the load starts
    down: float  # seconds between the kill and the restart


def submissions(seed: int, n: int, duration: float) -> list[Submission]:
    rng = random.Random(f"submissions:{seed}")
    shift = rng.randrange(len(DOORS))
    step = duration / n if n else 0.0
    return [
        Submission(
            index=i,
            door=DOORS[(i + shift) % len(DOORS)],
            category=rng.choice(CATEGORIES),
            reject=rng.random() < REJECT_RATIO,
            at=round(i * step, 3),
        )
        for i in range(n)
    ]


def faults(seed: int, kinds: list[str], per_kind: int, duration: float) -> list[Fault]:
    """``per_kind`` faults of each kind, in an order and at moments drawn from the seed:
    the window from 5 % to 90 % of the load is cut into one slot per fault, and each fault
    starts in the first quarter of its slot (the rest leaves time for the restart)."""
    rng = random.Random(f"faults:{seed}")
    order = [kind for kind in kinds for _ in range(per_kind)]
    rng.shuffle(order)
    if not order:
        return []
    start, end = 0.05 * duration, 0.9 * duration
    slot = (end - start) / len(order)
    planned = []
    for i, kind in enumerate(order):
        low, high = DOWN_SECONDS[kind]
        planned.append(
            Fault(
                index=i,
                kind=kind,
                at=round(start + i * slot + rng.uniform(0, slot / 4), 2),
                down=round(rng.uniform(low, high), 1),
            )
        )
    return planned
