"""The three approaches on other people's real runs: grids (Gadre, Sardana, Muennighoff, OLMo, Gemstones) and
IsoFLOP sets (Porian, CS336, Llama 3, Marin's ladders, the (Mis)Fitting runs, Figure 4).

Each public set of finished runs is read by its loader in :mod:`chinchilla_lib.datasets`
and given to :mod:`chinchilla_lib.approaches.run_grid` (Approach 1: envelope of final losses;
Approach 2: interpolated IsoFLOP slices; Approach 3: the parametric fit), in total
parameters and, where the set lets us count embeddings, in non-embedding parameters.
Results are computed once per process (cached).

Embeddings are counted from Gadre et al.'s own files (``params_no_embed``), from the model shapes
of the OLMo ladder and the Gemstones (both have an input table and a separate output layer, both
left out of the non-embedding count; :mod:`~chinchilla_lib.datasets.olmo_ladder`,
:mod:`~chinchilla_lib.datasets.gemstones`) and, for the Figure 4 points, from Table A9's shapes
(:func:`~chinchilla_lib.laws.embeddings.nonembedding_from_total`, N_T = N_E + γ N_E^(1/3) with γ
fitted to Table A9).  Sardana's, Muennighoff's and Porian's
files give one parameter count and no shapes, so only total parameters are used there.

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3, Table 2; Gadre et al. 2024; Sardana et al. 2023;
Muennighoff et al. 2023; Porian et al. 2024; Bhagia et al. 2024; McLeish et al. 2025; DeepSeek LLM 2024,
Sec. 3.2.
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..approaches.run_grid import grid_approach, grid_frame, size_curves
from ..datasets import table2_row
from ..datasets.named import named_set
from ..datasets.sardana import load_sardana_runs
from ..laws.embeddings import nonembedding_from_total
from ..result_cache import shared_all, shared_result
from .figure4 import fig4_runs
from .later_studies import later_value

__all__ = ["RUN_SETS", "COUNTS", "RESAMPLES", "FIG4_SIZE_TOL", "run_set", "loss_table", "approaches_table",
           "approach_results", "public_runs_numbers", "set_overview", "exponent_grid", "verdict_table", "book_verdicts", "refusal_numbers",
           "sardana_near_numbers"]

#: The run sets, in the book's order: key -> (label, training data, loss the fits use and why).
RUN_SETS = {
    "gadre_c4": ("Gadre C4", "C4", "loss_c4_val: held-out C4 validation loss, the evaluation Gadre et al. fit their "
                 "laws to; the same evaluation for all three training sets"),
    "gadre_rpj": ("Gadre RedPajama", "RedPajama", "loss_c4_val: held-out C4 validation loss (out of distribution "
                  "for a model trained on RedPajama), as Gadre et al. fit"),
    "gadre_rw": ("Gadre RefinedWeb", "RefinedWeb", "loss_c4_val: held-out C4 validation loss (out of distribution "
                 "for a model trained on RefinedWeb), as Gadre et al. fit"),
    "sardana": ("Sardana", "MPT mix", "loss_train: final training loss, smoothed over the last steps; the file "
                "has no validation loss (single pass over the data, so close to a held-out loss)"),
    "muennighoff": ("Muennighoff one-epoch", "C4", "loss_val: final held-out C4 validation loss; only runs that "
                    "see each token at most once, so repetition plays no part"),
    "porian": ("Porian tuned", "RefinedWeb", "loss: validation loss on held-out RefinedWeb, their final "
               "configuration (tuned AdamW, short warm-up, constant learning rate)"),
    "olmo_ladder": ("OLMo ladder", "OLMo pretraining data", "loss: C4 validation cross-entropy at the last "
                    "checkpoint of each run, the end of its own cosine schedule (25 runs and a second run of "
                    "each 1xC model)"),
    "gemstones": ("Gemstones cooled", "Dolma", "loss: held-out Dolma validation loss at the end of each cool-down "
                  "(learning rate decayed to zero over 10% more tokens), 10B to 110B tokens"),
    "cs336": ("CS336 exercise", "unstated (probably synthetic)", "loss: the exercise's final losses"),
    "llama_3": ("Llama 3 points", "Llama 3 pre-training mix", "loss: Figure 2's validation loss as plotted "
                "(normalisation not stated; units move no exponent)"),
    "marin_comma": ("Marin, Comma", "Comma", "loss: Paloma macro-averaged validation loss, Marin's IsoFLOP ladder"),
    "marin_dclm": ("Marin, DCLM", "DCLM", "loss: Paloma macro-averaged validation loss, Marin's IsoFLOP ladder"),
    "marin_nemotron": ("Marin, Nemotron-CC", "Nemotron-CC", "loss: Paloma macro-averaged validation loss, Marin's "
                       "IsoFLOP ladder"),
    "misfitting": ("(Mis)Fitting runs", "FineWeb / C4", "loss: final loss as the survey's runs give it"),
    "figure4": ("Figure 4 points", "MassiveText", "loss: the paper's final training loss, read off Figure 4's "
                "colour bar (240 points, the 5 highest-loss dropped)"),
}
#: Parameter counts: total, and non-embedding where the set allows.
COUNTS = ("total", "non-embedding")
_NON_EMBEDDING = ("gadre_c4", "gadre_rpj", "gadre_rw", "olmo_ladder", "gemstones", "figure4")
#: Bootstrap resamples per approach (kept modest so the chapter builds quickly).
RESAMPLES = {1: 50, 2: 50, 3: 200}
#: Figure 4's digitised sizes within this relative distance are one model (Table A9 sizes are far apart).
FIG4_SIZE_TOL = 1e-3


#: The named set (:data:`~chinchilla_lib.datasets.named.NAMED_SETS`) each run set reads, where one does.
_NAMED = {"gadre_c4": "gadre:c4", "gadre_rpj": "gadre:rpj", "gadre_rw": "gadre:rw", "sardana": "sardana",
          "muennighoff": "muennighoff", "porian": "porian", "olmo_ladder": "olmo-ladder", "gemstones": "gemstones",
          "cs336": "cs336", "llama_3": "llama-3", "marin_comma": "open-athena:marin-comma",
          "marin_dclm": "open-athena:marin-dclm", "marin_nemotron": "open-athena:marin-nemotron",
          "misfitting": "open-athena:misfitting"}


@lru_cache(maxsize=16)
def _run_set_cached(key: str, count: str) -> pd.DataFrame:
    if key in _NAMED:
        spec = named_set(_NAMED[key])
        frame = spec.load(count=count) if key in _NON_EMBEDDING else spec.load()
    else:  # Figure 4: non-embedding counts from Table A9's shapes
        runs = fig4_runs()
        n = nonembedding_from_total(runs["n_params"].to_numpy(float)) if count == "non-embedding" \
            else runs["n_params"].to_numpy(float)
        frame = pd.DataFrame({"n_params": n, "n_tokens": runs["n_tokens"], "loss": runs["loss"]})
    return frame[["n_params", "n_tokens", "loss"]].reset_index(drop=True)


def run_set(key: str, count: str = "total") -> pd.DataFrame:
    """One set's runs as a grid: ``n_params`` (``count``: "total" or "non-embedding"), ``n_tokens``, ``loss``.

    The tokens are each run's own; the compute of the fits is 6 N D with the count used (so in
    non-embedding parameters it is Kaplan's C_E = 6 N_E D).
    """
    if key not in RUN_SETS:
        raise ValueError(f"unknown run set {key!r}; choose one of {', '.join(RUN_SETS)}")
    if count not in COUNTS:
        raise ValueError(f"count must be one of {COUNTS}, got {count!r}")
    if count == "non-embedding" and key not in _NON_EMBEDDING:
        raise ValueError(f"run set {key!r} gives one parameter count and no shapes; only count='total' is possible")
    return _run_set_cached(key, count).copy()


def _size_tol(key: str) -> float:
    return FIG4_SIZE_TOL if key == "figure4" else 0.0


def loss_table() -> pd.DataFrame:
    """Which loss each set's fits use and why: ``data set``, ``training data``, ``loss used``."""
    return pd.DataFrame([{"data set": label, "training data": data, "loss used": why}
                         for label, data, why in RUN_SETS.values()])


