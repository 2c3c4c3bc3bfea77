"""The claims of the paper and of its critics, one verdict each, decided by explicit rules on the book's evidence.

A verdict is one of :data:`VERDICTS`: "holds", "partly", "does not hold", "cannot be decided".
Every claim is decided by one of the rules below, on values from :mod:`.claim_evidence` (the
same functions as the chapter that holds the evidence), never by hand:

* :func:`interval_verdict` -- a claimed value against one fit's 80% interval, read with the
  fit-quality gate's verdict (:mod:`~chinchilla_lib.approaches.quality`): inside -> holds; outside a
  decided fit's interval -> does not hold; outside a flagged fit's interval -> cannot be decided (a
  flagged interval understates its uncertainty, so a value outside it is not shown wrong, while a
  value inside would stay inside a wider interval); a refused fit or no interval -> cannot be decided;
* :func:`overlap_verdict` -- "the fits agree": every pair of fits the gate does not refuse is
  compared, overlapping 80% intervals -> holds, disjoint intervals of two decided fits -> does not
  hold, disjoint with a flagged fit -> cannot be decided; the pairs combined by :func:`combine_verdicts`;
* :func:`combine_verdicts` -- several verdicts on one claim: the undecidable ones are set aside;
  all of the rest hold -> holds, none holds -> does not hold, a mix -> partly; none left ->
  cannot be decided (also the rule for a claim tested on several data sets, :func:`share_verdict`);
* :func:`coverage_verdict` -- "the forecasts' 80% intervals are honest": the count of observations
  inside is compared with a binomial count at the nominal level; at or above its 10% quantile ->
  holds; below it -> does not hold; one of two measures honest -> partly; nothing scored ->
  cannot be decided;
* :func:`margin_verdict` -- "A beats B at equal compute": A ahead on most of the paired scores and
  the two budgets within the gap between two FLOP counts of one model -> holds; ahead, but with
  unequal budgets -> partly; not ahead -> does not hold; no scores -> cannot be decided;
* :func:`cause_verdict` -- "this choice explains a change of the exponent" (on each data set): the
  step it is measured to cause is at least half the whole change -> holds; smaller than the
  tolerance (how far apart the paper's own three exponents are) -> does not hold; in between -> partly;
* :func:`correction_verdict` -- "these corrections turn a set-up's exponent into the target's":
  the corrected exponent within the tolerance of the target and the uncorrected one within it of the
  exponent it is meant to reproduce -> holds; only the first -> partly; not the first -> does not hold;
* :func:`prediction_verdict` -- a prediction made in advance: every planned run trained and the
  outcome inside the predicted interval -> holds; outside -> does not hold; runs missing -> cannot
  be decided.

The claims of :func:`claims_table`, by id: the rule and the evidence (its chapter in brackets):

* ``agree`` -- :func:`overlap_verdict` on the three approaches' exponents on the Figure 4 points [other_runs];
* ``half`` -- :func:`interval_verdict` of a = 1/2 in Approach 2's and Approach 3's refits, combined [comparison];
* ``tokens_per_param`` -- :func:`interval_verdict` of the paper's tokens per parameter (Table 3's median) in
  every decided fit's interval on the public runs, combined [other_runs];
* ``gopher`` -- :func:`margin_verdict` on every paired score of the evaluation tables and the two models'
  6ND [chinchilla_vs_gopher];
* ``printed_a3`` -- :func:`interval_verdict` of Table 2's Approach 3 exponent in our refit's [approach3];
* ``kaplan_schedule`` -- :func:`cause_verdict` of Porian et al.'s decay step [kaplan];
* ``kaplan_counting`` -- :func:`correction_verdict` of Porian et al.'s corrected and Kaplan-like exponents
  against Table 2's Approach 1 and Kaplan's own [kaplan];
* ``overtraining`` -- :func:`share_verdict` of equal-compute comparisons of finished runs past the near-optimal
  cut that the smaller model wins [overtraining];
* ``inference`` -- :func:`share_verdict` of the sets of constants under which Sardana et al.'s replacement
  saves compute [overtraining];
* ``llama3`` -- :func:`interval_verdict` of the printed size and tokens in our refit's intervals [comparison];
* ``forecast`` -- :func:`coverage_verdict` on every scored backtest, for N_opt and the loss [backtests];
* ``approach2_bias`` -- :func:`share_verdict` of the audited sets on which Approach 2's token overestimate
  lies above zero (its 80% interval, at 100 times each set's largest budget) [backtests];
* ``prediction_1``, ``prediction_2`` -- :func:`prediction_verdict` of our predictions [laptop].

References
----------
Hoffmann et al. 2022; Besiroglu et al. 2024; Pearce & Song 2024; Porian et al. 2024; Sardana et al. 2023;
Tyl 2023 ("Chinchilla's Death"); Dubey et al. 2024 (Llama 3); Czech et al. 2026.  Used by the page
*What Chinchilla got right and wrong*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = ["VERDICTS", "HOLDS", "PARTLY", "DOES_NOT_HOLD", "CANNOT", "EQUAL_SCALING", "EVIDENCE_TITLES", "COLUMNS",
           "HONEST_QUANTILE", "interval_verdict", "overlap_verdict", "combine_verdicts", "share_verdict",
           "coverage_verdict", "honest_count", "margin_verdict", "cause_verdict", "correction_verdict",
           "prediction_verdict", "claims_table", "claims_display", "claims_numbers", "tokens_per_param_numbers"]

HOLDS, PARTLY, DOES_NOT_HOLD, CANNOT = "holds", "partly", "does not hold", "cannot be decided"
#: The four verdicts, in the order a reader meets them.
VERDICTS = (HOLDS, PARTLY, DOES_NOT_HOLD, CANNOT)
#: a = 1/2 in N_opt ∝ C^a: parameters and tokens grow in equal proportion (the claim's definition).
EQUAL_SCALING = 0.5
#: The chapter each claim's evidence is in: file stem -> title, as its heading reads.
EVIDENCE_TITLES = {
    "comparison": "The three approaches side by side",
    "other_runs": "The approaches on other people's runs",
    "backtests": "Does the law predict?",
    "approach3": "Approach 3: the parametric fit",
    "kaplan": "The Kaplan comparison: why Kaplan's exponent was larger",
    "chinchilla_vs_gopher": "Chinchilla vs Gopher",
    "overtraining": "Over-training and inference",
    "laptop": "A Chinchilla on a laptop",
}
#: The columns of :func:`claims_table`.
COLUMNS = ("claim", "who", "verdict", "number", "evidence")
#: Honest intervals put at least this quantile of the binomial count inside (:func:`honest_count`).
HONEST_QUANTILE = 0.1
_GATES = ("decided", "flagged", "refused")


# ---------------------------------------------------------------- the rules
def _gate(gate: str) -> str:
    if gate not in _GATES:
        raise ValueError(f"gate must be one of {_GATES}, got {gate!r}")
    return gate


def interval_verdict(value: float, low: float, high: float, gate: str = "decided") -> str:
    """A claimed ``value`` against a fit's 80% interval [``low``, ``high``] and the gate's verdict on the fit.

    Inside -> "holds"; outside a decided fit's interval -> "does not hold"; outside a flagged
    fit's -> "cannot be decided"; a refused fit or a missing interval -> "cannot be decided".
    """
    if _gate(gate) == "refused" or not np.all(np.isfinite([value, low, high])):
        return CANNOT
    if low <= value <= high:
        return HOLDS
    return DOES_NOT_HOLD if gate == "decided" else CANNOT


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """One verdict from several on the same claim: undecidable ones set aside, then all hold -> "holds",
    none holds -> "does not hold", a mix (or any "partly") -> "partly"; none left -> "cannot be decided"."""
    verdicts = list(verdicts)
    unknown = set(verdicts) - set(VERDICTS)
    if unknown:
        raise ValueError(f"not verdicts: {sorted(unknown)}")
    told = [v for v in verdicts if v != CANNOT]
    if not told:
        return CANNOT
    if all(v == HOLDS for v in told):
        return HOLDS
    if all(v == DOES_NOT_HOLD for v in told):
        return DOES_NOT_HOLD
    return PARTLY


def overlap_verdict(fits: Sequence[tuple[float, float, str]]) -> str:
    """Do the fits agree?  ``fits``: (low, high, gate) per fit; refused fits are left out.

    Each pair: overlapping intervals -> "holds"; disjoint, both decided -> "does not hold"; disjoint
    with a flagged fit -> "cannot be decided".  The pairs are combined by :func:`combine_verdicts`;
    fewer than two usable fits -> "cannot be decided".
    """
    usable = [(lo, hi, _gate(g)) for lo, hi, g in fits if g != "refused" and np.isfinite(lo) and np.isfinite(hi)]
    pairs = []
    for (lo1, hi1, g1), (lo2, hi2, g2) in combinations(usable, 2):
        if max(lo1, lo2) <= min(hi1, hi2):
            pairs.append(HOLDS)
        else:
            pairs.append(DOES_NOT_HOLD if g1 == g2 == "decided" else CANNOT)
    return combine_verdicts(pairs)


def share_verdict(n_holding: int, n_told: int) -> str:
    """A claim tested on ``n_told`` data sets, holding on ``n_holding`` (:func:`combine_verdicts` on counts)."""
    if not 0 <= n_holding <= n_told:
        raise ValueError(f"need 0 <= n_holding <= n_told, got {n_holding} and {n_told}")
    return combine_verdicts([HOLDS] * n_holding + [DOES_NOT_HOLD] * (n_told - n_holding))


def honest_count(scored: int, nominal: float) -> int:
    """The fewest of ``scored`` observations inside their intervals that honest ``nominal`` intervals give
    in all but a :data:`HONEST_QUANTILE` share of cases: that quantile of Binomial(``scored``, ``nominal``)."""
    from scipy.stats import binom

    return int(binom.ppf(HONEST_QUANTILE, scored, nominal))


def _honest(inside: int, scored: int, nominal: float) -> bool | None:
    if scored == 0:
        return None
    return inside >= honest_count(scored, nominal)


def coverage_verdict(inside: int, scored: int, nominal: float, loss_inside: int = 0, loss_scored: int = 0) -> str:
    """Are forecast intervals honest out of sample?  ``inside`` of ``scored`` observations fell in their interval.

    An honest ``nominal`` interval puts Binomial(``scored``, ``nominal``) observations inside; a count
    at or above that distribution's :data:`HONEST_QUANTILE` quantile (:func:`honest_count`) is honest.
    With a second measure (the loss:
    ``loss_inside`` of ``loss_scored``): both honest -> "holds", one -> "partly", none -> "does not
    hold"; nothing scored -> "cannot be decided".
    """
    readings = [r for r in (_honest(inside, scored, nominal), _honest(loss_inside, loss_scored, nominal))
                if r is not None]
    return combine_verdicts(HOLDS if r else DOES_NOT_HOLD for r in readings)


def margin_verdict(wins: int, n: int, compute_ratio: float, tolerance: float) -> str:
    """"A beats B at equal compute": A ahead in ``wins`` of ``n`` paired scores, A's budget ``compute_ratio`` times B's.

    Ahead on most scores and ``|compute_ratio - 1| <= tolerance`` -> "holds"; ahead, budgets apart ->
    "partly"; not ahead -> "does not hold"; no scores -> "cannot be decided".
    """
    if n == 0:
        return CANNOT
    if wins <= n / 2:
        return DOES_NOT_HOLD
    return HOLDS if abs(compute_ratio - 1.0) <= tolerance else PARTLY


def cause_verdict(steps: Sequence[float], totals: Sequence[float], tolerance: float) -> str:
    """"This choice explains the change": per data set, the ``step`` it causes against the ``total`` change.

    Every step at least half its total -> "holds"; every step below ``tolerance`` -> "does not hold";
    otherwise "partly".
    """
    if not steps or len(steps) != len(totals):
        return CANNOT
    if all(s >= t / 2 for s, t in zip(steps, totals)):
        return HOLDS
    if all(s < tolerance for s in steps):
        return DOES_NOT_HOLD
    return PARTLY


def correction_verdict(corrected: Sequence[float], target: float, uncorrected: Sequence[float], reproduced: float,
                       tolerance: float) -> str:
    """"The corrections take the set-up's exponent to the target": per data set, the ``corrected`` exponent
    against ``target`` and the ``uncorrected`` one against the exponent it ``reproduced``.

    All corrected within ``tolerance`` of the target and all uncorrected within it of the reproduced
    exponent -> "holds"; only the first -> "partly"; otherwise "does not hold".
    """
    if not corrected:
        return CANNOT
    if not all(abs(c - target) <= tolerance for c in corrected):
        return DOES_NOT_HOLD
    return HOLDS if all(abs(u - reproduced) <= tolerance for u in uncorrected) else PARTLY


def prediction_verdict(observed: float, low: float, high: float, complete: bool) -> str:
    """A prediction made in advance: all runs trained and ``observed`` in [``low``, ``high``] -> "holds";
    outside -> "does not hold"; runs missing -> "cannot be decided"."""
    if not complete or not np.isfinite(observed):
        return CANNOT
    return HOLDS if low <= observed <= high else DOES_NOT_HOLD


# ---------------------------------------------------------------- the claims
def _ab(a: float, lo: float, hi: float, gate: str = "decided", digits: int = 3) -> str:
    flag = "" if gate == "decided" else f", {gate}"
    return f"{a:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f}{flag})"


def _flag(gate: str) -> str:
    return "" if gate == "decided" else f" ({gate})"


def _fig4_fits(ev: dict) -> list[tuple[int, float, float, float, str]]:
    return [(k, ev[f"or_fig4_a{k}"], ev[f"or_fig4_a{k}_lo"], ev[f"or_fig4_a{k}_hi"], ev[f"or_fig4_a{k}_gate"])
            for k in (1, 2, 3)]


def _agree(ev: dict) -> dict:
    fits = _fig4_fits(ev)
    usable = [f for f in fits if f[4] != "refused"]
    lo, hi = max(f[2] for f in usable), min(f[3] for f in usable)
    common = f"; 80% intervals share {lo:.3f}-{hi:.3f}" if lo <= hi else "; 80% intervals share no value"
    names = ", ".join("1 (final losses)" if f[0] == 1 else str(f[0]) for f in usable)
    return {"id": "agree", "claim": "The three approaches agree", "who": "Paper, 2022",
            "verdict": overlap_verdict([(f[2], f[3], f[4]) for f in fits]),
            "number": f"Approaches {names}: a = " + ", ".join(f"{f[1]:.3f}{_flag(f[4])}" for f in usable) + common,
            "evidence": "other_runs"}


def _half(ev: dict) -> dict:
    verdicts = [interval_verdict(EQUAL_SCALING, ev[f"p_a{k}_lo"], ev[f"p_a{k}_hi"], ev[f"p_a{k}_gate"]) for k in (2, 3)]
    return {"id": "half", "claim": f"N_opt ∝ C^a with a ≈ {EQUAL_SCALING:g}, on the paper's own runs",
            "who": "Paper, 2022",
            "verdict": combine_verdicts(verdicts),
            "number": f"Approach 2: {_ab(ev['p_a2'], ev['p_a2_lo'], ev['p_a2_hi'], ev['p_a2_gate'])}; "
                      f"Approach 3: {_ab(ev['p_a3'], ev['p_a3_lo'], ev['p_a3_hi'], ev['p_a3_gate'])}",
            "evidence": "comparison"}


def _tpp(ev: dict) -> dict:
    rule = ev["or_tpp_rule"]
    verdicts = [interval_verdict(rule, lo, hi) for _, lo, hi in ev["or_tpp_fits"]]
    inside = verdicts.count(HOLDS)
    return {"id": "tokens_per_param", "claim": f"About {rule:.0f} tokens per parameter", "who": "Paper, 2022",
            "verdict": combine_verdicts(verdicts),
            "number": f"{rule:.0f} inside {inside} of {len(verdicts)} decided 80% intervals; fits range "
                      f"{ev['or_tpp_min']:.1f} to {ev['or_tpp_max']:.0f}", "evidence": "other_runs"}


def _gopher(ev: dict) -> dict:
    return {"id": "gopher", "claim": "Chinchilla beats Gopher at equal compute", "who": "Paper, 2022",
            "verdict": margin_verdict(ev["g_wins"], ev["g_n"], ev["g_ratio_6nd"], ev["g_counting_gap"]),
            "number": f"ahead on {ev['g_wins']} of {ev['g_n']} scores, with {ev['g_ratio_6nd']:.2f}× "
                      f"Gopher's compute (6ND)", "evidence": "chinchilla_vs_gopher"}


def _printed_a3(ev: dict) -> dict:
    return {"id": "printed_a3",
            "claim": f"The printed Approach 3 fit, a = {ev['p_printed_a3']:.2f}, fits the paper's runs "
                     "(disputed by Besiroglu et al., 2024)", "who": "Paper, 2022",
            "verdict": interval_verdict(ev["p_printed_a3"], ev["p_a3_lo"], ev["p_a3_hi"], ev["p_a3_gate"]),
            "number": f"refit a = {_ab(ev['p_a3'], ev['p_a3_lo'], ev['p_a3_hi'], ev['p_a3_gate'])}",
            "evidence": "approach3"}


def _kaplan_schedule(ev: dict) -> dict:
    from .claim_evidence import DECAY_STEP

    rw, owt2 = ev["k_steps_rw"], ev["k_steps_owt2"]
    steps = [s[DECAY_STEP - 1] - s[DECAY_STEP] for s in (rw, owt2)]
    totals = [s[0] - s[-1] for s in (rw, owt2)]
    return {"id": "kaplan_schedule",
            "claim": f"Kaplan's larger a ({ev['k_kaplan']:.2f}) came from one learning-rate schedule for every run",
            "who": "Paper, 2022", "verdict": cause_verdict(steps, totals, ev["k_tol"]),
            "number": f"matching the decay lowers a by {steps[0]:.2f} of {totals[0]:.2f} (RefinedWeb), "
                      f"{steps[1]:.2f} of {totals[1]:.2f} (OpenWebText2)", "evidence": "kaplan"}


def _kaplan_counting(ev: dict) -> dict:
    rw, owt2 = ev["k_steps_rw"], ev["k_steps_owt2"]
    verdict = correction_verdict([rw[-1], owt2[-1]], ev["k_target"], [rw[0], owt2[0]], ev["k_kaplan"], ev["k_tol"])
    return {"id": "kaplan_counting", "claim": "Kaplan's larger a came from counting, warm-up and untuned sizes",
            "who": "Pearce & Song, 2024; Porian et al., 2024", "verdict": verdict,
            "number": f"a {rw[0]:.2f} → {rw[-1]:.2f} (RefinedWeb), {owt2[0]:.2f} → {owt2[-1]:.2f} (OpenWebText2); "
                      f"Kaplan's own {ev['k_kaplan']:.2f}", "evidence": "kaplan"}


def _overtrain(ev: dict) -> dict:
    return {"id": "overtraining",
            "claim": "A smaller model trained longer overtakes a larger one at equal compute",
            "who": "Tyl, 2023", "verdict": share_verdict(ev["ot_wins_far"], ev["ot_far"]),
            "number": f"smaller model lower in {ev['ot_wins_far']} of {ev['ot_far']} finished pairs past "
                      f"{ev['ot_near_tpp']:.0f} tokens per parameter ({ev['ot_wins_near']} of {ev['ot_near']} "
                      "nearer)", "evidence": "overtraining"}


def _inference(ev: dict) -> dict:
    savings = ev["inf_savings"]
    return {"id": "inference", "claim": "Large inference demand favours a smaller model trained longer",
            "who": "Sardana et al., 2023",
            "verdict": share_verdict(sum(s > 0 for s in savings), len(savings)),
            "number": f"{ev['inf_saving']:.1f}% of FLOPs saved (printed {ev['inf_printed']:.1f}%); "
                      f"{min(savings):.0f}-{max(savings):.0f}% under {len(savings)} sets of constants",
            "evidence": "overtraining"}


def _llama3(ev: dict) -> dict:
    verdicts = [interval_verdict(ev[f"l3_printed_{q}"], ev[f"l3_{q}_lo"], ev[f"l3_{q}_hi"], ev["l3_gate"])
                for q in ("n_params", "n_tokens")]
    return {"id": "llama3",
            "claim": f"Llama 3's flagship: {ev['l3_printed_n_params'] / 1e9:.0f}B parameters on "
                     f"{ev['l3_printed_n_tokens'] / 1e12:.2f}T tokens", "who": "Dubey et al., 2024 (Llama 3)",
            "verdict": combine_verdicts(verdicts),
            "number": f"refit {ev['l3_n_params'] / 1e9:.0f}B ({ev['l3_n_params_lo'] / 1e9:.0f}-"
                      f"{ev['l3_n_params_hi'] / 1e9:.0f}B) on {ev['l3_n_tokens'] / 1e12:.1f}T "
                      f"({ev['l3_n_tokens_lo'] / 1e12:.1f}-{ev['l3_n_tokens_hi'] / 1e12:.1f}T)"
                      + ("" if ev["l3_gate"] == "decided" else f"; fit {ev['l3_gate']}"),
            "evidence": "comparison"}


def _forecast(ev: dict) -> dict:
    return {"id": "forecast", "claim": "Fits of small runs forecast the optimum of a larger budget",
            "who": "Paper, 2022",
            "verdict": coverage_verdict(ev["bt_inside"], ev["bt_scored"], ev["bt_nominal"], ev["bt_loss_inside"],
                                        ev["bt_loss_scored"]),
            "number": f"{ev['bt_inside']} of {ev['bt_scored']} N_opt and {ev['bt_loss_inside']} of "
                      f"{ev['bt_loss_scored']} losses inside their {100 * ev['bt_nominal']:.0f}% intervals",
            "evidence": "backtests"}


def _audit(ev: dict) -> dict:
    signs = ev["au_signs"]
    over = sum(lo > 0 for lo, _ in signs)
    return {"id": "approach2_bias", "claim": "Approach 2 overestimates the compute-optimal tokens",
            "who": "Czech et al., 2026",
            "verdict": share_verdict(over, len(signs)),
            "number": f"Llama 3: +{ev['au_over']:.0f}% (+{ev['au_over_lo']:.0f} to +{ev['au_over_hi']:.0f}%; printed "
                      f"+{ev['au_printed_lo']:.0f} to +{ev['au_printed_hi']:.0f}%); more tokens on {over} of "
                      f"{len(signs)} sets", "evidence": "backtests"}


def _prediction(ev: dict, which: str, label: str) -> dict:
    p = {k: ev[f"{which}_{k}"] for k in ("model", "loss", "lo", "hi", "obs", "complete")}
    if p["complete"]:
        reached = f"reached {p['obs']:.3f}"
    else:
        reached = f"{ev[f'{which}_trained']} of its {ev[f'{which}_planned']} runs trained"
    return {"id": f"prediction_{which[1]}",
            "claim": f"Our {label} prediction, made in advance: {p['model']}'s loss at {ev[f'{which}_factor']:.0f}× "
                     "the grid's largest budget", "who": "This book",
            "verdict": prediction_verdict(p["obs"], p["lo"], p["hi"], p["complete"]),
            "number": f"predicted {_ab(p['loss'], p['lo'], p['hi'])} nats per byte; {reached}", "evidence": "laptop"}


_ROWS = (_agree, _half, _tpp, _gopher, _printed_a3, _kaplan_schedule, _kaplan_counting, _overtrain, _inference,
         _llama3, _forecast, _audit)


def claims_table(evidence: dict | None = None) -> pd.DataFrame:
    """One row per claim of the paper and of its critics, with its verdict.

    Parameters
    ----------
    evidence : dict, optional
        :func:`~chinchilla_lib.studies.claim_evidence.claim_evidence` (computed when not given).

    Returns
    -------
    DataFrame
        Indexed by a short ``id`` of the claim (``"agree"``, ``"half"``, ``"prediction_2"``, ...):
        ``claim``, ``who`` (the paper or a later study, with its year), ``verdict`` (one of
        :data:`VERDICTS`, by the rules of this module's description), ``number`` (the numbers that
        decide it, with their 80% intervals where the evidence has them, as text) and ``evidence``
        (the stem of the chapter that holds the evidence, a key of :data:`EVIDENCE_TITLES`).
    """
    if evidence is None:
        from .claim_evidence import claim_evidence

        evidence = claim_evidence()
    rows = [row(evidence) for row in _ROWS]
    rows += [_prediction(evidence, "p1", "first"), _prediction(evidence, "p2", "second")]
    return pd.DataFrame(rows, columns=["id", *COLUMNS]).set_index("id")


def claims_display(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`claims_table` for the page: the evidence named by its chapter's title, the columns in reading order."""
    table = claims_table() if table is None else table
    return table.assign(evidence=table["evidence"].map(EVIDENCE_TITLES)).reset_index(drop=True)[list(COLUMNS)]


