"""Calibrated Laplace noise for aggregate exports (differential privacy), pure.

A count to which one person can add at most `sensitivity` is released as count + Laplace(sensitivity/ε):
whatever one person did, the probability of any released value changes by a factor of at most e^ε.
"""

import math
import random


def laplace(scale: float, rng: random.Random) -> float:
    """One draw from Laplace(0, scale), by inverting its distribution function."""
    u = rng.random() - 0.5
    return -scale * math.copysign(1.0, u) * math.log(1 - 2 * abs(u))


def noisy_count(count: int, *, epsilon: float, sensitivity: float, rng: random.Random) -> int:
    """`count` with Laplace noise for budget `epsilon`, rounded, and never below zero (post-processing
    does not weaken the guarantee)."""
    if epsilon <= 0:
        raise ValueError("epsilon must be greater than 0; smaller is more private and noisier.")
    return max(0, round(count + laplace(sensitivity / epsilon, rng)))
