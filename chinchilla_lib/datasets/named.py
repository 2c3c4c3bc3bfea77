"""Every public set of runs by one short name, as the book and the command line fit it.

``fit --data NAME`` and ``backtest --data NAME`` take these names; :func:`named_runs` gives a set's
runs as one tidy frame and :data:`NAMED_SETS` says what each holds.  Each set is one of three
designs:

* ``isoflop``: final losses of runs on shared compute budgets (``flops`` is each run's budget);
* ``grid``: final losses of sizes each trained to several token counts (budgets not shared);
* ``curves``: training curves (a ``run`` column; one row per checkpoint), for Approach 1 only.

Where a set offers a choice (which loss, which runs), the choice is made here once and documented
in :data:`NAMED_SETS`, so every chapter, test and command fits the same runs.

Units: ``n_params`` and ``n_tokens`` raw counts, ``flops`` FLOPs (6 N D unless the set labels its
budgets), ``loss`` nats per token.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["named_sets_table", "porian_list", "NamedSet", "NAMED_SETS", "PORIAN_PREFIX", "named_set", "named_runs", "data_names", "curve_sets",
           "fit_frame"]

#: ``porian:NAME`` names one of Porian et al.'s configurations (``porian:list`` lists them).
PORIAN_PREFIX = "porian:"


@dataclass(frozen=True)
class NamedSet:
    """One named set of runs.

    Attributes
    ----------
    name : str
        What ``--data`` takes.
    title : str
        What it is, in words (tables and help).
    design : str
        ``"isoflop"``, ``"grid"`` or ``"curves"`` (see above).
    runs : str
        ``module:function`` (relative to :mod:`chinchilla_lib`) giving the runs the book fits.
    choice : str
        Which loss and which runs, and why.
    curves : str or None
        ``module:function`` giving training curves (``run`` column) for Approach 1 on a set of finished runs.
    rel_tol, min_points
        How runs group into budgets (isoflop sets; as ``group_budgets`` of Approach 2 groups them).
    method : str
        Approach 2's per-budget fit (``akima`` for Porian et al.'s runs, their own method).
    noise : str or None
        ``module:function`` giving the seed-to-seed sd of one run's loss (nats), from the set's seed pairs.
    """

    name: str
    title: str
    design: str
    runs: str
    choice: str
    curves: str | None = None
    rel_tol: float = 0.0
    min_points: int | None = None
    method: str = "parabola"
    noise: str | None = None
    #: Positional arguments of :attr:`runs` (e.g. the Open-Athena set's name).
    args: tuple = ()

    def noise_floor(self) -> float | None:
        """The seed-to-seed sd of one run's loss (nats) where the set has seed pairs, else None."""
        return float(_call(self.noise)) if self.noise else None

    def load(self, **kwargs) -> pd.DataFrame:
        """The set's runs (:attr:`runs`)."""
        return _call(self.runs, *self.args, **kwargs)

    def load_curves(self) -> pd.DataFrame | None:
        """The set's training curves for Approach 1, or None when it has none."""
        if self.design == "curves":
            return self.load()
        return _call(self.curves) if self.curves else None


def _call(target: str, *args, **kwargs):
    module, function = target.split(":")
    return getattr(importlib.import_module(f"chinchilla_lib.{module}"), function)(*args, **kwargs)


#: Open-Athena's harmonised sets (Czech et al. 2026) by short name: (what, which loss).
OPEN_ATHENA = {
    "epochai-chinchilla": ("Figure 4 as Besiroglu et al. extracted it", "Chinchilla's final training loss"),
    "llama-3-exp-loss": ("the Llama 3 points, loss exponentiated", "exp of Llama 3 Figure 2's loss"),
    "llama-3-raw-loss": ("the Llama 3 points, loss as plotted", "Llama 3 Figure 2's loss as plotted"),
    "marin-comma": ("Marin's ladder on the Comma corpus", "Paloma macro-averaged validation loss"),
    "marin-dclm": ("Marin's ladder on DCLM", "Paloma macro-averaged validation loss"),
    "marin-nemotron": ("Marin's ladder on Nemotron-CC", "Paloma macro-averaged validation loss"),
    "misfitting": ("the (Mis)Fitting survey's runs on FineWeb/C4", "final loss as the runs give it"),
    "ml-scalefit": ("the Chinchilla points as shipped with ml-scalefit", "Chinchilla's final training loss"),
}
#: Prefix of Open-Athena's set names.
OPEN_ATHENA_PREFIX = "open-athena:"