def set_overview() -> pd.DataFrame:
    """Each set's grid: ``data set``, ``runs``, ``sizes``, ``sizes with a curve`` (2 or more token counts),
    ``smallest``, ``largest`` (parameters), ``tokens per parameter`` (min-max)."""
    rows = []
    for key, (label, *_) in RUN_SETS.items():
        grid = grid_frame(run_set(key), size_tol=_size_tol(key))
        tpp = grid["n_tokens"] / grid["n_params"]
        rows.append({"data set": label, "runs": len(grid), "sizes": grid["n_params"].nunique(),
                     "sizes with a curve": len(size_curves(grid)), "smallest": grid["n_params"].min(),
                     "largest": grid["n_params"].max(), "tokens per parameter": f"{tpp.min():.3g}-{tpp.max():.3g}"})
    return pd.DataFrame(rows)


def _result_name(key: str, count: str, approach: int) -> str:
    return f"studies.public_runs.approach_result-{key}-{count}-{approach}"


def _fresh_result(key: str, count: str, approach: int):
    runs = run_set(key, count)
    try:
        return grid_approach(runs, approach, n_resamples=RESAMPLES[approach], seed=0, size_tol=_size_tol(key))
    except ValueError as exc:
        return str(exc)


def _table_keys() -> list[tuple[str, str, int]]:
    """Every (set, parameter count, approach) of :func:`approaches_table`, in its row order."""
    return [(key, count, approach) for key in RUN_SETS for count in COUNTS
            if count == "total" or key in _NON_EMBEDDING for approach in (1, 2, 3)]


