"""The parametric law on real over-trained runs: fit near compute-optimal, predict far past it.

Three run sets (:mod:`chinchilla_lib.datasets`): Sardana et al. (10 to 10,000
tokens per parameter), Gadre et al. (token multiplier M = 0.25 to 32 on three
training sets) and Muennighoff et al. (up to thousands of epochs over limited
unique data).  Each experiment fits Eq. (2) by Approach 3
(:func:`~chinchilla_lib.approaches.parametric.fit_approach3`) on the runs near
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
from ..laws.parametric import ParametricLaw

__all__ = ["SARDANA_NEAR", "GADRE_NEAR", "Extrapolation", "extrapolate_law",
           "sardana_extrapolation", "gadre_extrapolation", "muennighoff_repetition", "repetition_excess",
           "equal_compute_wins", "TPP_EDGES", "all_runs_fit", "extrapolation_table", "far_residual",
           "repetition_numbers", "equal_compute_numbers", "run_set_numbers", "FAR_SARDANA", "FAR_GADRE"]

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
    quality : Quality
        The gate's verdict on the fit: a refused fit's extrapolation says nothing about the law.
    """

    law: ParametricLaw
    warnings: tuple
    runs: pd.DataFrame
    #: The fit-quality gate's verdict on the fit (:class:`~chinchilla_lib.approaches.quality.Quality`).
    quality: object = None

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
    from ..approaches.runs import fit_runs

    if loss_col not in runs.columns:
        raise ValueError(f"loss_col {loss_col!r} is not a column; choose one of {list(runs.columns)}")
    mask = np.asarray(fitted, dtype=bool)
    if mask.shape != (len(runs),):
        raise ValueError(f"fitted must be one boolean per run ({len(runs)}), got shape {mask.shape}")
    fit_rows = runs[mask]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in Extrapolation.warnings
        fit = fit_runs(pd.DataFrame({"n_params": fit_rows["n_params"], "n_tokens": fit_rows["n_tokens"],
                                     "loss": fit_rows[loss_col]}), approach=3)  # with the gate's verdict
    law = ParametricLaw(fit.E, fit.A, fit.B, fit.alpha, fit.beta, name=name or "fit", source="Approach 3 refit")
    out = runs.copy()
    out["loss"] = out[loss_col].astype(float)
    out["tokens_per_param"] = out["n_tokens"] / out["n_params"]
    out["fitted"] = mask
    out["predicted"] = law.loss(out["n_params"].to_numpy(float), out["n_tokens"].to_numpy(float))
    out["residual"] = out["loss"] - out["predicted"]
    out["rel_residual"] = out["residual"] / out["predicted"]
    return Extrapolation(law, tuple(fit.warnings), out, fit.quality)


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


#: Bins of tokens per parameter for the residual tables (compute-optimal ~20; Gadre's M = 32 is 640).
TPP_EDGES = (0, 25, 100, 700, np.inf)


def all_runs_fit(result: Extrapolation, loss_col: str = "loss") -> Extrapolation:
    """The same runs fitted all at once: does one law of Eq. (2)'s form fit the far runs at all?"""
    runs = result.runs.drop(columns=["fitted", "predicted", "residual", "rel_residual"])
    return extrapolate_law(runs, loss_col, np.ones(len(runs), dtype=bool), name=f"{result.law.name}, all runs")


def extrapolation_table(results: dict[str, Extrapolation], edges=TPP_EDGES) -> pd.DataFrame:
    """Residuals of several extrapolations by bins of tokens per parameter, one row per (set, bin).

    Columns ``set``, ``tokens per parameter``, ``runs``, ``fitted`` (runs of the bin used in the
    fit), ``median residual (nats)``, ``median residual (%)``, ``largest |residual| (nats)``.
    """
    rows = []
    for name, result in results.items():
        runs = result.runs
        bins = pd.cut(runs["tokens_per_param"], list(edges), right=True)
        for interval, part in runs.groupby(bins, observed=True):
            rows.append({"set": name, "tokens per parameter": f"{interval.left:g}-{interval.right:g}",
                         "runs": len(part), "fitted": int(part["fitted"].sum()),
                         "median residual (nats)": part["residual"].median(),
                         "median residual (%)": 100 * part["rel_residual"].median(),
                         "largest |residual| (nats)": part["residual"].abs().max()})
    return pd.DataFrame(rows)


