"""Benchmarks at national scale: generator, query mix, engines side by side. Never run by pytest."""
