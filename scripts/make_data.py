"""Build the tidy CSVs in ``chinchilla_lib/data/`` from the transcribed paper tables.

The transcriptions (with provenance for every number) live outside this
repository in ``../shared/reference/paper-tables``.  The printed numbers of one later
study, Czech et al. 2026 (Open-Athena's audit of Approach 2), are read instead from their
own pinned files (``paper.tex`` and a results file), fetched and hash-checked through
``chinchilla_lib.datasets`` and parsed as text.  This script is the one
documented way the committed ``chinchilla_lib/data/*.csv`` files were made; the test
``tests/datasets/test_data_provenance.py`` re-runs it in memory and checks that the
committed files still agree with the transcriptions.

Usage::

    python scripts/make_data.py [--source DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "paper-tables"


def _status(df: pd.DataFrame) -> pd.Series:
    return df["status"].astype(str)


def table1_models(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "chinchilla_table1_existing_llms.csv")
    return pd.DataFrame(
        {
            "model": raw["model"],
            "n_params": raw["params"].astype(float),
            "n_tokens": raw["training_tokens"].astype(float),
            "source": "Hoffmann et al. 2022, Table 1",
            "status": _status(raw),
        }
    )


def table2_exponents(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "chinchilla_table2_exponents.csv")
    method = {
        "1. Minimum over training curves": "approach1",
        "2. IsoFLOP profiles": "approach2",
        "3. Parametric modelling of the loss": "approach3",
        "Kaplan et al. (2020) [as quoted in Hoffmann Table 2]": "kaplan",
        "C4": "approach2",
        "GitHub": "approach2",
        "Kaplan et al. (2020) [as quoted in Hoffmann Table A2]": "kaplan",
    }
    dataset = raw["approach"].map({"C4": "C4", "GitHub": "GitHub"}).fillna("MassiveText")
    table = raw["table"].str.extract(r"^(Table A?\d)")[0]
    out = pd.DataFrame(
        {
            "table": table,
            "method": raw["approach"].map(method),
            "dataset": dataset,
            "a": raw["a_Nopt_exponent"],
            "a_p10": raw["a_p10"],
            "a_p90": raw["a_p90"],
            "b": raw["b_Dopt_exponent"],
            "b_p10": raw["b_p10"],
            "b_p90": raw["b_p90"],
            "status": _status(raw),
            "notes": raw["notes"].fillna(""),
        }
    )
    if out["method"].isna().any():
        raise ValueError("unmapped approach label in Table 2 source")
    return out


def projections(src: Path) -> pd.DataFrame:
    frames = []
    for name, table in [
        ("chinchilla_table3_approach1_optimal.csv", "Table 3"),
        ("chinchilla_tableA3_approach2_3_optimal.csv", "Table A3"),
    ]:
        raw = pd.read_csv(src / name)
        ratio = raw["flops"] / (6 * raw["params"] * raw["tokens"])
        frames.append(
            pd.DataFrame(
                {
                    "table": table,
                    "approach": raw["approach"].astype(int),
                    "n_params": raw["params"].astype(float),
                    "flops": raw["flops"].astype(float),
                    "n_tokens": raw["tokens"].astype(float),
                    # A printed FLOP count more than 2x away from 6ND is a typo
                    # (Table A3, Approach 3, 175B: 1.26e24 for 1.26e25).
                    "flops_typo_suspected": ((ratio < 0.5) | (ratio > 2.0)),
                    "status": _status(raw),
                    "notes": raw["notes"].fillna(""),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def tableA4_flop_ratio(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "chinchilla_tableA4_flop_ratio.csv")
    return pd.DataFrame(
        {
            "label": raw["params_as_printed"],
            "n_layers": raw["num_layers"],
            "d_model": raw["d_model"],
            "ffw_size": raw["ffw_size"],
            "n_heads": raw["num_heads"],
            "kv_size": raw["kq_size"],
            "flop_ratio": raw["flop_ratio_ours_over_6ND"],
            "status": _status(raw),
        }
    )


def tableA9_models(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "chinchilla_tableA9_models.csv")
    return pd.DataFrame(
        {
            "n_params_millions": raw["params_million"],
            "d_model": raw["d_model"],
            "ffw_size": raw["ffw_size"],
            "kv_size": raw["kv_size"],
            "n_heads": raw["n_heads"],
            "n_layers": raw["n_layers"],
            "status": _status(raw),
        }
    )


def table4_architecture(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "chinchilla_table4_architecture.csv")
    return pd.DataFrame(
        {
            "model": raw["model"],
            "n_layers": raw["layers"],
            "n_heads": raw["n_heads"],
            "kv_size": raw["kv_size"],
            "d_model": raw["d_model"],
            "ffw_size": raw["ffw_size_from_caption"],
            "max_lr": raw["max_lr"],
            "batch_tokens_start": raw["batch_size_start_tokens"],
            "batch_tokens_end": raw["batch_size_end_tokens"],
            "status": _status(raw),
            "notes": raw["notes"].fillna(""),
        }
    )


def laws(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "chinchilla_approach3_fit.csv").set_index("symbol", drop=False)
    printed = raw[raw["paper_location"].fillna("").str.contains("Eq.\\(10\\)")]
    rows = [
        {
            "law": "paper",
            "parameter": sym,
            "value": float(printed.loc[sym, "value"]),
            "source": "Hoffmann et al. 2022, App. D.2 Eq. (10), as printed",
            "status": printed.loc[sym, "status"],
        }
        for sym in ["E", "A", "B", "alpha", "beta"]
    ]
    # Full precision values: as quoted by the replication and
    # attributed by Besiroglu et al. (2024) to the paper's LaTeX source.  The
    # 4-digit values in the transcription (alpha 0.3392, beta 0.2849, E 1.6934)
    # agree with them; the check below keeps the two in step.
    full = {
        "alpha": 0.33917084,
        "beta": 0.2849083,
        "log_A": 6.0073404,
        "log_B": 6.0179186,
        "log_E": 0.5267228,
    }
    unverified = raw[raw["status"] == "unverified"]
    four_digit = {
        "alpha": float(unverified[unverified["quantity"].str.startswith("unrounded alpha")]["value_unverified"].iloc[0]),
        "beta": float(unverified[unverified["quantity"].str.startswith("unrounded beta")]["value_unverified"].iloc[0]),
    }
    for sym, val in four_digit.items():
        if round(full[sym], 4) != val:
            raise ValueError(f"full-precision {sym} disagrees with the transcription")
    rows += [
        {
            "law": "paper-full",
            "parameter": sym,
            "value": val,
            "source": "Hoffmann et al. 2022 LaTeX source, as quoted by Besiroglu et al. 2024 (arXiv 2404.10102)",
            "status": "unverified",
        }
        for sym, val in full.items()
    ]
    # Besiroglu et al. 2024 refit on the 240 Figure-4 points (secondary summaries);
    # the Approach 3 chapter recomputes it from their data and compares.
    replication = {
        "E": "Besiroglu et al. 2024 refit (arXiv 2404.10102) E",
        "A": "Besiroglu et al. 2024 refit A",
        "B": "Besiroglu et al. 2024 refit B",
        "alpha": "Besiroglu et al. 2024 refit alpha",
        "beta": "Besiroglu et al. 2024 refit beta",
    }
    by_quantity = raw.set_index("quantity")
    rows += [
        {
            "law": "replication",
            "parameter": sym,
            "value": float(by_quantity.loc[q, "value_unverified"]),
            "source": ("Besiroglu et al. 2024 (arXiv 2404.10102), refit on 240 points of Fig. 4, as secondary "
                       "summaries quote it; E and (A, B, alpha, beta) are not one optimum of Eq. (11)"),
            "status": "unverified",
        }
        for sym, q in replication.items()
    ]
    rows += sardana_code_law(src)
    return pd.DataFrame(rows)


def _later_facts(src: Path) -> pd.DataFrame:
    return pd.read_csv(src / "later_studies_facts.csv").set_index("quantity")


def sardana_code_law(src: Path) -> list[dict]:
    """The default Chinchilla constants of Sardana et al.'s code (later_studies_facts.csv)."""
    import re

    text = _later_facts(src).loc["Sardana default Chinchilla coefficients", "value_unverified"]
    values = dict(re.findall(r"(alpha|beta|A|B|E) ([0-9.]+)", text))
    if sorted(values) != sorted(["alpha", "beta", "A", "B", "E"]):
        raise ValueError(f"cannot read Sardana's default coefficients from {text!r}")
    return [
        {"law": "sardana-code", "parameter": sym, "value": float(values[sym]),
         "source": "Sardana et al. 2023, code defaults (nikhilsardana/beyond-chinchilla)", "status": "unverified"}
        for sym in ["E", "A", "B", "alpha", "beta"]
    ]


