"""Hypothesis strategies, profiles, the property suites that check every bound against the
solver (docs/verify.rst), and the ball-arithmetic oracle that checks every rigorous or exact
float against an Arb enclosure (:mod:`verify.testing.oracle`, docs/rigor.rst)."""
