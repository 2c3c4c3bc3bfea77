"""The parametric law on real over-trained runs: fit near compute-optimal, predict far past it.

Three run sets (:mod:`chinchilla_lib.datasets`): Sardana et al. (10 to 10,000
tokens per parameter), Gadre et al. (token multiplier M = 0.25 to 32 on three
training sets) and Muennighoff et al. (up to thousands of epochs over limited
unique data).  Each experiment fits Eq. (2) by Approach 3
(:func:`~chinchilla_lib.parametric.fit_approach3`) on the runs near
compute-optimal and reports the residuals of the others.

References
----------
Hoffmann et al. 2022, Eq. (2), App. D.2; Sardana et al. 2023; Gadre et al. 2024;
Muennighoff et al. 2023.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import positive_scalar
from ..datasets.gadre import load_gadre_runs
from ..datasets.muennighoff import load_muennighoff_runs
from ..datasets.sardana import load_sardana_runs
from ..laws import ParametricLaw

__all__ = ["SARDANA_NEAR", "GADRE_NEAR", "Extrapolation", "extrapolate_law", "residual_bins",
           "sardana_extrapolation", "gadre_extrapolation", "muennighoff_repetition", "repetition_excess",
           "equal_compute_wins"]

#: Runs at or below this many tokens per parameter count as near compute-optimal (Sardana et al.).
SARDANA_NEAR = 100.0
#: Runs at or below this token multiplier count as near compute-optimal (Gadre et al.).
GADRE_NEAR = 1.0


@dataclass(frozen=True)
class Extrapolation:
    """A law fitted on some runs and its residuals on all of them.

    Attributes
    ----------
    law : ParametricLaw
    warnings : tuple of str
        The fit's warnings (optimum on the start grid's edge, ...).
    runs : DataFrame
        The runs with ``n_params``, ``n_tokens``, ``tokens_per_param``, ``loss``,
        ``fitted`` (used in the fit), ``predicted`` (the law), ``residual``
        (loss - predicted, nats) and ``rel_residual`` (residual / predicted).
    """

    law: ParametricLaw
    warnings: tuple
    runs: pd.DataFrame

    def held_out(self) -> pd.DataFrame:
        """The runs not used in the fit."""
        return self.runs[~self.runs["fitted"]]


def extrapolate_law(runs: pd.DataFrame, loss_col: str, fitted, *, name: str = "") -> Extrapolation:
    """Fit Eq. (2) by Approach 3 on the ``fitted`` rows of ``runs`` and predict every row.

    Parameters
    ----------
    runs : DataFrame
        With ``n_params``, ``n_tokens`` and ``loss_col``.
    loss_col : str
    fitted : boolean array
        Which rows to fit on (at least 6).
    """
    from ..parametric import fit_approach3

    if loss_col not in runs.columns:
        raise ValueError(f"loss_col {loss_col!r} is not a column; choose one of {list(runs.columns)}")
    mask = np.asarray(fitted, dtype=bool)
    if mask.shape != (len(runs),):
        raise ValueError(f"fitted must be one boolean per run ({len(runs)}), got shape {mask.shape}")
    fit_rows = runs[mask]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in Extrapolation.warnings
        fit = fit_approach3(fit_rows["n_params"], fit_rows["n_tokens"], fit_rows[loss_col])
    law = ParametricLaw(fit.E, fit.A, fit.B, fit.alpha, fit.beta, name=name or "fit", source="Approach 3 refit")
    out = runs.copy()
    out["loss"] = out[loss_col].astype(float)
    out["tokens_per_param"] = out["n_tokens"] / out["n_params"]
    out["fitted"] = mask
    out["predicted"] = law.loss(out["n_params"].to_numpy(float), out["n_tokens"].to_numpy(float))
    out["residual"] = out["loss"] - out["predicted"]
    out["rel_residual"] = out["residual"] / out["predicted"]
    return Extrapolation(law, tuple(fit.warnings), out)


def residual_bins(runs: pd.DataFrame, edges=(0, 100, 1000, np.inf), by: str = "tokens_per_param") -> pd.DataFrame:
    """Residuals summarised by bins of ``by``: ``n``, ``median`` and ``max_abs`` of ``residual`` (nats)
    and ``median_rel`` of ``rel_residual``."""
    bins = pd.cut(runs[by], list(edges), right=True)
    grouped = runs.groupby(bins, observed=True)
    return pd.DataFrame({"n": grouped.size(), "median": grouped["residual"].median(),
                         "max_abs": grouped["residual"].apply(lambda r: r.abs().max()),
                         "median_rel": grouped["rel_residual"].median()})


def sardana_extrapolation(near: float = SARDANA_NEAR) -> Extrapolation:
    """Sardana et al.'s runs: fit on those at <= ``near`` tokens per parameter (final training loss)."""
    near = positive_scalar("near", near, hint="tokens per parameter, e.g. 100")
    runs = load_sardana_runs()
    return extrapolate_law(runs, "loss_train", runs["tokens_per_param"] <= near, name="Sardana runs")