def later_study_values(src: Path) -> list[dict]:
    """Printed numbers of later studies (Sardana, Gadre, Muennighoff, Llama 3) as scalar rows."""
    import re

    facts = _later_facts(src)

    def numbers(text):
        return [float(x) for x in re.findall(r"[0-9]+(?:\.[0-9]+)?(?:e[0-9+-]+)?", text)]

    def row(id_, quantity, value, unit, location):
        return {"id": id_, "quantity": quantity, "value": float(value), "unit": unit, "location": location,
                "status": "unverified", "notes": "later_studies_facts.csv; unverified"}

    key = "Sardana headline: replace a Chinchilla-optimal 13B with 2T inference tokens"
    head = facts.loc[key]
    n_opt, d_opt, saved, pct = numbers(head["value_unverified"])
    note = numbers(head["notes"])
    d13, loss13 = note[-2], note[-1]
    loc = "Sardana et al. 2023, Sec. 3 (their code's default constants)"
    gadre = numbers(facts.loc["Gadre over-training headline", "value_unverified"])
    muen = numbers(facts.loc["Muennighoff data-constrained headline", "value_unverified"])
    return [
        row("sardana.replace.n_params", "Sardana: model replaced (Chinchilla-optimal)", 13e9, "params", loc),
        row("sardana.replace.inference_tokens", "Sardana: inference demand of the headline", 2e12, "tokens", loc),
        row("sardana.replace.co_tokens", "Sardana: Chinchilla-optimal tokens of the 13B model", d13 * 1e9, "tokens", loc),
        row("sardana.replace.co_loss", "Sardana: loss of the Chinchilla-optimal 13B model", loss13, "nats/token", loc),
        row("sardana.replace.n_opt", "Sardana: inference-aware model size", n_opt, "params", loc),
        row("sardana.replace.d_opt", "Sardana: inference-aware training tokens", d_opt, "tokens", loc),
        row("sardana.replace.saved_flops", "Sardana: FLOPs saved (training + inference)", saved, "FLOPs", loc),
        row("sardana.replace.saving_pct", "Sardana: share of FLOPs saved", pct, "percent", loc),
        row("gadre.max_multiplier", "Gadre: largest token multiplier M extrapolated to", gadre[1], "multiplier",
            "Gadre et al. 2024, abstract"),
        row("gadre.tokens_per_param_at_max", "Gadre: tokens per parameter at the largest M", gadre[3], "tokens/param",
            "Gadre et al. 2024, abstract"),
        row("muennighoff.epochs_almost_free", "Muennighoff: epochs of repetition almost as good as unique data",
            muen[0], "epochs", "Muennighoff et al. 2023, abstract"),
        row("muennighoff.epochs_worthless", "Muennighoff: epochs by which returns fade to zero", muen[1], "epochs",
            "Muennighoff et al. 2023, abstract"),
    ]