def _sets() -> dict[str, NamedSet]:
    fig4 = ("Figure 4 of Hoffmann et al. (their own runs, digitised by Besiroglu et al.)")
    gadre = "held-out C4 validation loss (loss_c4_val), the evaluation Gadre et al. fit their laws to"
    rows = [
        NamedSet("hoffmann-fig4", fig4 + ": the 240 points the replication keeps", "isoflop",
                 "datasets.named:fig4_runs", "the paper's final training loss read off the colour bar; the 5 "
                 "highest-loss points dropped as Besiroglu et al. do", rel_tol=0.03, min_points=8),
        NamedSet("hoffmann-fig4:all", fig4 + ": all 245 points", "isoflop", "datasets.named:fig4_all_runs",
                 "all 245 digitised points", rel_tol=0.03, min_points=8),
        NamedSet("porian", "Porian et al. 2024, their final configuration (RefinedWeb, tuned AdamW)", "isoflop",
                 "datasets.named:porian_final_runs", "validation loss on held-out RefinedWeb", method="akima"),
        NamedSet("llama-1", "LLaMA-1 training curves (7B-65B), digitised", "curves", "datasets.named:llama1_runs",
                 "training loss, recalibrated to tokens"),
        NamedSet("gadre:c4", "Gadre et al. 2024 over-training runs trained on C4", "grid",
                 "datasets.named:gadre_c4_runs", gadre),
        NamedSet("gadre:rpj", "Gadre et al. 2024 over-training runs trained on RedPajama", "grid",
                 "datasets.named:gadre_rpj_runs", gadre + " (out of distribution for RedPajama)"),
        NamedSet("gadre:rw", "Gadre et al. 2024 over-training runs trained on RefinedWeb", "grid",
                 "datasets.named:gadre_rw_runs", gadre + " (out of distribution for RefinedWeb)"),
        NamedSet("sardana", "Sardana et al. 2023 over-training runs", "grid", "datasets.named:sardana_runs",
                 "final training loss smoothed over the last steps (the file has no validation loss; one pass "
                 "over the data)"),
        NamedSet("muennighoff", "Muennighoff et al. 2023 runs that see each token at most once", "grid",
                 "datasets.named:muennighoff_runs", "final held-out C4 validation loss; runs of one epoch or less"),
        NamedSet("olmo-ladder", "OLMo model ladder (Bhagia et al. 2024): five sizes at 0.5-10 times 20 tokens per "
                 "parameter", "grid", "datasets.named:olmo_ladder_runs", "C4 validation cross-entropy at the last "
                 "checkpoint of each run (the end of its own cosine schedule); Approach 1 takes the checkpoints in "
                 "the last 15% of each run, as the paper's footnote does", curves="datasets.named:olmo_ladder_curves",
                 noise="datasets.named:olmo_noise_floor"),
        NamedSet("gemstones", "Gemstones (McLeish et al. 2025): 22 models on a width x depth grid, cooled down at "
                 "many token counts", "grid", "datasets.named:gemstones_runs", "held-out Dolma loss at the end of "
                 "each learning-rate cool-down (each a finished run); Approach 1 takes those ends, one curve per "
                 "model", curves="datasets.named:gemstones_curves"),
        NamedSet("cs336", "Stanford CS336 IsoFLOP exercise: 9 budgets x 8 sizes (probably synthetic)", "isoflop",
                 "datasets.cs336:load_cs336_isoflops", "the exercise's final losses; D = C / (6 N)"),
        NamedSet("llama-3", "Llama 3 IsoFLOP points, digitised from the paper's Figure 2 (10 budgets)", "isoflop",
                 "datasets.llama3_isoflops:load_llama3_isoflops", "the validation loss as plotted (its normalisation "
                 "is not stated); N = C / (6 D)"),
    ]
    rows += [NamedSet(OPEN_ATHENA_PREFIX + short, f"Open-Athena's harmonised IsoFLOP set {short} ({what})", "isoflop",
                      "datasets.named:open_athena_runs", loss, args=(OPEN_ATHENA_PREFIX + short,))
             for short, (what, loss) in OPEN_ATHENA.items()]
    return {s.name: s for s in rows}




#: The named sets, in the order the command line lists them.
NAMED_SETS: dict[str, NamedSet] = _sets()


def data_names() -> list[str]:
    """Every name ``--data`` takes (``porian:NAME`` stands for Porian et al.'s configurations)."""
    return [*NAMED_SETS, PORIAN_PREFIX + "NAME"]


def named_set(name: str) -> NamedSet:
    """The :class:`NamedSet` called ``name`` (``porian:NAME``: one of Porian et al.'s configurations).

    Raises
    ------
    ValueError
        An unknown name; the message lists the known ones.
    """
    if isinstance(name, str) and name.startswith(PORIAN_PREFIX) and name != PORIAN_PREFIX + "list":
        config = name[len(PORIAN_PREFIX):]
        return NamedSet(name, f"Porian et al. 2024, configuration {config}", "isoflop",
                        "datasets.porian:load_porian", "as the configuration names it", method="akima")
    if name not in NAMED_SETS:
        raise ValueError(f"unknown data set {name!r}; use one of {', '.join(data_names())} "
                         "(porian:list lists Porian et al.'s configurations)")
    return NAMED_SETS[name]


