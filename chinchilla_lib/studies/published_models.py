"""The paper's own model tables: Table 1 allocations, Table 3 projections, Table 4 shapes, Tables A4 and A9 recounted.

Hoffmann et al. (2022) print the sizes and training tokens of the large models of their day
(Table 1), the Approach 1 projections of compute-optimal models (Table 3), the shapes of
Gopher and Chinchilla (Table 4), the FLOP ratio of six shapes (Table A4) and the shapes and
sizes of their 50 scaling-study models (Table A9).  The functions here read those tables and
recount what can be recounted: tokens per parameter, 6ND budgets, the exact Appendix F
FLOP count and the parameter count of each shape.

References
----------
Hoffmann et al. 2022, Tables 1, 3, 4, A4, A9; Eq. 4; Appendix F.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..datasets import load_table, paper_value
from ..laws.architecture import TransformerShape, parameter_counts, table_parameter_counts
from ..laws.flops import flop_ratio, six_nd, training_flops
from ..laws.parametric import ParametricLaw, get_law

__all__ = [
    "table1_allocations",
    "approach1_projections",
    "approach1_tokens_per_param",
    "law_allocations",
    "allocation_growth",
    "scale_allocation",
    "table4_shape",
    "naive_parameter_count",
    "embedding_share",
    "attention_crossover_length",
    "table_a4_ratios",
    "table_a4_summary",
    "table_a9_shapes",
    "table_a9_counts",
    "table_a9_summary",
    "gopher_compute_recount",
    "gopher_compute_summary",
    "compute_parity",
    "compute_parity_summary",
    "printed_rounding_share",
]


def table1_allocations() -> pd.DataFrame:
    """The models of Table 1 with their tokens per parameter and 6ND training compute.

    Returns
    -------
    DataFrame
        One row per model of Hoffmann et al.'s Table 1: ``model``, ``n_params``, ``n_tokens``,
        ``tokens_per_param`` (D / N) and ``flops`` (C = 6 N D).
    """
    models = load_table("table1_models")
    return pd.DataFrame({
        "model": models["model"],
        "n_params": models["n_params"],
        "n_tokens": models["n_tokens"],
        "tokens_per_param": models["n_tokens"] / models["n_params"],
        "flops": six_nd(models["n_params"].to_numpy(), models["n_tokens"].to_numpy()),
    })


def approach1_projections() -> pd.DataFrame:
    """The Approach 1 rows of Table 3: compute-optimal parameters, FLOPs and tokens."""
    projections = load_table("projections")
    return projections[projections["approach"] == 1].reset_index(drop=True)


def approach1_tokens_per_param() -> float:
    """Median tokens per parameter, D / N, of the Approach 1 projections of Table 3.

    This is what the "20 tokens per parameter" rule of thumb amounts to; the paper does not
    print the rule itself.
    """
    rows = approach1_projections()
    return float((rows["n_tokens"] / rows["n_params"]).median())


def law_allocations(flops: float, names=("paper", "paper-full")) -> pd.DataFrame:
    """Compute-optimal allocation of one budget under the named parametric laws (Eq. 4).

    Parameters
    ----------
    flops : float
        Compute budget C in FLOPs, with C = 6 N D.
    names : sequence of str
        Law names for :func:`chinchilla_lib.laws.parametric.get_law` (the printed, rounded constants and
        the full-precision ones by default).

    Returns
    -------
    DataFrame
        Indexed by law name: ``a`` = beta / (alpha + beta), ``n_opt``, ``d_opt`` and
        ``tokens_per_param`` = D_opt / N_opt.
    """
    rows = {}
    for name in names:
        law = get_law(name)
        n_opt, d_opt = law.optimal_allocation(flops)
        rows[name] = {"a": law.a, "n_opt": n_opt, "d_opt": d_opt, "tokens_per_param": d_opt / n_opt}
    return pd.DataFrame.from_dict(rows, orient="index")


def allocation_growth(law: ParametricLaw, flops: float, factor: float) -> tuple[float, float]:
    """Factors by which N_opt and D_opt grow when the budget grows by ``factor`` (Eq. 4).

    Under Eq. 4 they are ``factor ** a`` and ``factor ** b``; computed here as the ratio of the
    two optimal allocations.
    """
    n0, d0 = law.optimal_allocation(flops)
    n1, d1 = law.optimal_allocation(factor * flops)
    return n1 / n0, d1 / d0


def scale_allocation(n_params: float, n_tokens: float, a: float, b: float, compute_factor: float) -> dict:
    """Scale a model along the power-law allocation N ∝ C^a, D ∝ C^b to ``compute_factor`` times its compute.

    Parameters
    ----------
    n_params, n_tokens : float
        The starting model.
    a, b : float
        Allocation exponents (e.g. Kaplan et al.'s, Table 2 of Hoffmann et al.).
    compute_factor : float
        How many times the starting compute.

    Returns
    -------
    dict
        ``n_factor`` = factor^a, ``d_factor`` = factor^b, the scaled ``n_params`` and ``n_tokens``,
        and their ``tokens_per_param``.
    """
    n_factor, d_factor = compute_factor ** a, compute_factor ** b
    n_new, d_new = n_params * n_factor, n_tokens * d_factor
    return {"n_factor": n_factor, "d_factor": d_factor, "n_params": n_new, "n_tokens": d_new,
            "tokens_per_param": d_new / n_new}


def table4_shape(model: str, **overrides) -> TransformerShape:
    """The shape of ``"Gopher 280B"`` or ``"Chinchilla 70B"`` from Table 4.

    ``overrides`` set ``vocab_size`` or ``seq_len`` (see :meth:`TransformerShape.from_row`).
    """
    arch = load_table("table4_architecture").set_index("model")
    if model not in arch.index:
        raise KeyError(f"no Table 4 model {model!r}; choose one of: {', '.join(arch.index)}")
    return TransformerShape.from_row(arch.loc[model], **overrides)


def naive_parameter_count(shape: TransformerShape) -> int:
    """The shortcut N ≈ 12 L d_model² + vocab_size · d_model (Kaplan et al. 2020, Sec. 2.1, plus embeddings).

    It ignores biases, norms and the relative-position weights and assumes an attention
    width of d_model.
    """
    return shape.n_layers * 12 * shape.d_model ** 2 + shape.vocab_size * shape.d_model


def embedding_share(shape: TransformerShape) -> float:
    """Share of the total parameters that sits in the token embedding (Table A9 counting)."""
    counts = parameter_counts(shape)
    return counts["embedding"] / counts["total"]


def attention_crossover_length(shape: TransformerShape) -> int:
    """Context length at which an attention layer's score terms cost as much as its projections.

    Per token, Appendix F's projections cost ``2 · 4 · d_model · w`` FLOPs and the
    key @ query and softmax @ value products ``2 · 2 · seq_len · w`` (w = n_heads · kv_size);
    leaving out the small softmax term they are equal at ``seq_len = 2 d_model``.
    """
    return 2 * shape.d_model


def table_a4_ratios() -> pd.DataFrame:
    """Table A4's printed FLOP ratios against the Appendix F count, with and without embeddings.

    Returns
    -------
    DataFrame
        One row per Table A4 shape: ``model`` (its label), ``n_params`` (our total count),
        ``paper`` (printed ratio), ``ours, without embeddings``, ``ours, App. F as written``
        (exact training FLOPs per token over 6N) and ``difference`` (ours without embeddings
        minus printed).
    """
    a4 = load_table("tableA4_flop_ratio")
    shapes = [TransformerShape.from_row(r) for r in a4.itertuples()]
    table = pd.DataFrame({
        "model": a4["label"],
        "n_params": [parameter_counts(s)["total"] for s in shapes],
        "paper": a4["flop_ratio"],
        "ours, without embeddings": [flop_ratio(s) for s in shapes],
        "ours, App. F as written": [flop_ratio(s, include_embeddings=True) for s in shapes],
    })
    table["difference"] = table["ours, without embeddings"] - table["paper"]
    return table


def table_a4_summary(table: pd.DataFrame | None = None) -> dict:
    """Largest difference from the printed Table A4 ratios, and the smallest shape's ratio with embeddings.

    Parameters
    ----------
    table : DataFrame, optional
        :func:`table_a4_ratios` (computed when omitted).

    Returns
    -------
    dict
        ``max_diff`` (largest absolute difference), ``small_label`` (label of the first,
        smallest shape) and ``small_with_emb`` (its ratio counted as Appendix F is written).
    """
    table = table_a4_ratios() if table is None else table
    return {"max_diff": table["difference"].abs().max(),
            "small_label": table["model"].iloc[0],
            "small_with_emb": table["ours, App. F as written"].iloc[0]}


def table_a9_shapes() -> list[TransformerShape]:
    """The 50 shapes of Table A9, in the table's order (smallest first)."""
    return [TransformerShape.from_row(r) for r in load_table("tableA9_models").itertuples()]


def table_a9_counts() -> pd.DataFrame:
    """Table A9's printed sizes against our parameter counts, the 12 L d² shortcut and FLOP ratios.

    Returns
    -------
    DataFrame
        One row per Table A9 model: the printed ``n_params_millions``, ``d_model``, ``n_heads``,
        ``kv_size``, ``n_layers``; ``ours`` (our total count, millions), ``difference`` (ours
        minus printed, millions), ``naive_12Ld2`` (:func:`naive_parameter_count`, millions),
        ``rounds`` (ours rounds to the printed million), ``n_params`` (our total count),
        ``flop_ratio`` and ``flop_ratio_with_embeddings`` (exact FLOPs per token over 6N).
    """
    a9 = load_table("tableA9_models")
    shapes = table_a9_shapes()
    ours = table_parameter_counts(a9)["total"].to_numpy()
    ours_m = ours / 1e6
    naive = np.array([naive_parameter_count(s) for s in shapes]) / 1e6
    return a9[["n_params_millions", "d_model", "n_heads", "kv_size", "n_layers"]].assign(
        ours=ours_m, difference=ours_m - a9["n_params_millions"], naive_12Ld2=naive,
        rounds=np.round(ours_m) == a9["n_params_millions"], n_params=ours,
        flop_ratio=[flop_ratio(s) for s in shapes],
        flop_ratio_with_embeddings=[flop_ratio(s, include_embeddings=True) for s in shapes],
    )


def table_a9_summary(counts: pd.DataFrame | None = None) -> dict:
    """How well our parameter count and the 12 L d² shortcut reproduce Table A9.

    Parameters
    ----------
    counts : DataFrame, optional
        :func:`table_a9_counts` (computed when omitted).

    Returns
    -------
    dict
        ``rounds`` (rows whose count rounds to the printed million), ``n`` (rows), ``max_abs``
        (largest absolute difference, millions), ``max_rel`` (largest relative difference) and
        ``naive_rel`` (largest relative difference of the shortcut).
    """
    counts = table_a9_counts() if counts is None else counts
    printed = counts["n_params_millions"]
    return {
        "rounds": int(counts["rounds"].sum()),
        "n": len(counts),
        "max_abs": float(counts["difference"].abs().max()),
        "max_rel": float((counts["difference"] / printed).abs().max()),
        "naive_rel": float(((counts["naive_12Ld2"].to_numpy() - printed) / printed).abs().max()),
    }


#: Unit of the last printed digit of Table 1's sizes: parameters and tokens in whole
#: billions ("70 Billion", "300 Billion"), Chinchilla's tokens to a tenth of a trillion ("1.4 Trillion").
_TABLE1_UNITS = {"Chinchilla": (1e9, 1e11), "Gopher": (1e9, 1e9)}

_BUDGET_LABEL = "budget in the paper (Fig. 2 caption, Table 3)"
_APPF_LABEL = "App. F's recount (as printed)"


def printed_rounding_share(model: str, *, tokens_only: bool = False) -> float:
    """Relative uncertainty of 6ND from Table 1's rounding: half a unit of the last digit of N plus that of D.

    Only Chinchilla and Gopher (the models whose budgets the paper compares).  With
    ``tokens_only``, D's share alone (for counts that take N from the Table 4 shape).
    """
    if model not in _TABLE1_UNITS:
        raise ValueError(f"model must be one of {sorted(_TABLE1_UNITS)}, got {model!r}")
    row = load_table("table1_models").set_index("model").loc[model]
    n_unit, d_unit = _TABLE1_UNITS[model]
    share = 0.5 * d_unit / row["n_tokens"]
    return float(share if tokens_only else share + 0.5 * n_unit / row["n_params"])


def compute_parity() -> pd.DataFrame:
    """Chinchilla's training compute against Gopher's, each way of counting applied to both.

    Returns
    -------
    DataFrame
        Indexed ``6ND`` (Table 1's N and D), ``App. F`` (Appendix F's count, embeddings and
        logits included, with Table 4's shapes and Table 1's tokens) and the budget the
        paper gives Gopher (Gopher only); columns ``chinchilla``, ``gopher`` (FLOPs) and
        ``ratio`` = chinchilla / gopher.

    References
    ----------
    Hoffmann et al. 2022, Table 1, Table 4, Fig. 2 caption, Table 3, Appendix F.
    """
    models = load_table("table1_models").set_index("model")
    rows = {}
    rows["6ND"] = [six_nd(models.loc[m, "n_params"], models.loc[m, "n_tokens"]) for m in ("Chinchilla", "Gopher")]
    rows["App. F"] = [training_flops(table4_shape(f"{m} {size}"), float(models.loc[m, "n_tokens"]))
                      for m, size in (("Chinchilla", "70B"), ("Gopher", "280B"))]
    rows[_BUDGET_LABEL] = [np.nan, paper_value("gopher.flops")]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["chinchilla", "gopher"], dtype=float)
    return frame.assign(ratio=frame["chinchilla"] / frame["gopher"])


