"""The envelope estimator (Approach 1) on training curves simulated from a known law.

The paper's training curves are not published, so Approach 1 is checked here on
curves from :func:`~chinchilla_lib.approaches.simulate.simulate_training_curves`: the fit must
recover the simulated law's exponent to within the staircase's resolution.

References
----------
Hoffmann et al. 2022, Section 3.1, Figure 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..approaches.envelope import fit_envelope, interior_range, sliding_exponents, staircase_resolution
from ..approaches.simulate import simulate_training_curves
from ..datasets import load_table, paper_value
from ..laws.parametric import get_law

__all__ = ["SIMULATED_APPROACH1", "simulated_approach1", "table_a9_sizes", "HorizonStudy", "horizon_study",
           "horizon_overview", "horizon_numbers", "penalty_sensitivity"]


#: The simulated Approach-1 design of the self-check (and of the chapter): the
#: model sizes of Table A9, 13 cosine horizons from 5 to 80 tokens per parameter
#: (dense enough that no horizon dominates the envelope), a 5% schedule penalty.
SIMULATED_APPROACH1 = {"law": "paper-full", "tokens_per_param": tuple(np.geomspace(5.0, 80.0, 13)),
                       "penalty": 0.05, "seed": 0}


@lru_cache(maxsize=1)
def simulated_approach1() -> tuple[float, float, float, tuple[float, float]]:
    """Approach 1 on the :data:`SIMULATED_APPROACH1` curves.

    Returns
    -------
    tuple
        (fitted a, the law's true a, staircase resolution used as tolerance,
        the FLOP range fitted).
    """
    law = get_law(SIMULATED_APPROACH1["law"])
    sizes = table_a9_sizes()
    curves = simulate_training_curves(law, sizes, tokens_per_param=SIMULATED_APPROACH1["tokens_per_param"],
                                      penalty=SIMULATED_APPROACH1["penalty"], seed=SIMULATED_APPROACH1["seed"])
    n_grid = int(paper_value("approach1.n_grid"))
    flops_range = interior_range(curves, n_grid=n_grid)
    fit = fit_envelope(curves, n_grid=n_grid, flops_range=flops_range)
    return fit.a, law.a, staircase_resolution(sizes, flops_range), flops_range


def table_a9_sizes() -> np.ndarray:
    """The distinct model sizes of Hoffmann et al.'s Table A9, in parameters, sorted."""
    return np.unique(load_table("tableA9_models")["n_params_millions"].to_numpy(float) * 1e6)


def _design_name(tokens_per_param, penalty: float) -> str:
    return f"{len(tokens_per_param)} horizons, {penalty:.0%} penalty"


@dataclass(frozen=True)
class HorizonStudy:
    """Approach 1 on simulated curves with few and many cosine horizons (Section 3.1, Figure A1).

    Attributes
    ----------
    law : ParametricLaw
        The law the curves are drawn from.
    sizes : array of float
        Model sizes (Table A9).
    few : array of float
        The few horizons, in tokens per parameter, log-spaced over the dense design's span.
    designs : dict
        Design name -> ``{"tokens_per_param", "penalty"}``, in the order: few horizons without
        penalty, few horizons with the penalty, many horizons with the penalty.
    curves, ranges, fits, sliding : dict
        Per design: the simulated curves, the interior FLOP range, the envelope fit over it
        and :func:`~chinchilla_lib.approaches.envelope.sliding_exponents` of its envelope.
    n_grid : int
    window_decades : float
    """

    law: object
    sizes: np.ndarray
    few: np.ndarray
    designs: dict
    curves: dict
    ranges: dict
    fits: dict
    sliding: dict
    n_grid: int
    window_decades: float

    @property
    def names(self) -> list[str]:
        """Design names: few horizons without penalty, with penalty, many horizons with penalty."""
        return list(self.designs)