def claims_numbers(evidence: dict | None = None, table: pd.DataFrame | None = None) -> dict:
    """The numbers the page quotes beside the table.

    Returns
    -------
    dict
        ``n_claims`` and one count per verdict (``n_holds``, ``n_partly``, ``n_not``, ``n_cannot``);
        the paper's points: ``a2``, ``a2_lo``, ``a2_hi``, ``a3``, ``a3_lo``, ``a3_hi``, ``printed_a3``;
        the backtests: ``bt_inside``, ``bt_scored``, ``bt_rate`` (%), ``bt_nominal`` (%) and ``bt_needed``
        (:func:`honest_count`: how many would have to fall inside for honest intervals) and ``honest_pct``
        (:data:`HONEST_QUANTILE` in %); Chinchilla against Gopher: ``gopher_wins`` of ``gopher_n`` scores,
        ``gopher_ratio`` (compute by 6ND), ``gopher_tol`` (how far two FLOP counts of one model differ);
        finished over-trained runs: ``far_wins`` of ``far_n`` past ``far_tpp`` tokens per parameter; the
        second prediction: ``p2_trained`` of ``p2_planned`` runs and ``p2_status`` (its verdict, or that it
        waits for its runs); ``verdict_{id}`` for every row.
    """
    if evidence is None:
        from .claim_evidence import claim_evidence

        evidence = claim_evidence()
    table = claims_table(evidence) if table is None else table
    counts = table["verdict"].value_counts()
    ev = evidence
    return {"n_claims": len(table), "n_holds": int(counts.get(HOLDS, 0)), "n_partly": int(counts.get(PARTLY, 0)),
            "n_not": int(counts.get(DOES_NOT_HOLD, 0)), "n_cannot": int(counts.get(CANNOT, 0)),
            **{k: ev[f"p_{k}"] for k in ("a2", "a2_lo", "a2_hi", "a3", "a3_lo", "a3_hi", "printed_a3")},
            "bt_inside": ev["bt_inside"], "bt_scored": ev["bt_scored"],
            "bt_rate": 100 * ev["bt_inside"] / ev["bt_scored"] if ev["bt_scored"] else np.nan,
            "bt_nominal": 100 * ev["bt_nominal"], "bt_needed": honest_count(ev["bt_scored"], ev["bt_nominal"]),
            "honest_pct": 100 * HONEST_QUANTILE, "gopher_ratio": ev["g_ratio_6nd"],
            "gopher_tol": ev["g_counting_gap"], "gopher_wins": ev["g_wins"],
            "gopher_n": ev["g_n"], "far_tpp": ev["ot_near_tpp"], "far_wins": ev["ot_wins_far"], "far_n": ev["ot_far"],
            "p2_trained": ev["p2_trained"], "p2_planned": ev["p2_planned"],
            "p2_status": (table.loc["prediction_2", "verdict"] if ev["p2_complete"] else
                          f"waits for its runs ({ev['p2_trained']} of {ev['p2_planned']} trained)"),
            **{f"verdict_{key}": verdict for key, verdict in table["verdict"].items()}}