def named_runs(name: str) -> pd.DataFrame:
    """The runs of the set called ``name``: ``n_params``, ``n_tokens``, ``flops``, ``loss`` (and ``run`` for curves).

    Raises
    ------
    ValueError
        An unknown name or Porian configuration.
    """
    spec = named_set(name)
    if name.startswith(PORIAN_PREFIX):
        return spec.load(configuration=name[len(PORIAN_PREFIX):])
    return spec.load()


_APPROACHES = {"isoflop": "2, 3", "grid": "2, 3", "curves": "1"}


def named_sets_table() -> pd.DataFrame:
    """Every name ``--data`` takes, for the reference pages: ``name``, ``what it is``, ``design``,
    ``fit --approach`` (the approaches ``fit`` takes it with), ``backtest`` (yes / no) and ``runs and loss``
    (the choice made)."""
    rows = [{"name": n, "what it is": s.title, "design": s.design,
             "fit --approach": "1, 2, 3" if s.curves else _APPROACHES[s.design],
             "backtest": "no" if s.design == "curves" else "yes", "runs and loss": s.choice}
            for n, s in NAMED_SETS.items()]
    rows.append({"name": PORIAN_PREFIX + "NAME", "what it is": "one of Porian et al.'s configurations (porian:list "
                 "lists them)", "design": "isoflop", "fit --approach": "2", "backtest": "yes",
                 "runs and loss": "as the configuration names it"})
    return pd.DataFrame(rows)


def porian_list() -> list[dict]:
    """Porian et al.'s configurations, the names ``porian:NAME`` takes: ``name`` and the upstream fields."""
    from .porian import PORIAN_FIELDS, porian_configurations

    table = porian_configurations()
    return [{"name": row["configuration"], **{f: row[f] for f in PORIAN_FIELDS}} for _, row in table.iterrows()]


def curve_sets() -> list[str]:
    """The names whose sets have training curves (Approach 1 on real curves)."""
    return [n for n, s in NAMED_SETS.items() if s.design == "curves" or s.curves]


def fit_frame(name: str, approach: int) -> pd.DataFrame:
    """The runs of ``name`` that ``approach`` fits: what ``fit --data NAME --approach K`` reads.

    Approach 1 takes training curves (sets of :func:`curve_sets`); Approaches 2 and 3 take final
    losses (every other set; a grid's runs are sliced into IsoFLOP profiles by the caller for
    Approach 2).  ``porian:NAME`` is for Approach 2 (Porian et al.'s IsoFLOP profiles).

    Raises
    ------
    ValueError
        An unknown name, or a set that holds the wrong kind of runs for ``approach``.
    """
    spec = named_set(name)
    if name.startswith(PORIAN_PREFIX) and approach != 2:
        raise ValueError("porian runs are IsoFLOP profiles; use them with --approach 2")
    if approach == 1:
        curves = spec.load_curves()
        if curves is None:
            raise ValueError(f"{name} holds final losses, not training curves; use it with --approach 2 or 3 "
                             f"(approach 1 takes {', '.join(curve_sets())} or --csv)")
        return curves
    if spec.design == "curves":
        raise ValueError(f"{name} holds training curves, not final losses; use it with --approach 1")
    return named_runs(name)


# ------------------------------------------------------------------ the sets' runs, as the book fits them

def _finished(frame: pd.DataFrame, n, d, loss, flops=None) -> pd.DataFrame:
    out = pd.DataFrame({"n_params": pd.Series(n).to_numpy(float), "n_tokens": pd.Series(d).to_numpy(float),
                        "loss": pd.Series(loss).to_numpy(float)})
    out["flops"] = 6.0 * out["n_params"] * out["n_tokens"] if flops is None else pd.Series(flops).to_numpy(float)
    return out[["n_params", "n_tokens", "flops", "loss"]]


def fig4_runs() -> pd.DataFrame:
    """Figure 4's 240 points (the five highest-loss dropped); ``flops`` as digitised."""
    from .figure4 import REPLICATION_EXCLUDED, load_hoffmann_fig4

    runs = load_hoffmann_fig4(exclude_highest_loss=REPLICATION_EXCLUDED)
    return _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss"], runs["flops"])


def fig4_all_runs() -> pd.DataFrame:
    """All 245 points of Figure 4."""
    from .figure4 import load_hoffmann_fig4

    runs = load_hoffmann_fig4(exclude_highest_loss=0)
    return _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss"], runs["flops"])


