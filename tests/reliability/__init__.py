"""Reliability and security tests (issue 7): bad input, faults and load, with nothing lost."""
