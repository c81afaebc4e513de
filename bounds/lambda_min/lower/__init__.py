"""Rigorous lower bounds of ``λ_N(δ)`` (docs/lambda_lower.rst): packing–Gershgorin, Fourier
(Narcowich–Ward route), the Gaussian minorant (Matérn) and Ingham–Kahane (Gaussian)."""