@lru_cache(maxsize=1)
def approach_results() -> dict[tuple[str, str, int], object]:
    """:func:`~chinchilla_lib.approaches.run_grid.grid_approach` on every row of :func:`approaches_table` (the ValueError's
    text where refused), keyed by (set, count, approach).

    In a book build, two chapters that need them at once split the fits between them
    (:func:`~chinchilla_lib.result_cache.shared_all`); the scorecard asks for them first.
    """
    keys = _table_keys()
    values = shared_all([(_result_name(*k), functools.partial(_fresh_result, *k)) for k in keys])
    return dict(zip(keys, values))


@lru_cache(maxsize=1)
def _table_cached() -> pd.DataFrame:
    results = approach_results()
    rows = []
    for key, count, approach in _table_keys():
        label = RUN_SETS[key][0]
        grid = run_set(key, count)
        res = results[(key, count, approach)]
        decided = not isinstance(res, str)  # decided or flagged by the gate: a fitted exponent
        rows.append({"key": key, "data set": label, "approach": approach, "parameters": count,
                     "a": res.a if decided else np.nan,
                     "low": res.interval[0] if decided else np.nan,
                     "high": res.interval[1] if decided else np.nan,
                     "tokens per parameter": res.tokens_per_param() if decided else np.nan,
                     "tpp low": res.tpp_interval()[0] if decided else np.nan,
                     "tpp high": res.tpp_interval()[1] if decided else np.nan,
                     "runs": len(grid), "resamples": RESAMPLES[approach],
                     "unfitted": res.n_failed if decided else np.nan,
                     "status": res.quality.verdict if decided else "refused",
                     "reason": "; ".join(c.message() for c in res.quality.failed) if decided else res,
                     "checks": ", ".join(c.name for c in res.quality.failed) if decided else _refusal_check(res)})
    return pd.DataFrame(rows)


