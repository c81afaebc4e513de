"""Hypothesis strategies, profiles and the property suites that check every bound against the
solver (docs/verify.rst)."""