def paper_values(src: Path) -> pd.DataFrame:
    """Scalar reference values that the reproduction scorecard compares against."""
    misc = pd.read_csv(src / "chinchilla_misc_facts.csv").set_index("quantity")
    fit = pd.read_csv(src / "chinchilla_approach3_fit.csv").set_index("quantity")
    flops = pd.read_csv(src / "chinchilla_appendixF_flops_formula.csv").set_index("component")

    def row(id_, quantity, value, unit, location, status, notes=""):
        return {
            "id": id_,
            "quantity": quantity,
            "value": float(value),
            "unit": unit,
            "location": location,
            "status": status,
            "notes": notes,
        }

    appf = flops.loc["Gopher training compute, App. F calculation"]
    a3 = fit.loc["Approach 3 optimal size at Gopher budget"]
    d4k = misc.loc["D.4 Kaplan-optimal size"]
    d4a = misc.loc["D.4 Approach-1-optimal size"]
    d4c = misc.loc["D.4 head-to-head budget"]
    return pd.DataFrame(
        [
            row("gopher.flops", "Gopher's compute budget as Hoffmann et al. use it",
                misc.loc["Gopher compute budget (Approach figures)", "value"], "FLOPs",
                misc.loc["Gopher compute budget (Approach figures)", "paper_location"],
                misc.loc["Gopher compute budget (Approach figures)", "status"],
                "1 'Gopher unit' of compute in Table 3; App. F sets its own recount against it"),
            row("gopher.flops_appendix_f", "Gopher training compute, App. F recount", appf["forward_flops_formula_as_printed"].split()[0],
                "FLOPs", "App. F", appf["status"]),
            row("approach3.n_opt_gopher", "Approach 3 optimal size at Gopher's budget", a3["value"],
                "params", a3["paper_location"], a3["status"], "printed as 40B"),
            row("d4.flops", "D.4 head-to-head budget", d4c["value"], "FLOPs", "App. D.4", d4c["status"]),
            row("d4.n_kaplan", "D.4 Kaplan-optimal size at 1e21 FLOPs", d4k["value"], "params", "App. D.4", d4k["status"]),
            row("d4.n_approach1", "D.4 Approach-1-optimal size at 1e21 FLOPs", d4a["value"], "params", "App. D.4", d4a["status"]),
            row("hoffmann.n_models", "Models trained for the scaling analysis (more than)",
                misc.loc["models trained", "value"].lstrip(">"), "models", misc.loc["models trained", "paper_location"],
                misc.loc["models trained", "status"], "printed as 'over 400'"),
            row("approach2.n_budgets", "Approach 2 number of FLOP budgets", misc.loc["Approach 2 FLOP budgets", "value"],
                "budgets", "Sec. 3.2", misc.loc["Approach 2 FLOP budgets", "status"]),
            *[
                row(f"approach2.budget_{end}", f"Approach 2 {end}imum FLOP budget", value, "FLOPs", "Sec. 3.2",
                    misc.loc["Approach 2 FLOP range", "status"])
                for end, value in zip(("min", "max"), misc.loc["Approach 2 FLOP range", "value"].split(" to "))
            ],
            row("approach1.n_grid", "Approach 1 number of log-spaced FLOP values", misc.loc["Approach 1 FLOP grid", "value"],
                "FLOP values", "Sec. 3.1", misc.loc["Approach 1 FLOP grid", "status"]),
            *approach1_horizons(misc, row),
            approach1_last_fraction(misc, row),
            row("replication.a", "Besiroglu et al. 2024: a implied by their refit",
                fit.loc["Besiroglu et al. 2024 implied a", "value_unverified"], "exponent",
                "Besiroglu et al. 2024 (arXiv 2404.10102)", "unverified", "secondary summary"),
            # Pearce & Song 2024 (arXiv 2406.12907), quoted from their paper; not in the transcriptions.
            row("pearce_song.local_exponent.replication",
                "Pearce & Song 2024: local exponent of N*_nonembed vs C over Kaplan's range, replication coefficients",
                0.78, "exponent", "Pearce & Song 2024 (arXiv 2406.12907)", "unverified", "quoted from Pearce & Song 2024; not in the transcriptions"),
            row("pearce_song.local_exponent.paper",
                "Pearce & Song 2024: local exponent of N*_nonembed vs C over Kaplan's range, paper coefficients",
                0.74, "exponent", "Pearce & Song 2024 (arXiv 2406.12907)", "unverified", "quoted from Pearce & Song 2024; not in the transcriptions"),
            row("chinchilla.vocab_size", "Chinchilla's SentencePiece vocabulary", misc.loc["tokenizer vocabulary", "value"],
                "tokens", "Table A8 (model card)", misc.loc["tokenizer vocabulary", "status"]),
            *[
                row(f"pearce_song.{key}", f"Pearce & Song 2024 analysis setting: {what}", value, unit,
                    "Pearce & Song 2024 (arXiv 2406.12907), analysis script", "unverified",
                    "read from their published code; not in the paper's text")
                for key, what, value, unit in PEARCE_SONG_SETTINGS
            ],
            *later_study_values(src),
        ]
    )


def approach1_horizons(misc: pd.DataFrame, row) -> list[dict]:
    """Approach 1's schedule horizons per model size, from the notes of the 'Approach 1 model family' row
    ("4 training horizons per size, spanning a factor 16x")."""
    family = misc.loc["Approach 1 model family"]
    found = re.search(r"(\d+) training horizons per size, spanning a factor (\d+)x", str(family["notes"]))
    if found is None:
        raise ValueError("chinchilla_misc_facts.csv: 'Approach 1 model family' notes no longer give the horizons")
    return [row("approach1.n_horizons", "Approach 1 runs per model size, one per cosine schedule length",
                found.group(1), "runs", "Sec. 3.1", family["status"], "each decays the learning rate 10x over its horizon"),
            row("approach1.horizon_span", "Approach 1 ratio of the longest to the shortest horizon of one size",
                found.group(2), "ratio", "Sec. 3.1", family["status"], "horizons measured in training tokens")]