def compute_parity_summary() -> dict:
    """:func:`compute_parity` as numbers: ``chin_6nd, gopher_6nd, ratio_6nd, chin_appf, gopher_appf,
    ratio_appf, budget`` (FLOPs or ratios) and ``chin_over_budget`` (Chinchilla's 6ND over the paper's budget)."""
    p = compute_parity()
    return {"chin_6nd": p.loc["6ND", "chinchilla"], "gopher_6nd": p.loc["6ND", "gopher"],
            "ratio_6nd": p.loc["6ND", "ratio"], "chin_appf": p.loc["App. F", "chinchilla"],
            "gopher_appf": p.loc["App. F", "gopher"], "ratio_appf": p.loc["App. F", "ratio"],
            "budget": p.loc[_BUDGET_LABEL, "gopher"],
            "chin_over_budget": p.loc["6ND", "chinchilla"] / p.loc[_BUDGET_LABEL, "gopher"]}


def gopher_compute_recount() -> pd.Series:
    """Gopher's training compute: the paper's budget, Appendix F's recount, and ours by 6ND and Appendix F.

    Uses Gopher's shape (Table 4) and its 300B training tokens (Table 1).  The budget is the
    one Hoffmann et al. use for Gopher in their figure captions and Table 3 ("one Gopher
    unit"); Appendix F sets its more accurate count against it.

    Returns
    -------
    Series
        FLOPs, indexed ``budget in the paper (Fig. 2 caption, Table 3)``, ``App. F's recount
        (as printed)``, ``ours: 6ND``, ``ours: App. F count``.
    """
    gopher = table4_shape("Gopher 280B")
    tokens = float(load_table("table1_models").set_index("model").loc["Gopher", "n_tokens"])
    return pd.Series({
        _BUDGET_LABEL: paper_value("gopher.flops"),
        _APPF_LABEL: paper_value("gopher.flops_appendix_f"),
        "ours: 6ND": six_nd(parameter_counts(gopher)["total"], tokens),
        "ours: App. F count": training_flops(gopher, tokens),
    }, name="FLOPs")


def gopher_compute_summary() -> dict:
    """Gopher's compute recount (Appendix F) as numbers, with the gap of our count to the restated one.

    Returns
    -------
    dict
        ``stated``, ``appf_stated``, ``6nd_ours``, ``appf_ours`` (FLOPs, see
        :func:`gopher_compute_recount`) and ``gap`` = appf_ours / appf_stated - 1.
    """
    recount = gopher_compute_recount()
    return {
        "stated": recount[_BUDGET_LABEL],
        "appf_stated": recount[_APPF_LABEL],
        "appf_ours": recount["ours: App. F count"],
        "6nd_ours": recount["ours: 6ND"],
        "gap": recount["ours: App. F count"] / recount[_APPF_LABEL] - 1,
    }
