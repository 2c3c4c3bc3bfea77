"""Build the tidy CSVs in ``data/`` from the transcribed paper tables.

The transcriptions (with provenance for every number) live outside this
repository in ``../shared/reference/paper-tables``.  This script is the one
documented way the committed ``data/*.csv`` files were made; the test
``tests/test_data_provenance.py`` re-runs it in memory and checks that the
committed files still agree with the transcriptions.

Usage::

    python scripts/make_data.py [--source DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
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
    return pd.DataFrame(rows)


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

    gopher = flops.loc["Gopher training compute, Rae et al. value"]
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
        ]
    )


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
    return pd.DataFrame(
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
}


def build_all(source: Path = DEFAULT_SOURCE) -> dict[str, pd.DataFrame]:
    """Return every tidy table, keyed by its file stem in ``data/``."""
    return {name: fn(source) for name, fn in BUILDERS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    for name, frame in build_all(args.source).items():
        frame.to_csv(args.out / f"{name}.csv", index=False, float_format="%.10g")
        print(f"wrote {args.out / (name + '.csv')} ({len(frame)} rows)")


if __name__ == "__main__":
    main()