def approach1_last_fraction(misc: pd.DataFrame, row) -> dict:
    """The share of each run's training whose points Approach 1 keeps, from the 'Approach 1 selected points'
    row ("within last 15% of training", a footnote of Sec. 3.1)."""
    points = misc.loc["Approach 1 selected points"]
    found = re.search(r"last (\d+)% of training", str(points["value_unverified"]))
    if found is None:
        raise ValueError("chinchilla_misc_facts.csv: 'Approach 1 selected points' no longer gives the last share")
    return row("approach1.last_fraction", "Approach 1 points kept: the last share of each run's training",
               int(found.group(1)) / 100, "fraction of the run's tokens", points["paper_location"], points["status"],
               points["notes"])


# Settings of Pearce & Song's simulated Kaplan study (their analysis script), used by the
# Kaplan chapter to reproduce their 0.78 / 0.74.  Not in the shared transcriptions.
PEARCE_SONG_SETTINGS = [
    ("aspect_ratio", "aspect ratio d_model / n_layers", 39.2, "ratio"),
    ("gamma", "embedding coefficient gamma in N_T = N_E + gamma N_E^(1/3)", 47491, "params"),
    ("grid.log10_n_min", "log10 smallest non-embedding model size", 2.9, "log10 params"),
    ("grid.log10_n_max", "log10 largest non-embedding model size", 9.2, "log10 params"),
    ("grid.n_models", "number of model sizes", 20, "models"),
    ("grid.log10_tokens_min", "log10 smallest token count", 6, "log10 tokens"),
    ("grid.log10_tokens_max", "log10 largest token count", 25, "log10 tokens"),
    ("grid.n_tokens", "number of token counts", 1000, "values"),
    ("grid.log10_flops_min", "log10 smallest compute budget", 12.95, "log10 FLOPs"),
    ("grid.log10_flops_max", "log10 largest compute budget", 20.7, "log10 FLOPs"),
    ("grid.n_budgets", "number of compute budgets", 100, "budgets"),
]


def kaplan_constants(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "kaplan2020_constants.csv")
    numeric = pd.to_numeric(raw["value"], errors="coerce")
    keep = numeric.notna() & raw["symbol"].notna()
    out = raw[keep]
    table = pd.DataFrame(
        {
            "quantity": out["quantity"],
            "symbol": out["symbol"],
            "value": numeric[keep],
            "unit": out["unit"].fillna(""),
            "location": out["paper_location"],
            "status": out["status"],
            "notes": out["notes"].fillna(""),
        }
    )
    return pd.concat([table, _kaplan_fixed_batch(raw)], ignore_index=True)


def _kaplan_fixed_batch(raw: pd.DataFrame) -> pd.DataFrame:
    """Figure 14's fixed-batch fit N = (1.6e9) C^0.88, which the transcription keeps in the notes of
    the N_e row: the exponent as a row of its own (its status the transcription's, unverified)."""
    n_e = raw[raw["symbol"] == "N_e"].iloc[0]
    found = re.search(r"fixed-batch fit N=\(([\d.e+]+)\)\*C\^([\d.]+)", str(n_e["notes"]))
    if found is None:
        raise ValueError("kaplan2020_constants.csv: the N_e row's notes no longer give Figure 14's fixed-batch fit")
    return pd.DataFrame([{"quantity": "compute-efficient N exponent at fixed batch", "symbol": "p_N_fixed",
                          "value": float(found.group(2)), "unit": "", "location": "Fig. 14 label",
                          "status": "unverified",
                          "notes": f"fit N = ({found.group(1)}) C^{found.group(2)} against the compute spent at a "
                                   "fixed batch, beside the C_min fit of p_N; from the notes of the N_e row"}])


def llama_models(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "llama_models.csv")
    hours = raw["gpu_hours_a100"].fillna(raw["gpu_hours_a100_unverified"])
    return pd.DataFrame(
        {
            "family": raw["family"],
            "model": raw["model"],
            "n_params": raw["params"].astype(float),
            "n_tokens": raw["train_tokens"].astype(float),
            "context_length": raw["context_length"],
            "gpu_hours": hours,
            "gpu_hours_verified": raw["gpu_hours_a100"].notna(),
            "status": raw["status"],
        }
    )


# --------------------------------------------------------------------------
# Evaluation of Chinchilla against Gopher (Section 4.2, Tables 5-10, A5-A7)
# --------------------------------------------------------------------------

#: The paper's shortened task names -> the names in the benchmarks' own task lists.
#: MMLU: the subject names of hendrycks/test (``mmlu_test_subject_sizes.csv`` maps them);
#: BIG-bench: the task directory names of the BIG-bench repository (every other printed name is
#: already one, except ``alignment_questionnaire``, which we could not find there and keep as printed).
BIGBENCH_CANONICAL = {
    "formal_fallacies_syllogisms_neg": "formal_fallacies_syllogisms_negation",
    "movie_dialog_same_or_diff": "movie_dialog_same_or_different",
    "general_knowledge_json": "general_knowledge",
    "disambiguation_q": "disambiguation_qa",
    "SNARKS": "snarks",
    "evaluating_info_essentiality": "evaluating_information_essentiality",
    "Human_organs_senses_mcc": "human_organs_senses",
    "physics_mc": "physics",
}

_ACC, _BPB, _PPL, _TOX = "accuracy_pct", "bits_per_byte", "perplexity", "toxicity_score"