def tokens_per_param_numbers(evidence: dict | None = None) -> dict:
    """How many tokens per parameter, across the book's studies, and what moves the number.

    Returns
    -------
    dict
        ``rule`` (the paper's Table 3 median); ``fig4_lo``, ``fig4_hi`` (decided fits on the paper's
        points); ``min``, ``max``, ``min_set``, ``max_set``, ``min_lo``, ``min_hi``, ``max_lo``, ``max_hi``
        (every decided fit on public runs) and ``beyond_noise`` ("larger than" or "not larger than"
        their intervals); ``marin_lo``, ``marin_hi`` (Marin's three corpora); ``fig4_total``,
        ``fig4_ne`` (Approach 3 on the paper's points in total and non-embedding parameters);
        ``deepseek_spread`` (DeepSeek's a across data sets); ``drift_rises``, ``drift_falls``,
        ``drift_cannot``, ``drift_rows`` (fits whose ratio rises, falls or holds with compute);
        ``inference`` (Sardana et al.'s optimum), ``inference_tokens`` (T); ``repeat_loss``,
        ``repeat_law`` (% extra loss near ``repeat_epochs`` epochs, measured and as the law counts);
        ``llama_7b``, ``llama2_7b``, ``llama3``, ``chinchilla`` (published models).
    """
    if evidence is None:
        from .claim_evidence import claim_evidence

        evidence = claim_evidence()
    ev = evidence
    return {"rule": ev["or_tpp_rule"], "fig4_lo": ev["or_fig4_tpp_lo"], "fig4_hi": ev["or_fig4_tpp_hi"],
            **{k: ev[f"or_tpp_{k}"] for k in ("min", "max", "min_set", "max_set", "min_lo", "min_hi", "max_lo",
                                              "max_hi")},
            "beyond_noise": "larger than" if ev["or_tpp_beyond_noise"] else "not larger than",
            "marin_lo": ev["or_marin_tpp_lo"], "marin_hi": ev["or_marin_tpp_hi"],
            "fig4_total": ev["or_fig4_tpp_total"], "fig4_ne": ev["or_fig4_tpp_ne"],
            "deepseek_spread": ev["or_deepseek_spread"],
            "drift_rises": ev["dr_n_rises"], "drift_falls": ev["dr_n_falls"], "drift_cannot": ev["dr_n_cannot"],
            "drift_rows": ev["dr_n_rows"], "inference": ev["inf_tpp"], "inference_tokens": ev["inf_tokens"] / 1e12,
            "repeat_loss": ev["rep_loss"], "repeat_law": ev["rep_law"], "repeat_epochs": ev["rep_epochs"],
            "llama_7b": ev["pub_llama_7b"], "llama2_7b": ev["pub_llama2_7b"], "llama3": ev["pub_llama3"],
            "chinchilla": ev["pub_chinchilla"]}