def approaches_table() -> pd.DataFrame:
    """One row per (data set, parameter count, approach).

    Columns ``key``, ``data set``, ``approach``, ``parameters`` (total / non-embedding), ``a``, ``low``,
    ``high`` (10th-90th bootstrap percentiles), ``tokens per parameter`` (D_opt / N_opt at the set's median
    run compute) with ``tpp low``, ``tpp high`` (its 10th-90th bootstrap percentiles), ``runs``, ``resamples`` (bootstrap), ``unfitted`` (resamples that could not be fitted),
    ``status`` (the gate's verdict: decided, flagged or refused, :mod:`~chinchilla_lib.approaches.quality`),
    ``reason`` (the failed checks' messages) and ``checks`` (their names).
    """
    return _table_cached().copy()


def public_runs_numbers(table: pd.DataFrame | None = None) -> dict:
    """Summary numbers of :func:`approaches_table` for the chapter.

    ``n_rows``, ``n_decided``, ``n_flagged``, ``n_refused``; ``a_min``, ``a_max`` over decided rows; ``a_min_total``,
    ``a_max_total`` over decided rows in total parameters; ``tpp_min``, ``tpp_max`` with their sets' 10th-90th
    percentiles ``tpp_min_lo``, ``tpp_min_hi``, ``tpp_max_lo``, ``tpp_max_hi``, the sets ``tpp_min_set``,
    ``tpp_max_set``, and ``tpp_spread_beyond_noise`` (the highest set's interval lies above the lowest's); ``n_cover_half``
    (decided rows whose interval contains the paper's Approach 1 a, ``paper_a1``), ``paper_a1``;
    ``gadre_width_max`` (widest Gadre interval, total parameters) and ``deepseek_spread`` (DeepSeek's
    highest minus lowest data-quality exponent); per decided or flagged row ``{key}_{t|ne}_a{k}``, ``..._lo``,
    ``..._hi``, ``..._unfitted`` and ``..._resamples``.
    """
    table = approaches_table() if table is None else table
    fitted = table[table["status"] != "refused"]
    ok = table[table["status"] == "decided"]
    total = ok[ok["parameters"] == "total"]
    paper_a1 = float(table2_row("approach1")["a"])
    out = {"n_rows": len(table), "n_decided": len(ok), "n_refused": int((table["status"] == "refused").sum()),
           "n_flagged": int((table["status"] == "flagged").sum()),
           "a_min": ok["a"].min(), "a_max": ok["a"].max(), "a_min_total": total["a"].min(),
           "a_max_total": total["a"].max(), "tpp_min": ok["tokens per parameter"].min(),
           "tpp_max": ok["tokens per parameter"].max(), "paper_a1": paper_a1,
           "n_cover_half": int(((ok["low"] <= paper_a1) & (ok["high"] >= paper_a1)).sum())}
    lowest, highest = ok.loc[ok["tokens per parameter"].idxmin()], ok.loc[ok["tokens per parameter"].idxmax()]
    out |= {"tpp_min_lo": lowest["tpp low"], "tpp_min_hi": lowest["tpp high"], "tpp_min_set": lowest["data set"],
            "tpp_max_lo": highest["tpp low"], "tpp_max_hi": highest["tpp high"], "tpp_max_set": highest["data set"],
            "tpp_spread_beyond_noise": bool(highest["tpp low"] > lowest["tpp high"])}
    gadre = total[total["key"].str.startswith("gadre")]
    out["gadre_width_max"] = float((gadre["high"] - gadre["low"]).max())
    quality = [later_value(f"deepseek.a_{k}") for k in ("early_data", "current_data", "openwebtext2")]
    out["deepseek_spread"] = max(quality) - min(quality)
    for row in fitted.itertuples():  # decided and flagged rows (the prose says which)
        name = f"{row.key}_{'t' if row.parameters == 'total' else 'ne'}_a{row.approach}"
        out |= {name: row.a, f"{name}_lo": row.low, f"{name}_hi": row.high, f"{name}_unfitted": int(row.unfitted),
                f"{name}_resamples": int(row.resamples)}
    return out