def _eval_rows(benchmark, task, canonical, setting, model, metric, value, location, status, notes=""):
    return {"benchmark": benchmark, "task": task, "task_canonical": canonical, "setting": setting,
            "model": model, "metric": metric, "value": float(value),
            "higher_is_better": metric == _ACC, "location": location, "status": status,
            "notes": "" if pd.isna(notes) else str(notes)}


def evaluation_results(src: Path) -> pd.DataFrame:
    """Every evaluation score of Section 4.2 as one long table (one row per task, setting and model)."""
    rows = []
    pile = pd.read_csv(src / "chinchilla_tableA5_pile_bpb.csv")
    for r in pile.itertuples():
        for model, column in (("Chinchilla", "chinchilla_70B_bpb"), ("Gopher", "gopher_280B_bpb"),
                              ("Jurassic-1", "jurassic1_bpb")):
            value = getattr(r, column)
            if pd.notna(value):
                rows.append(_eval_rows("Language modelling", r.pile_subset, r.pile_subset, "The Pile", model,
                                       _BPB, value, "Table A5", r.status))
    facts = pd.read_csv(src / "chinchilla_eval_text_facts.csv")
    for r in facts[facts["benchmark"] == "WikiText-103"].itertuples():
        rows.append(_eval_rows("Language modelling", "wikitext103", "wikitext103", "zero-shot", r.model, _PPL,
                               r.value, r.paper_location, r.status))
    t7 = pd.read_csv(src / "chinchilla_table7_reading_comprehension.csv")
    for r in t7.itertuples():
        task, setting = r.task_setting.rsplit(" ", 1)
        rows.append(_eval_rows("Reading comprehension", task, task, setting.lower(), r.model, _ACC, r.accuracy_pct,
                               "Table 7", r.status, r.notes))
    t8 = pd.read_csv(src / "chinchilla_table8_common_sense.csv")
    for r in t8.itertuples():
        rows.append(_eval_rows("Common sense", r.task, r.task, r.setting, r.model, _ACC, r.accuracy_pct,
                               "Table 8", r.status, r.notes))
    t9 = pd.read_csv(src / "chinchilla_table9_closed_book_qa.csv")
    for r in t9.itertuples():
        task = r.dataset.split(" (")[0]
        split = r.dataset.split(" (")[1].rstrip(")")
        rows.append(_eval_rows("Question answering", task, task, f"{split}, {r.setting}", r.model, _ACC,
                               r.accuracy_pct, "Table 9", r.status, r.notes))
    for r in facts[facts["benchmark"] == "TruthfulQA"].itertuples():
        rows.append(_eval_rows("Question answering", "TruthfulQA", "TruthfulQA", r.setting, r.model, _ACC, r.value,
                               r.paper_location, r.status))
    t6 = pd.read_csv(src / "chinchilla_table6_mmlu_summary.csv")
    for r in t6.itertuples():
        model = r.entry.replace(" 5-shot", "")
        rows.append(_eval_rows("MMLU", "average", "average", "5-shot", model, _ACC, r.mmlu_5shot_avg_accuracy_pct,
                               "Table 6", r.status, r.notes))
    sizes = pd.read_csv(src / "mmlu_test_subject_sizes.csv").set_index("mmlu_task")["mmlu_subject_upstream"]
    a6 = pd.read_csv(src / "chinchilla_tableA6_mmlu_per_task.csv")
    for r in a6.itertuples():
        for model, column in (("Chinchilla", "chinchilla_acc_pct"), ("Gopher", "gopher_acc_pct")):
            rows.append(_eval_rows("MMLU", r.mmlu_task, sizes[r.mmlu_task], "5-shot", model, _ACC,
                                   getattr(r, column), "Table A6", r.status))
    a7 = pd.read_csv(src / "chinchilla_tableA7_bigbench_per_task.csv")
    for r in a7.itertuples():
        canonical = BIGBENCH_CANONICAL.get(r.bigbench_task, r.bigbench_task)
        for model, column in (("Chinchilla", "chinchilla_acc_pct"), ("Gopher", "gopher_acc_pct")):
            rows.append(_eval_rows("BIG-bench", r.bigbench_task, canonical, "as printed", model, _ACC,
                                   getattr(r, column), "Table A7", r.status))
    t10 = pd.read_csv(src / "chinchilla_table10_winogender.csv")
    for r in t10.itertuples():
        for model, column in (("Chinchilla", "chinchilla_pct"), ("Gopher", "gopher_pct")):
            rows.append(_eval_rows("Bias and toxicity", "Winogender", "Winogender", f"zero-shot, {r.group}", model,
                                   _ACC, getattr(r, column), "Table 10", r.status))
    tox = facts[facts["benchmark"].str.startswith("Unprompted toxicity")]
    for r in tox.itertuples():
        statistic = r.setting.split(": ")[-1]
        rows.append(_eval_rows("Bias and toxicity", "PerspectiveAPI toxicity", "PerspectiveAPI toxicity",
                               f"unprompted, {statistic}", r.model, _TOX, r.value, r.paper_location, r.status,
                               "25,000 unprompted samples" if r.model == "Chinchilla" else ""))
    return pd.DataFrame(rows)


def evaluation_task_counts(src: Path) -> pd.DataFrame:
    """Table 5: how many tasks each evaluation family has."""
    misc = pd.read_csv(src / "chinchilla_misc_facts.csv").set_index("quantity").loc["evaluation task counts"]
    names = {"LM": "Language modelling", "reading comp.": "Reading comprehension", "QA": "Question answering",
             "common sense": "Common sense", "MMLU": "MMLU", "BIG-bench": "BIG-bench"}
    rows = []
    for part in misc["value"].split("; "):
        label, count = part.rsplit(" ", 1)
        rows.append({"benchmark": names[label], "n_tasks": int(count), "location": misc["paper_location"],
                     "status": misc["status"]})
    return pd.DataFrame(rows)


