"""Reliability and security tests: bad input, faults and load, with nothing lost."""
