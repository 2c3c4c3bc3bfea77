"""Figures: one style for the whole book (:mod:`.style`) and plotting functions keyed by method.

* :mod:`.style` -- :data:`SERIES` (one colour, marker and label per meaning), :data:`INK`,
  :data:`COLORS`, :func:`use_style`, :func:`loglog_axes`, :func:`mark_model`, :func:`label_points`,
  :func:`readable_log_ticks`;
* :mod:`.models` -- :func:`plot_tokens_against_parameters`: named models against the allocations;
* :mod:`.flops` -- :func:`~.flops.plot_flop_ratios`: exact FLOP counts over 6ND (Appendix F);
* :mod:`.isoflop` -- :func:`plot_profiles`: IsoFLOP profiles with their fitted curves;
* :mod:`.envelope` -- :func:`plot_staircase`: the envelope's argmin model against FLOPs;
* :mod:`.parametric` -- :func:`plot_isoloss`, :func:`plot_residuals`: a law on runs;
* :mod:`.runs` -- :func:`plot_fit`: any runs and their fit, as the book draws the paper's;
* :mod:`.kaplan` -- Kaplan-vs-Chinchilla figures (allocation rules, embedding shares, local exponents);
* :mod:`.evaluation` -- two models compared task by task (relative improvement bars, category averages,
  a law's loss along two budgets);
* :mod:`.overtrained_runs` -- training curves against tokens, FLOPs and GPU-hours; residuals against tokens per
  parameter; the extra loss of repeated data;
* :mod:`.inference` -- the inference-aware optimum across demands; the over-training trade-off curve.

Every function draws any user's runs, not only the paper's.
"""

from .envelope import plot_staircase
from .evaluation import plot_category_averages, plot_improvement_bars, plot_law_profiles
from .isoflop import plot_profiles
from .kaplan import (
                     plot_allocation_rules,
                     plot_correction_steps,
                     plot_embedding_share,
                     plot_excess_loss,
                     plot_fit_ratios,
                     plot_local_exponents,
)
from .models import plot_tokens_against_parameters
from .parametric import plot_isoloss, plot_residuals
from .runs import plot_fit
from .style import (
                     COLORS,
                     INK,
                     SERIES,
                     label_points,
                     legend_outside,
                     loglog_axes,
                     mark_model,
                     ordered_colors,
                     readable_log_ticks,
                     use_style,
)

__all__ = ["COLORS", "SERIES", "INK", "ordered_colors", "label_points", "legend_outside", "readable_log_ticks",
           "plot_tokens_against_parameters", "use_style", "loglog_axes", "mark_model", "plot_profiles", "plot_staircase", "plot_isoloss",
           "plot_residuals", "plot_allocation_rules", "plot_excess_loss", "plot_fit_ratios", "plot_embedding_share",
           "plot_local_exponents", "plot_correction_steps", "plot_improvement_bars", "plot_category_averages",
           "plot_law_profiles", "plot_fit"]