def horizon_study(*, n_few: int = 4, window_decades: float = 3.0, n_grid: int | None = None) -> HorizonStudy:
    """Simulate and fit the three Approach-1 designs built on :data:`SIMULATED_APPROACH1`.

    ``n_few`` horizons log-spaced over the same span as the design's dense ones, without and
    with its schedule penalty, then the dense horizons with the penalty; each envelope is
    fitted over its interior range (Section 3.1, ``n_grid`` log-spaced FLOP values, 1500 by
    default) and in windows ``window_decades`` wide.
    """
    design = SIMULATED_APPROACH1
    law = get_law(design["law"])
    sizes = table_a9_sizes()
    n_grid = int(paper_value("approach1.n_grid")) if n_grid is None else int(n_grid)
    dense = np.asarray(design["tokens_per_param"], dtype=float)
    few = np.geomspace(dense[0], dense[-1], n_few)
    designs = {_design_name(tpp, p): {"tokens_per_param": tpp, "penalty": p}
               for tpp, p in ((few, 0.0), (few, design["penalty"]), (dense, design["penalty"]))}
    curves, ranges, fits, sliding = {}, {}, {}, {}
    for name, kw in designs.items():
        curves[name] = simulate_training_curves(law, sizes, seed=design["seed"], **kw)
        ranges[name] = interior_range(curves[name], n_grid=n_grid)
        fits[name] = fit_envelope(curves[name], n_grid=n_grid, flops_range=ranges[name])
        sliding[name] = sliding_exponents(fits[name].envelope, decades=window_decades)
    return HorizonStudy(law, sizes, few, designs, curves, ranges, fits, sliding, n_grid, float(window_decades))


def horizon_overview(study: HorizonStudy) -> pd.DataFrame:
    """One row per design: its name, the exponent over the interior range, the sizes on the envelope."""
    return pd.DataFrame({"design": study.names, "a (interior range)": [f.a for f in study.fits.values()],
                         "sizes on the envelope": [f.n_models for f in study.fits.values()]})


def horizon_numbers(study: HorizonStudy) -> dict:
    """The numbers that describe a :class:`HorizonStudy`.

    Keys: ``n_sizes``, ``size_min`` (millions), ``size_max`` (billions); ``n_few``, ``tpp_lo``,
    ``tpp_hi``, ``tpp_span``, ``horizon_step`` (ratio of neighbouring few horizons);
    ``penalty``, ``n_dense``; ``law_a`` (the true a = beta / (alpha + beta)); ``a_clean``,
    ``a_few``, ``a_dense`` (interior fits of the three designs); ``range_decades`` (width of
    the few-horizon design's interior range); ``slide_{clean,few,dense}_{lo,hi}`` (lowest
    and highest windowed a); ``window_decades``; ``opt_tpp_lo``, ``opt_tpp_hi`` (the law's
    compute-optimal tokens per parameter at the ends of that interior range).
    """
    clean, few, dense = study.names
    lo, hi = study.ranges[few]
    n_opt, d_opt = study.law.optimal_allocation(np.array([lo, hi]))
    out = {"n_sizes": len(study.sizes), "size_min": study.sizes.min() / 1e6, "size_max": study.sizes.max() / 1e9,
           "n_few": len(study.few), "tpp_lo": study.few[0], "tpp_hi": study.few[-1],
           "tpp_span": study.few[-1] / study.few[0], "penalty": study.designs[few]["penalty"],
           "n_dense": len(study.designs[dense]["tokens_per_param"]), "law_a": study.law.a,
           "range_decades": np.log10(hi / lo), "window_decades": study.window_decades,
           "opt_tpp_lo": d_opt[0] / n_opt[0], "opt_tpp_hi": d_opt[1] / n_opt[1],
           "horizon_step": study.few[1] / study.few[0]}
    for key, name in zip(("clean", "few", "dense"), study.names):
        out[f"a_{key}"] = study.fits[name].a
        out[f"slide_{key}_lo"] = study.sliding[name]["a"].min()
        out[f"slide_{key}_hi"] = study.sliding[name]["a"].max()
    return out


def penalty_sensitivity(study: HorizonStudy, penalty: float) -> dict:
    """The few-horizon design of ``study`` rerun with another schedule penalty.

    Returns
    -------
    dict
        ``a`` (fit over the interior range) and ``lo``, ``hi`` (lowest and highest a over
        windows ``study.window_decades`` wide).
    """
    curves = simulate_training_curves(study.law, study.sizes, tokens_per_param=study.few, penalty=penalty,
                                      seed=SIMULATED_APPROACH1["seed"])
    fit = fit_envelope(curves, n_grid=study.n_grid, flops_range=interior_range(curves, n_grid=study.n_grid))
    windows = sliding_exponents(fit.envelope, decades=study.window_decades)
    return {"a": fit.a, "lo": windows["a"].min(), "hi": windows["a"].max()}
