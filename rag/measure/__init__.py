"""Measuring the other stages: retrieval and answer evaluation, benchmarks, their reports."""