def mmlu_subjects(src: Path) -> pd.DataFrame:
    """The 57 MMLU subjects: the paper's name, the MMLU release's name and the test questions of each."""
    raw = pd.read_csv(src / "mmlu_test_subject_sizes.csv")
    return pd.DataFrame({"task": raw["mmlu_task"], "task_canonical": raw["mmlu_subject_upstream"],
                         "n_test_questions": raw["n_test_questions"], "status": raw["status"]})


def _claim(claim_id, claim, location, value, unit, status, notes=""):
    return {"claim_id": claim_id, "claim": claim, "location": location, "value": value, "unit": unit,
            "status": status, "notes": notes}


def evaluation_claims(src: Path) -> pd.DataFrame:
    """The text's own statements about the evaluation, one per row, with the number each states."""
    facts = pd.read_csv(src / "chinchilla_eval_text_facts.csv")

    def fact(benchmark, setting, model):
        row = facts[(facts["benchmark"] == benchmark) & (facts["setting"] == setting) & (facts["model"] == model)]
        if len(row) != 1:
            raise ValueError(f"no single text fact for {benchmark} / {setting} / {model}")
        return row.iloc[0]

    rows = []
    abstract = fact("MMLU", "5-shot avg (abstract)", "Chinchilla")
    rows.append(_claim("mmlu.abstract", "Chinchilla's average MMLU accuracy", abstract["paper_location"],
                       abstract["value"], "% acc", abstract["status"]))
    table6 = fact("MMLU", "5-shot avg (Table 6)", "Chinchilla")
    rows.append(_claim("mmlu.text", "Chinchilla's average MMLU accuracy", table6["paper_location"],
                       table6["value"], "% acc", table6["status"]))
    gain = re.search(r"\+([\d.]+) over Gopher", table6["notes"]).group(1)
    rows.append(_claim("mmlu.gain", "Chinchilla's MMLU average is higher than Gopher's by", "Sec. 4.2.2",
                       gain, "pct points", table6["status"]))
    threshold = re.search(r">(\d+)% improvement", pd.read_csv(src / "chinchilla_table6_mmlu_summary.csv")
                          .set_index("entry").loc["Chinchilla 5-shot", "notes"]).group(1)
    rows.append(_claim("mmlu.gain_abstract", "Chinchilla improves on Gopher's MMLU average by more than",
                       "Abstract", threshold, "pct points", abstract["status"]))
    tally = fact("MMLU", "per-task tally", "Chinchilla vs Gopher")
    counts = dict(re.findall(r"(better|same|worse) (\d+)/57", tally["value"]))
    for key, word in (("better", "better than"), ("same", "the same as"), ("worse", "worse than")):
        rows.append(_claim(f"mmlu.{key}", f"MMLU tasks on which Chinchilla is {word} Gopher",
                           tally["paper_location"], counts[key], "tasks", tally["status"]))
    worse, above = tally["notes"].split("; ")
    rows.append(_claim("mmlu.worse_tasks", "MMLU tasks on which Chinchilla is worse than Gopher",
                       tally["paper_location"], float("nan"), "tasks", tally["status"],
                       worse.split(": ", 1)[1]))
    rows.append(_claim("mmlu.above_90", "MMLU tasks on which Chinchilla exceeds 90% accuracy",
                       tally["paper_location"], re.search(r">90% on (\d+) tasks", above).group(1), "tasks",
                       tally["status"]))
    for model in ("Chinchilla", "Gopher"):
        bb = fact("BIG-bench", "average over 62 tasks", model)
        rows.append(_claim(f"bigbench.average.{model.lower()}", f"{model}'s average BIG-bench accuracy (62 tasks)",
                           bb["paper_location"], bb["value"], "% acc", bb["status"]))
    bb_c, bb_g = fact("BIG-bench", "average over 62 tasks", "Chinchilla"), fact("BIG-bench", "average over 62 tasks", "Gopher")
    rows.append(_claim("bigbench.gain", "Chinchilla's BIG-bench average is higher than Gopher's by",
                       bb_c["paper_location"], re.search(r"\+([\d.]+) over Gopher", bb_c["notes"]).group(1),
                       "pct points", bb_c["status"]))
    rows.append(_claim("bigbench.worse", "BIG-bench tasks on which Chinchilla is worse than Gopher",
                       bb_g["paper_location"], float("nan"), "tasks", bb_g["status"],
                       bb_g["notes"].split(": ", 1)[1]))
    lam = fact("LAMBADA", "zero-shot", "Chinchilla/Gopher/MT-NLG")
    for model, value in zip(("Chinchilla", "Gopher", "MT-NLG 530B"), lam["value"].split(" / ")):
        rows.append(_claim(f"lambada.{model.split()[0].lower()}", f"{model}'s zero-shot LAMBADA accuracy",
                           "Sec. 4.2.3", value, "% acc", lam["status"]))
    t9 = pd.read_csv(src / "chinchilla_table9_closed_book_qa.csv")
    note = t9.loc[t9["notes"].fillna("").str.startswith("body text"), "notes"].iloc[0]
    for value, shots in re.findall(r"([\d.]+)% \((\d+)-shot\)", note):
        rows.append(_claim(f"nq.gopher.{shots}shot", f"Gopher's {shots}-shot Natural Questions accuracy",
                           "Sec. 4.2.6", value, "% acc", "verified_2src"))
    wino = fact("Winogender", "improvement over Gopher", "Chinchilla")
    for group, value in re.findall(r"([a-z ]+) \+([\d.]+)", wino["value"]):
        group = group.strip()
        rows.append(_claim(f"winogender.{group.replace(' ', '_')}",
                           f"Chinchilla's Winogender accuracy gain over Gopher, {group} pronouns",
                           wino["paper_location"], value, "pct points", wino["status"]))
    # Statements without a number (their wording is summarised in SOURCES.md of the transcriptions).
    rows.append(_claim("common_sense.all", "Chinchilla outperforms Gopher and GPT-3 on every common-sense task",
                       "Sec. 4.2.5", float("nan"), "tasks", "verified_2src"))
    rows.append(_claim("pile.all", "Chinchilla outperforms Gopher on every subset of The Pile",
                       "Sec. 4.2.1; Figure 5", float("nan"), "subsets", "unverified",
                       "wording not in the transcriptions"))
    out = pd.DataFrame(rows)
    out["value"] = pd.to_numeric(out["value"])
    return out