def _cell(a: float, low: float, high: float) -> str:
    if not np.isfinite(a):
        return "refused"
    return f"{a:.3f} ({low:.3f}-{high:.3f})" if np.isfinite(low) else f"{a:.3f}"


def exponent_grid(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The exponents as one row per (data set, parameter count), a column per approach, with reference rows.

    Each cell is ``a (low-high)`` or ``refused``.  Below the public runs: Hoffmann et al.'s Table 2 (their
    own runs; with its printed intervals) and the later IsoFLOP studies (Approach 2 column;
    :func:`~chinchilla_lib.studies.later_studies.later_exponents`).

    Returns
    -------
    DataFrame
        ``data set``, ``parameters``, ``Approach 1``, ``Approach 2``, ``Approach 3``.
    """
    from .later_studies import later_exponents

    table = approaches_table() if table is None else table
    rows = []
    for (label, count), part in table.groupby(["data set", "parameters"], sort=False):
        row = {"data set": label, "parameters": count}
        for r in part.itertuples():
            row[f"Approach {r.approach}"] = _cell(r.a, r.low, r.high)
        rows.append(row)
    paper = {"data set": "Hoffmann et al. (Table 2)", "parameters": "total"}
    for k in (1, 2, 3):
        printed = table2_row(f"approach{k}")
        paper[f"Approach {k}"] = _cell(printed["a"], printed["a_p10"], printed["a_p90"])
    rows.append(paper)
    for r in later_exponents().itertuples():
        rows.append({"data set": f"{r.study} ({r.data})", "parameters": "non-embedding" if "M" in r.note else "total",
                     "Approach 1": "", "Approach 2": _cell(r.a, np.nan, np.nan), "Approach 3": ""})
    return pd.DataFrame(rows, columns=["data set", "parameters", "Approach 1", "Approach 2", "Approach 3"])


#: A refusal raised before the gate's own checks, by the check of the gate it is.
_REFUSALS = (("bootstrap resamples could be fitted", "resamples_majority"), ("refused: ", None),
             ("E collapses", "E_floor"), ("bootstrap range", "E_spread"), ("budget(s) are reached", "budgets_used"),
             ("IsoFLOP slices have a minimum", "budgets_used"), ("model size(s) have runs", "sizes_on_envelope"),
             ("interior envelope is held by", "sizes_on_envelope"), ("envelope is reached by", "sizes_on_envelope"))


def _refusal_check(reason: str) -> str:
    """The name of the gate's check behind a refusal's text."""
    for marker, name in _REFUSALS:
        if marker in reason:
            return name if name is not None else reason.split("refused: ", 1)[1].split(" is ", 1)[0]
    return "other"


def verdict_table(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The gate's verdict on every data set, parameter count and approach: one row per set, a column per approach.

    Each cell is ``decided``, ``flagged: CHECKS`` or ``refused: CHECK`` (the checks of
    :mod:`~chinchilla_lib.approaches.quality` that failed).
    """
    table = approaches_table() if table is None else table
    rows = []
    for (label, count), part in table.groupby(["data set", "parameters"], sort=False):
        row = {"data set": label, "parameters": count}
        for r in part.itertuples():
            cell = r.status if r.status == "decided" else f"{r.status}: {r.checks.replace('_', ' ')}"
            row[f"Approach {r.approach}"] = cell
        rows.append(row)
    return pd.DataFrame(rows, columns=["data set", "parameters", "Approach 1", "Approach 2", "Approach 3"])