def gadre_extrapolation(near: float = GADRE_NEAR) -> dict[str, Extrapolation]:
    """Gadre et al.'s runs, one fit per training set on the runs with M <= ``near`` (C4 validation loss)."""
    near = positive_scalar("near", near, hint="a token multiplier, e.g. 1")
    runs = load_gadre_runs()
    return {name: extrapolate_law(group.reset_index(drop=True), "loss_c4_val",
                                  group["token_multiplier"].to_numpy() <= near, name=f"Gadre {name}")
            for name, group in runs.groupby("training_set")}


def muennighoff_repetition() -> Extrapolation:
    """Muennighoff et al.'s runs: fit on the single-epoch runs, predict the repeated ones as if every token were new.

    A positive residual is the loss that repetition costs beyond what the law
    expects from the same number of fresh tokens.
    """
    runs = load_muennighoff_runs()
    return extrapolate_law(runs, "loss_val", runs["epochs"] <= 1.0 + 1e-9, name="Muennighoff single-epoch runs")


def repetition_excess(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Loss of repeated data against unique data at the same model and total tokens.

    For every (``n_params``, ``n_tokens``) that has a single-epoch run, each run of
    it gives ``excess`` = loss / single-epoch loss - 1 (seeds averaged first).

    Returns
    -------
    DataFrame
        ``n_params``, ``n_tokens``, ``epochs``, ``loss_val``, ``loss_unique``, ``excess``.
    """
    runs = load_muennighoff_runs() if runs is None else runs
    mean = runs.groupby(["n_params", "n_tokens", "n_unique_tokens"], as_index=False)["loss_val"].mean()
    mean["epochs"] = mean["n_tokens"] / mean["n_unique_tokens"]
    unique = mean[np.isclose(mean["epochs"], 1.0)].set_index(["n_params", "n_tokens"])["loss_val"]
    keyed = mean.set_index(["n_params", "n_tokens"])
    keyed = keyed[keyed.index.isin(unique.index)].copy()
    keyed["loss_unique"] = unique.reindex(keyed.index).to_numpy()
    keyed["excess"] = keyed["loss_val"] / keyed["loss_unique"] - 1.0
    return keyed.reset_index()[["n_params", "n_tokens", "epochs", "loss_val", "loss_unique", "excess"]] \
        .sort_values(["n_params", "n_tokens", "epochs"]).reset_index(drop=True)


def equal_compute_wins(runs: pd.DataFrame, loss_col: str, law: ParametricLaw) -> pd.DataFrame:
    """Each run of a smaller model against the next larger model at the same compute (6 N D).

    The larger model's loss at that compute is interpolated (linear in log FLOPs)
    between its two runs that bracket it; runs outside the larger model's range are
    skipped.  Both are finished runs, each trained on its own schedule.

    Returns
    -------
    DataFrame
        ``small``, ``large`` (parameters), ``flops``, ``small_tpp`` (tokens per
        parameter of the smaller run), ``gap`` (larger's loss - smaller's, nats:
        positive when the smaller model wins), ``law_gap`` (the same from ``law``).
    """
    frame = runs.assign(flops=6.0 * runs["n_params"] * runs["n_tokens"])
    sizes = np.sort(frame["n_params"].unique())
    rows = []
    for small, large in zip(sizes[:-1], sizes[1:]):
        big = frame[frame["n_params"] == large].sort_values("flops")
        if len(big) < 2:
            continue
        for _, run in frame[frame["n_params"] == small].iterrows():
            c = run["flops"]
            if not big["flops"].min() <= c <= big["flops"].max():
                continue
            loss_large = np.interp(np.log(c), np.log(big["flops"]), big[loss_col])
            law_gap = law.loss(large, c / (6 * large)) - law.loss(small, c / (6 * small))
            rows.append({"small": small, "large": large, "flops": c, "small_tpp": run["n_tokens"] / small,
                         "gap": loss_large - run[loss_col], "law_gap": law_gap})
    return pd.DataFrame(rows, columns=["small", "large", "flops", "small_tpp", "gap", "law_gap"])
