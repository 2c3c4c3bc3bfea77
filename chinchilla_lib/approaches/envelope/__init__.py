"""Approach 1 of Hoffmann et al. (2022): the minimum over training curves (Section 3.1, Figure 2).

The paper trains each model size with several cosine horizons, smooths every
training curve, and then at 1500 log-spaced FLOP values takes the lowest loss
over all curves and the model size that reaches it (the lower envelope of
Figure 2, left).  Power laws N_opt = k_N C^a and D_opt = k_D C^b, with
D = C / (6 N), fitted to those points give a = 0.50 and b = 0.50.

Choices exposed as options (the paper states the first three):

* ``n_grid`` -- number of log-spaced FLOP values (1500);
* ``smooth`` -- Gaussian smoothing of each curve, width in decades of FLOPs
  (the paper smooths but does not say how; off by default);
* interpolation -- each curve is interpolated linearly in log FLOPs onto the
  grid, and never extrapolated beyond its own first and last points;
* ``min_overlap`` -- keep only FLOP values covered by at least this many
  curves (2 by default, so an envelope point is a real comparison);
* ``flops_range`` -- restrict the grid, e.g. to budgets whose optimum lies
  inside the sampled model sizes (outside it the argmin sticks to the
  smallest or largest model and flattens the fitted exponent).

The argmin model is a staircase in C, so the fitted exponent carries a
discretisation error of order ln(size ratio between neighbouring models)
divided by the ln-range of C.

Modules: :mod:`.fit` (the envelope and its power laws, the interior range), :mod:`.diagnostics`
(sliding exponents, horizons, end points, switches between sizes, margins, scatter of the curves).
"""

from .diagnostics import (
    curve_scatter,
    endpoint_table,
    envelope_horizons,
    envelope_margin,
    envelope_switches,
    sliding_exponents,
    staircase_resolution,
)
from .fit import (
    EnvelopeResult,
    EnvelopeWarning,
    curve_on_grid,
    envelope_argmin,
    fit_envelope,
    fit_interior_envelope,
    interior_range,
    lower_envelope,
)

__all__ = [
    "EnvelopeWarning", "EnvelopeResult", "lower_envelope", "envelope_argmin", "curve_on_grid", "fit_interior_envelope",
    "fit_envelope", "interior_range", "sliding_exponents", "envelope_horizons", "staircase_resolution",
    "endpoint_table", "envelope_switches", "envelope_margin", "curve_scatter",
]