def book_verdicts(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`verdict_table` and the book's other fitted runs: our own sweep and the LLaMA-1 curves.

    Our runs are judged by :func:`~chinchilla_lib.studies.tinygpt.gate_verdicts`; the LLaMA-1 curves
    (training curves only, so Approach 1 alone) by :func:`~chinchilla_lib.approaches.runs.fit_runs`.
    """
    import warnings

    from ..approaches.runs import fit_runs
    from ..datasets.llama import llama1_curves
    from .tinygpt import gate_verdicts

    own = gate_verdicts()
    rows = [{"data set": "Our byte-level runs", "parameters": "total",
             **{f"Approach {k}": own[k].label() for k in (1, 2, 3)}}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        llama = fit_runs(llama1_curves().reset_index(drop=True), approach=1, curve_col="model")
    rows.append({"data set": "LLaMA-1 training curves", "parameters": "total",
                 "Approach 1": llama.quality.label(), "Approach 2": "no IsoFLOP runs",
                 "Approach 3": "no finished runs at several lengths"})
    return pd.concat([verdict_table(table), pd.DataFrame(rows)], ignore_index=True)


_FITTED = re.compile(r"only (\d+) of (\d+) bootstrap resamples")
_SPREAD = re.compile(r"E = ([\d.e+-]+) with a 10-90% bootstrap range ([\d.e+-]+)-([\d.e+-]+) \((\d+)% of E")


def refusal_numbers(table: pd.DataFrame | None = None) -> dict:
    """The numbers behind the refusals, for the chapter.

    ``{key}_{t|ne}_a{k}_fitted`` and ``..._drawn``: bootstrap resamples that could be fitted, of those
    drawn (refusals for an undecided bootstrap); ``{key}_t_a3_E``, ``..._E_lo``, ``..._E_hi``,
    ``..._E_spread`` (%): an ill-conditioned Approach 3; ``max_e_spread`` (%), the threshold.
    """
    from ..approaches.run_grid import MAX_E_SPREAD

    table = approaches_table() if table is None else table
    out = {"max_e_spread": 100 * MAX_E_SPREAD}
    for row in table[table["status"] == "refused"].itertuples():
        name = f"{row.key}_{'t' if row.parameters == 'total' else 'ne'}_a{row.approach}"
        if m := _FITTED.search(row.reason):
            out |= {f"{name}_fitted": int(m.group(1)), f"{name}_drawn": int(m.group(2))}
        if m := _SPREAD.search(row.reason):
            out |= {f"{name}_E": float(m.group(1)), f"{name}_E_lo": float(m.group(2)),
                    f"{name}_E_hi": float(m.group(3)), f"{name}_E_spread": float(m.group(4))}
    return out


@lru_cache(maxsize=1)
@shared_result  # computed once per book build, shared by the chapters
def sardana_near_numbers() -> dict:
    """Approach 3 on Sardana et al.'s runs at or below ``SARDANA_NEAR`` tokens per parameter (as the
    over-training chapter fits them): ``near_tpp``, ``near_runs``, ``near_refused`` (1 when refused) and,
    from the refusal, ``near_E`` (the collapsed or wandering E) with ``near_E_lo``, ``near_E_hi`` and
    ``near_E_spread`` (%) when the bootstrap range was the reason."""
    from .overtrained_runs import SARDANA_NEAR

    runs = load_sardana_runs()
    near = runs[runs["tokens_per_param"] <= SARDANA_NEAR]
    frame = pd.DataFrame({"n_params": near["n_params"], "n_tokens": near["n_tokens"], "loss": near["loss_train"]})
    out = {"near_tpp": SARDANA_NEAR, "near_runs": len(frame)}
    try:
        grid_approach(frame, 3, n_resamples=RESAMPLES[3], seed=0)
        out["near_refused"] = 0
    except ValueError as exc:
        out["near_refused"] = 1
        if m := _SPREAD.search(str(exc)):
            out |= {"near_E": float(m.group(1)), "near_E_lo": float(m.group(2)), "near_E_hi": float(m.group(3)),
                    "near_E_spread": float(m.group(4))}
        elif m := re.search(r"E collapses to ([\d.e+-]+)", str(exc)):
            out["near_E"] = float(m.group(1))
    return out