def porian_final_runs() -> pd.DataFrame:
    """Porian et al.'s runs in their final configuration (:data:`~chinchilla_lib.datasets.porian.PORIAN_FINAL`)."""
    from .porian import PORIAN_FINAL, load_porian

    runs = load_porian(PORIAN_FINAL)
    return _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss"], runs["flops"])


def llama1_runs() -> pd.DataFrame:
    """The LLaMA-1 training curves as the book fits them (``model`` names each curve)."""
    from .llama import llama1_curves

    return llama1_curves().reset_index(drop=True)


def _gadre(training_set: str, count: str = "total") -> pd.DataFrame:
    from .gadre import load_gadre_runs

    runs = load_gadre_runs()
    runs = runs[runs["training_set"] == training_set]
    n = runs["n_params_no_embed"] if count == "non-embedding" else runs["n_params"]
    return _finished(runs, n, runs["n_tokens"], runs["loss_c4_val"])


def gadre_c4_runs(count: str = "total") -> pd.DataFrame:
    """Gadre et al.'s runs trained on C4 (``count``: ``total`` or ``non-embedding`` parameters)."""
    return _gadre("C4", count)


def gadre_rpj_runs(count: str = "total") -> pd.DataFrame:
    """Gadre et al.'s runs trained on RedPajama."""
    return _gadre("RedPajama", count)


def gadre_rw_runs(count: str = "total") -> pd.DataFrame:
    """Gadre et al.'s runs trained on RefinedWeb."""
    return _gadre("RefinedWeb", count)


def sardana_runs() -> pd.DataFrame:
    """Sardana et al.'s 47 runs, final smoothed training loss."""
    from .sardana import load_sardana_runs

    runs = load_sardana_runs()
    return _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss_train"])


def muennighoff_runs() -> pd.DataFrame:
    """Muennighoff et al.'s runs that see each token at most once (one epoch or less)."""
    from .muennighoff import load_muennighoff_runs

    runs = load_muennighoff_runs()
    runs = runs[runs["epochs"] <= 1.0 + 1e-9]
    return _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss_val"])


def olmo_ladder_runs(count: str = "total") -> pd.DataFrame:
    """The OLMo ladder's 30 finished runs (the last checkpoint of each; ``count``: total or non-embedding)."""
    from .olmo_ladder import load_olmo_ladder_runs

    runs = load_olmo_ladder_runs()
    n = runs["n_params_non_embedding"] if count == "non-embedding" else runs["n_params"]
    return _finished(runs, n, runs["n_tokens"], runs["loss"])


def olmo_ladder_curves() -> pd.DataFrame:
    """The OLMo ladder's checkpoints in the last share of each run's tokens (``approach1.last_fraction`` of
    ``paper_values.csv``, Hoffmann et al.'s Sec. 3.1 footnote), ``run`` naming each curve; flops 6 N D."""
    from .olmo_ladder import load_olmo_ladder_curves
    from .paper_tables import paper_value

    curves = load_olmo_ladder_curves()
    kept = curves[curves["schedule_fraction"] >= 1.0 - paper_value("approach1.last_fraction") - 1e-12]
    return kept[["run", "n_params", "n_tokens", "flops", "loss"]].reset_index(drop=True)


def olmo_noise_floor() -> float:
    """Seed-to-seed sd of one OLMo ladder run's final loss: the 1xC runs and their reruns, sd of the
    differences over the square root of 2 (nats)."""
    from .olmo_ladder import load_olmo_ladder_runs

    runs = load_olmo_ladder_runs()
    pairs = runs[runs["multiplier"] == 1].pivot_table(index="model", columns="rerun", values="loss")
    diff = (pairs[True] - pairs[False]).dropna().to_numpy(float)
    return float(np.sqrt(np.mean(diff ** 2) / 2.0))


def gemstones_runs(count: str = "total") -> pd.DataFrame:
    """The Gemstones' 199 cooled-down runs (``count``: total or non-embedding parameters)."""
    from .gemstones import load_gemstones_runs

    runs = load_gemstones_runs()
    n = runs["n_params_non_embedding"] if count == "non-embedding" else runs["n_params"]
    return _finished(runs, n, runs["n_tokens"], runs["loss"])


def gemstones_curves() -> pd.DataFrame:
    """The Gemstones' cooled ends as training curves, one per model (``run`` = the model); flops 6 N D."""
    from .gemstones import load_gemstones_runs

    runs = load_gemstones_runs()
    out = _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss"])
    return out.assign(run=runs["model"].to_numpy())[["run", "n_params", "n_tokens", "flops", "loss"]]


def open_athena_runs(name: str) -> pd.DataFrame:
    """One of Open-Athena's harmonised sets (:func:`~chinchilla_lib.datasets.open_athena.load_open_athena`)."""
    from .open_athena import load_open_athena

    runs = load_open_athena(name)
    return _finished(runs, runs["n_params"], runs["n_tokens"], runs["loss"], runs["flops"])
