"""The flow solver: controls (kernel expansions and random features), flows of the neural ODE and
of the T-layer ResNet, exact gradients (discrete adjoint) and gradient descent (docs/solver.rst)."""
