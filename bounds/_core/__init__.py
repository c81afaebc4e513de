"""Shared numerics of :mod:`bounds` (private): input validation, directed rounding and the unit
roundoff, separation of point sets."""
