"""Upper bounds of ``λ_N(δ)`` from explicit δ-separated configurations (docs/lambda_upper.rst):
lattice sections and adversarial local search."""
