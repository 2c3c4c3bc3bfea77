"""How wide the bootstrap interval of Approach 3's exponent is on the Figure 4 points, and what the printed one implies.

One bootstrap (4,000 resamples, seed 0, every refit from the full-data optimum),
computed once per process and shared by the Approach 3 chapter and the scorecard.

References
----------
Hoffmann et al. 2022, Table 2 (10th-90th percentile intervals); Besiroglu et al. 2024, Section 4.
"""

from __future__ import annotations

from functools import lru_cache

from ..approaches.parametric import Approach3Bootstrap, bootstrap_approach3
from ..approaches.parametric.diagnostics import runs_needed_with_error
from ..datasets import REPLICATION_EXCLUDED, load_hoffmann_fig4, paper_value, table2_row
from .figure4 import refit_figure4

__all__ = ["N_RESAMPLES", "SEED", "figure4_bootstrap", "printed_interval_runs"]

#: Resamples and seed of the canonical bootstrap.
N_RESAMPLES, SEED = 4000, 0


def figure4_bootstrap(exclude_highest_loss: int = REPLICATION_EXCLUDED) -> Approach3Bootstrap:
    """The canonical bootstrap of the Approach 3 refit (N_opt etc. at Gopher's budget); cached."""
    return _boot_cached(int(exclude_highest_loss))


@lru_cache(maxsize=2)
def _boot_cached(exclude_highest_loss: int) -> Approach3Bootstrap:
    runs = load_hoffmann_fig4(exclude_highest_loss=exclude_highest_loss)
    return bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=N_RESAMPLES,
                               seed=SEED, flops=paper_value("gopher.flops"),
                               fit=refit_figure4(exclude_highest_loss))


def printed_interval_runs(exclude_highest_loss: int = REPLICATION_EXCLUDED) -> dict:
    """Runs a bootstrap of runs like ours would need to give Table 2's Approach 3 interval of ``a``.

    Returns
    -------
    dict
        :func:`~chinchilla_lib.approaches.parametric.diagnostics.runs_needed_with_error` for our
        80% interval against the printed one, plus ``n_runs`` (ours).
    """
    boot = figure4_bootstrap(exclude_highest_loss)
    a3 = table2_row("approach3")
    out = runs_needed_with_error(boot.samples["a"].to_numpy(float), boot.fit.n_points,
                                 float(a3["a_p10"]), float(a3["a_p90"]), seed=SEED)
    out["n_runs"] = boot.fit.n_points
    return out
