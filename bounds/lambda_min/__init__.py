"""Condition 2, quantitative universality: brackets of ``λ_N(δ)`` and the λ_min of given points
(docs/lambda.rst).

* :mod:`bounds.lambda_min.bracket` — ``λ_2``, the best rigorous lower bound, the bracket;
* :mod:`bounds.lambda_min.data` — the verified ``λ_min`` of the user's points and the
  data-dependent Gershgorin bound along the flow;
* :mod:`bounds.lambda_min.lower` — packing, Fourier, Gaussian-minorant and Ingham–Kahane lower
  bounds;
* :mod:`bounds.lambda_min.upper` — lattice sections and adversarial configurations.
"""