def far_residual(result: Extrapolation, min_tpp: float) -> float:
    """Median residual (nats) of the runs beyond ``min_tpp`` tokens per parameter."""
    far = result.runs[result.runs["tokens_per_param"] > min_tpp]
    return float(far["residual"].median()) if len(far) else float("nan")


def repetition_numbers(excess: pd.DataFrame, repeat: Extrapolation, marks=(4.0, 16.0)) -> dict:
    """``rep_{m}`` the median extra loss (%) of runs at 0.5-1x to 1-2x ``m`` epochs, for each mark;
    ``rep_n`` runs with a unique-data twin; ``rep_law_{m}`` median residual (%) of the law fitted on
    single-epoch runs, for runs between each mark's half and double."""
    out = {"rep_n": int((excess["epochs"] > 1 + 1e-9).sum())}
    for m in marks:
        near = excess[(excess["epochs"] > m / 1.5) & (excess["epochs"] <= m * 1.5)]
        out[f"rep_{m:g}"] = 100 * float(near["excess"].median())
        runs = repeat.runs
        band = runs[(runs["n_tokens"] / runs["n_unique_tokens"] > m / 1.5)
                    & (runs["n_tokens"] / runs["n_unique_tokens"] <= m * 1.5)]
        out[f"rep_law_{m:g}"] = 100 * float(band["rel_residual"].median())
    return out


def equal_compute_numbers(wins: pd.DataFrame) -> dict:
    """``ec_n`` comparisons, ``ec_small_wins`` (smaller model lower), ``ec_law_agree`` (the law picks the
    same winner), ``ec_small_wins_near`` / ``ec_small_wins_far`` (smaller wins among comparisons
    where the smaller run is at <= 100 / > 100 tokens per parameter)."""
    near = wins["small_tpp"] <= SARDANA_NEAR
    return {"ec_n": len(wins), "ec_small_wins": int((wins["gap"] > 0).sum()),
            "ec_law_agree": int((np.sign(wins["gap"]) == np.sign(wins["law_gap"])).sum()),
            "ec_small_wins_near": int((wins["gap"][near] > 0).sum()), "ec_near": int(near.sum()),
            "ec_small_wins_far": int((wins["gap"][~near] > 0).sum()), "ec_far": int((~near).sum())}


def run_set_numbers() -> dict:
    """What the three run sets span: ``sard_*``, ``gadre_*``, ``muen_*`` with ``n`` (runs), ``n_min_m`` and
    ``n_max_b`` (smallest model in M, largest in B parameters) and ``tpp_min``/``tpp_max`` (Sardana),
    ``m_min``/``m_max`` (Gadre's multipliers), ``epochs_max`` (Muennighoff)."""
    out = {}
    for key, frame in (("sard", load_sardana_runs()), ("gadre", load_gadre_runs()), ("muen", load_muennighoff_runs())):
        out |= {f"{key}_n": len(frame), f"{key}_n_min_m": frame["n_params"].min() / 1e6,
                f"{key}_n_max_b": frame["n_params"].max() / 1e9}
    sard, gadre, muen = load_sardana_runs(), load_gadre_runs(), load_muennighoff_runs()
    out |= {"sard_tpp_min": sard["tokens_per_param"].min(), "sard_tpp_max": sard["tokens_per_param"].max(),
            "gadre_m_min": gadre["token_multiplier"].min(), "gadre_m_max": gadre["token_multiplier"].max(),
            "muen_epochs_max": muen["epochs"].max(), "gadre_span": GADRE_NEAR / gadre["token_multiplier"].min()}
    return out

#: Runs beyond these tokens per parameter count as far over-trained in the summaries (Sardana; Gadre: M >= 16).
FAR_SARDANA = 1000.0
FAR_GADRE = 300.0
