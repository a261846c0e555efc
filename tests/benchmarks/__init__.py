"""Benchmarks: run as modules (``python -m tests.benchmarks.engine``), never timed in tests."""
