"""chinchilla_lib: the library behind the chinchilla-book reproduction.

Modules, one job each: ``datasets`` (paper tables and external data),
``architecture`` and ``flops`` (compute accounting, App. F), ``laws`` (the
parametric law and its frontier, Eq. 2 and 4), ``isoflop`` (Approach 2),
``envelope`` (Approach 1), ``powerlaw`` (their shared N_opt, D_opt power laws),
``simulate`` (synthetic runs and curves from a known law), ``kaplan`` (Kaplan
et al. 2020 laws, embedding conversion, local exponents), ``scorecard`` (every
check against a printed value), ``plotting`` (one figure style), ``cli``.
"""

__version__ = "0.1.0"
