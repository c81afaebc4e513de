"""The convergence certificate: data sets, the chain of constants, the verdict, the gradient-descent
cross-check and the reports (docs/certificate.rst)."""