def later_studies(src: Path) -> pd.DataFrame:
    """Numbers of later IsoFLOP studies (Llama 3, DeepSeek LLM), parsed from their transcribed text."""
    import re

    raw = pd.read_csv(src / "later_studies_facts.csv").set_index("quantity")

    def numbers(text: str) -> list[float]:
        return [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]

    def fact(quantity: str) -> pd.Series:
        return raw.loc[quantity]

    rows = []

    def add(id_, study, quantity, value, unit, fact_row, notes=""):
        rows.append({"id": id_, "study": study, "quantity": quantity, "value": float(value), "unit": unit,
                     "location": fact_row["paper_location"], "status": fact_row["status"], "notes": notes})

    budgets = fact("Llama 3 IsoFLOP budgets")
    lo, hi = numbers(budgets["value_unverified"])[:2]
    add("llama3.budget_min", "Llama 3", "smallest IsoFLOP budget", lo, "FLOPs", budgets)
    add("llama3.budget_max", "Llama 3", "largest IsoFLOP budget", hi, "FLOPs", budgets)
    law = fact("Llama 3 compute-optimal tokens law")
    alpha, coef = numbers(law["value_unverified"].split("where")[0].replace("N*(C)", ""))[-2:]
    add("llama3.tokens_exponent", "Llama 3", "exponent of compute-optimal training tokens in C", alpha, "exponent",
        law, "their N*(C) is the number of training tokens")
    add("llama3.tokens_coef", "Llama 3", "coefficient A of N*(C) = A C^alpha (tokens)", coef, "tokens", law)
    flag = fact("Llama 3 flagship prediction")
    c, n, d, chosen = numbers(flag["value_unverified"])
    add("llama3.flagship_flops", "Llama 3", "flagship training budget", c, "FLOPs", flag)
    add("llama3.flagship_n_params", "Llama 3", "predicted compute-optimal size at the flagship budget", n * 1e9,
        "params", flag, "printed as 402B")
    add("llama3.flagship_n_tokens", "Llama 3", "predicted compute-optimal tokens at the flagship budget", d * 1e12,
        "tokens", flag, "printed as 16.55T")
    add("llama3.chosen_n_params", "Llama 3", "size of the flagship model trained", chosen * 1e9, "params", flag,
        "printed as 405B")
    alloc = fact("DeepSeek LLM allocation")
    m_coef, m_exp, d_coef, d_exp, b_lo, b_hi = numbers(alloc["value_unverified"])
    add("deepseek.m_coef", "DeepSeek LLM", "coefficient of M_opt = k C^a (non-embedding FLOPs per token)", m_coef,
        "FLOPs per token", alloc)
    add("deepseek.a", "DeepSeek LLM", "exponent a of M_opt (model scale) in C", m_exp, "exponent", alloc)
    add("deepseek.d_coef", "DeepSeek LLM", "coefficient of D_opt = k C^b", d_coef, "tokens", alloc)
    add("deepseek.b", "DeepSeek LLM", "exponent b of D_opt in C", d_exp, "exponent", alloc)
    add("deepseek.budget_min", "DeepSeek LLM", "smallest IsoFLOP budget", b_lo, "FLOPs", alloc)
    add("deepseek.budget_max", "DeepSeek LLM", "largest IsoFLOP budget", b_hi, "FLOPs", alloc)
    quality = re.findall(r"(\d\.\d+) \(([^)]*)\)", alloc["notes"])
    for key, (value, what) in zip(("early_data", "current_data", "openwebtext2"), quality):
        add(f"deepseek.a_{key}", "DeepSeek LLM", f"exponent a of M_opt, {what} data".replace("data data", "data"),
            value, "exponent", alloc, "the exponent depends on data quality")
    return pd.concat([pd.DataFrame(rows), open_athena_audit()], ignore_index=True)


#: Open-Athena's files the audit's printed numbers are read from (pinned, hash-checked, parsed as text).
OPEN_ATHENA_PAPER = "Open-Athena/scaling-law-analysis/results/paper/paper.tex"
OPEN_ATHENA_EXP11 = "Open-Athena/scaling-law-analysis/results/experiments/exp11/compute_allocation_errors.txt"


