"""Scorecard rows of the chapter *Over-training and inference* (ids ``overtraining.*``).

Sardana et al.'s headline (a Chinchilla-optimal 13B replaced for 2T inference
tokens, with their code's constants); Gadre et al.'s largest over-training
factor against their published files and the LLaMA token axis against the known
run lengths, both self-checks (look-ups and a calibration, not computations).
"""

from __future__ import annotations

from ..datasets import paper_value
from ..datasets.gadre import load_gadre_runs
from ..datasets.llama import llama_calibration
from ..laws.inference import compute_optimal_for_params
from ..studies.inference_sizing import HEADLINE_LAW, sardana_headline
from .check import Check

__all__ = ["checks"]

_SARDANA_BY = "Sardana et al. 2023"
_SARDANA = f"{_SARDANA_BY}, Sec. 3 (their code, default constants)"
_GADRE_BY = "Gadre et al. 2024"
_GADRE = f"{_GADRE_BY}, abstract"
_TOUVRON = "Touvron et al. 2023"


def checks():
    """The headline's six numbers, Gadre's M = 32 (a self-check of the files), the LLaMA end points."""
    co_tokens, co_loss = compute_optimal_for_params(HEADLINE_LAW, paper_value("sardana.replace.n_params"))
    head = sardana_headline()
    rows = [
        ("co_tokens", "Chinchilla-optimal tokens of a 13B model", co_tokens, 0.05e9, "printed as 576.5B"),
        ("co_loss", "loss of the Chinchilla-optimal 13B model", co_loss, 0.0005, "printed to 3 decimals"),
        ("n_opt", "inference-aware size replacing it for 2T inference tokens", head.optimum.n_params, 0.005e9,
         "printed as 6.97e9"),
        ("d_opt", "its training tokens", head.optimum.n_tokens, 0.0005e12, "printed as 1.248e12"),
        ("saved_flops", "training + inference FLOPs saved", head.saved_flops, 0.005e22, "printed as 1.69e22"),
        ("saving_pct", "share of FLOPs saved (%)", 100 * head.saving, 0.05, "printed as 17.4%"),
    ]
    for key, quantity, ours, tol, note in rows:
        yield Check(id=f"overtraining.sardana.{key}", quantity=f"Sardana et al.: {quantity}",
                    reference=paper_value(f"sardana.replace.{key}"), source=_SARDANA, ours=float(ours),
                    tolerance=tol, printed_by=_SARDANA_BY,
                    note=f"{note}; constants alpha 0.336, beta 0.283, A 406.4, B 410.7, E 1.69")
    runs = load_gadre_runs()
    # Both Gadre rows read a field of their published files (M, and 20 M tokens per parameter): they
    # check our copy of the files against their abstract, not a computation, so they are self-checks.
    yield Check(id="overtraining.gadre.max_multiplier", quantity="Gadre et al.: largest token multiplier M in their runs",
                reference=paper_value("gadre.max_multiplier"), source=_GADRE,
                ours=float(runs["token_multiplier"].max()), tolerance=0.5, self_check=True, printed_by=_GADRE_BY,
                note="a look-up: the largest M in the published model files, against the abstract")
    yield Check(id="overtraining.gadre.tokens_per_param", quantity="Gadre et al.: tokens per parameter at that M",
                reference=paper_value("gadre.tokens_per_param_at_max"), source=_GADRE,
                ours=float(runs["tokens_per_param"].max()), tolerance=0.5, self_check=True, printed_by=_GADRE_BY,
                note="a look-up: 20 M tokens per parameter at the files' largest M, against the abstract")
    cal = llama_calibration().set_index("model")
    for model in ("LLaMA-7B", "LLaMA-65B", "Llama-2-7B", "Llama-2-70B"):
        yield Check(id=f"overtraining.llama.end_tokens.{model}",
                    quantity=f"{model}: tokens at the end of its digitised curve (our axis)",
                    reference=float(cal.loc[model, "n_tokens"]), source=f"{_TOUVRON}a/b, Table 1",
                    ours=float(cal.loc[model, "end_tokens"]), tolerance=0.05e12,
                    note="the axis is calibrated on these end points (printed as 1.0T, 1.4T, 2.0T)", self_check=True,
                    printed_by=_TOUVRON)
