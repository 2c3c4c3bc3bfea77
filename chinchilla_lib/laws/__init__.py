"""Every closed form and accounting rule: the laws, the FLOPs, the parameter counts.

* :mod:`.parametric` -- the parametric law L(N, D) = E + A/N^alpha + B/D^beta (Eq. 2), its
  compute-optimal frontier (Eq. 4), the named parameter sets of ``chinchilla_lib/data/laws.csv`` and :func:`~.parametric.plan`;
* :mod:`.powerlaw` -- power-law allocations N_opt = k C^a and the one log-log line fit (Table 2, Tables 3/A3);
* :mod:`.architecture` -- a transformer's shape to its parameter counts (Table A9, Table 4);
* :mod:`.flops` -- Appendix F's FLOPs per token, 6ND, PF-days (Table A4);
* :mod:`.kaplan` -- Kaplan et al. 2020's laws and allocation;
* :mod:`.embeddings` -- Pearce & Song 2024's reconciliation of the two (embedding parameters);
* :mod:`.inference` -- the model to train when inference counts too (Sardana et al. 2023);
* :mod:`.plans` -- :class:`~.plans.Plan`, the model to train at a budget, as every plan the library makes returns it.

``from chinchilla_lib.laws import plan, get_law, ParametricLaw`` keeps working: the names of
:mod:`.parametric` are handed on from here, imported on first use (PEP 562).
"""

import importlib


def __getattr__(name: str):
    value = getattr(importlib.import_module(".parametric", __name__), name)
    if not name.startswith("_"):
        globals()[name] = value
    return value