def _pinned_text(name: str) -> str:
    """One pinned external file as text, fetched and hash-checked by the library (never executed)."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from chinchilla_lib.datasets.external import fetch_external

    return fetch_external(name).read_text(encoding="utf-8")


def _one(pattern: str, text: str, where: str) -> tuple[str, ...]:
    """The groups of the single match of ``pattern`` in ``text`` (whitespace collapsed); error if not exactly one."""
    found = re.findall(pattern, " ".join(text.split()))
    if len(found) != 1:
        raise ValueError(f"{where}: expected one match of {pattern!r}, found {len(found)}; the pinned file changed")
    return found[0] if isinstance(found[0], tuple) else (found[0],)


def open_athena_audit() -> pd.DataFrame:
    """Czech et al. (2026)'s audit of Approach 2 on the Llama 3 points, read from their pinned paper and results.

    The paper's text (Sec. "Error Costs") prints ranges; their exp11 results file prints each
    comparison and the surfaces behind it.  Parsed from the files, never typed, so a change upstream
    (a new pin) shows as a changed row.
    """
    study = "Czech et al. 2026 (Open-Athena)"
    paper = _pinned_text(OPEN_ATHENA_PAPER)
    section = paper.split("\\label{sec:error_costs}", 1)[1].split("\\section{", 1)[0]
    where = ("Czech et al. 2026 (arXiv 2603.22339), Sec. 'Error Costs: Misallocation at Frontier Scale', "
             "paper.tex at the pinned commit")
    rows = []

    def add(id_, quantity, value, unit, location, notes=""):
        rows.append({"id": f"openathena.llama3.{id_}", "study": study, "quantity": quantity, "value": float(value),
                     "unit": unit, "location": location, "status": "unverified", "notes": notes})

    over = _one(r"On the empirical Llama~3 data, Approach~2 overestimates the compute-optimal token count by "
                r"(\d+)--(\d+)\\%", section, OPEN_ATHENA_PAPER)
    waste = _one(r"yielding DCL of (\d+)--(\d+)\\% of budget", section, OPEN_ATHENA_PAPER)
    span = "a range 'depending on the reference surface' (their VPNLS and Approach 3 fits)"
    for end, i in (("low", 0), ("high", 1)):
        add(f"token_overestimate_{end}", f"Approach 2 tokens over Approach 3's at 3.8e25 FLOPs, {end} end of range",
            over[i], "%", where, f"printed as {over[i]}; {span}")
    for end, i in (("low", 0), ("high", 1)):
        add(f"waste_{end}", f"deadweight compute of Approach 2's allocation at 3.8e25 FLOPs, {end} end of range",
            waste[i], "% of budget", where, f"printed as {waste[i]}; {span}")
    exp11 = _pinned_text(OPEN_ATHENA_EXP11)
    llama = exp11.split("Llama 3: Approach 2 vs Parametric Fits on Real IsoFLOP Data", 1)[1]
    where11 = "Czech et al. 2026, results/experiments/exp11/compute_allocation_errors.txt at the pinned commit"
    a2 = _one(r"Approach 2 power laws: a=([\d.]+), b=([\d.]+)", llama, OPEN_ATHENA_EXP11)
    add("approach2_b", "Approach 2 exponent of D* in C on the Llama 3 points", a2[1], "exponent", where11,
        f"printed as {a2[1]}; their a + b = 1")
    number = r"([\d.]+)"
    for key, label in (("vpnls", "VPNLS"), ("approach3", "Approach 3")):
        surface = _one(rf"{label} surface \(E={number}, A={number}, B={number}, \u03b1={number}, \u03b2={number},",
                       llama, OPEN_ATHENA_EXP11)
        for name, value in zip(("E", "A", "B", "alpha", "beta"), surface):
            add(f"{key}_{name}", f"{name} of their {label} surface fitted to the Llama 3 points (plotted loss)", value,
                {"E": "Figure 2 loss", "A": "coefficient", "B": "coefficient"}.get(name, "exponent"), where11,
                f"printed as {value}; " + ("VPNLS: least squares on the loss" if key == "vpnls"
                                           else "their Approach 3: least squares on log loss"))
        block = llama.split(f"Approach 2 vs {label}:", 1)[1].split("Approach 2 vs", 1)[0]
        true_t, inferred_t, over_pct = _one(r"D\* \(tokens\): ([\d.]+)T true \u2192 ([\d.]+)T inferred "
                                            r"\(over, ([\d.]+)%\)", block, OPEN_ATHENA_EXP11)
        dcl = _one(r"DCL: [\d.e+]+ FLOPs \(([\d.]+)% of budget", block, OPEN_ATHENA_EXP11)[0]
        add(f"{key}_token_overestimate", f"Approach 2 tokens over their {label} surface's at 3.8e25 FLOPs", over_pct,
            "%", where11, f"printed as {over_pct}")
        add(f"{key}_waste",
            f"deadweight compute of Approach 2's allocation under their {label} surface at 3.8e25 FLOPs", dcl, "% of budget", where11, f"printed as {dcl}")
        add(f"{key}_d_opt", f"compute-optimal tokens of their {label} surface at 3.8e25 FLOPs", float(true_t) * 1e12,
            "tokens", where11, f"printed as {true_t}T")
        if key == "vpnls":
            add("approach2_d_opt", "Approach 2 compute-optimal tokens at 3.8e25 FLOPs on the Llama 3 points",
                float(inferred_t) * 1e12, "tokens", where11, f"printed as {inferred_t}T")
    return pd.DataFrame(rows)


BUILDERS = {
    "table1_models": table1_models,
    "table2_exponents": table2_exponents,
    "projections": projections,
    "tableA4_flop_ratio": tableA4_flop_ratio,
    "tableA9_models": tableA9_models,
    "table4_architecture": table4_architecture,
    "laws": laws,
    "paper_values": paper_values,
    "kaplan_constants": kaplan_constants,
    "llama_models": llama_models,
    "evaluation_results": evaluation_results,
    "evaluation_task_counts": evaluation_task_counts,
    "evaluation_claims": evaluation_claims,
    "mmlu_subjects": mmlu_subjects,
    "later_studies": later_studies,
}


def build_all(source: Path = DEFAULT_SOURCE) -> dict[str, pd.DataFrame]:
    """Return every tidy table, keyed by its file stem in ``chinchilla_lib/data/``."""
    return {name: fn(source) for name, fn in BUILDERS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "chinchilla_lib" / "data")
    args = parser.parse_args()
    for name, frame in build_all(args.source).items():
        frame.to_csv(args.out / f"{name}.csv", index=False, float_format="%.10g")
        print(f"wrote {args.out / (name + '.csv')} ({len(frame)} rows)")


if __name__ == "__main__":
    main()
