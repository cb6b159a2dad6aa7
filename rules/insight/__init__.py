"""Behavioural insight: navigation paths, funnels, cohorts and engagement (pure modules), the reports built from
stored events (build.py), findings detected in daily and hourly series (findings.py) and pages peaking now
(peaking.py)."""
