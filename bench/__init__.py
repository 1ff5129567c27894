"""Benchmarks at national scale (issue 6): generator, query mix, engines side by side. Never run by pytest."""
