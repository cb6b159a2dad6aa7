"""Experiment statistics on simulated traffic (part `experiments` of `make bench`); prints one flat JSON object.

The same simulations, sizes and seeds as tests/rules/test_experiment_simulations.py, through rules.simulation_checks
(pure: no Django, no database, a few seconds):
- bandit_best_share: the share of 20,000 visitors Thompson sampling sent to the variant truly converting at 8% rather
  than 5%, averaged over 20 seeded runs.
- ab_lift_coverage: the share of BENCH_EXPERIMENTS (2,000) A/B tests, 10% against 12% over 20,000 visitors, whose 95%
  lift interval covers the true +20% (nominal 0.95).
- aa_false_positive_rate: the share of as many A/A tests, 10% in both arms over 10,000 visitors (past the minimum
  sample), that the product's result calls a winner or a loser (nominal 0.05).
- srm_false_flag_rate / srm_deficit_flag_rate: how often the sample-ratio check flags 20,000 visitors placed 50/50,
  as planned (nominal 0.001) and with a tenth of one arm's visitors lost.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = int(os.environ.get("BENCH_EXPERIMENTS", "2000"))


def figures(experiments: int = EXPERIMENTS) -> dict:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import numpy as np

    from rules.simulation_checks import aa_decisions, bandit_run, lift_coverage, srm_flag_rate
    from rules.statistics import min_sample_per_arm

    bandit = [
        bandit_run(true_rates=(0.05, 0.08), visitors=20_000, rng=np.random.default_rng(seed)).best_share
        for seed in range(20)
    ]
    coverage = lift_coverage(
        control_rate=0.10, variant_rate=0.12, visitors=20_000, experiments=experiments, rng=np.random.default_rng(4)
    )
    aa = aa_decisions(
        rate=0.10,
        visitors=10_000,
        experiments=experiments,
        rng=np.random.default_rng(5),
        min_sample=min_sample_per_arm(baseline_rate=0.10, min_relative_lift=0.2),
    )
    srm_false = srm_flag_rate(
        visitors=20_000, planned_shares=(0.5, 0.5), experiments=5_000, rng=np.random.default_rng(8)
    )
    srm_deficit = srm_flag_rate(
        visitors=20_000, planned_shares=(0.5, 0.5), experiments=1_000, rng=np.random.default_rng(10), kept=(1, 0.9)
    )
    return {
        "bandit_best_share": round(float(np.mean(bandit)), 4),
        "ab_lift_coverage": round(coverage.covered, 4),
        "aa_false_positive_rate": round(aa.called, 4),
        "experiments": experiments,
        "srm_false_flag_rate": round(srm_false, 4),
        "srm_deficit_flag_rate": round(srm_deficit, 4),
    }


def main() -> None:
    print(json.dumps(figures()))


if __name__ == "__main__":
    main()
