"""Approach 1 on checkpoints: the end-of-schedule selection on simulated curves of a known law, and on real sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chinchilla_lib.approaches.simulate import simulate_training_curves
from chinchilla_lib.laws import ParametricLaw, get_law
from chinchilla_lib.studies import checkpoint_envelope as ce

#: alpha = beta, so a = beta / (alpha + beta) = 1/2; and D_opt / N_opt = G^-2 with
#: G = (alpha A / (beta B))^(1 / (alpha + beta)) = 0.4^(1/0.6) = 0.2172, i.e. 21.2 tokens per parameter.
EQUAL = ParametricLaw(1.7, 400.0, 1000.0, 0.3, 0.3)


def _curves(law):
    """25 sizes 1.33x apart, nine cosine horizons from 2 to 200 tokens per parameter (1.78x apart), a 10% penalty
    before the end of each cycle: the ends of neighbouring sizes' cycles meet at the same compute."""
    curves = simulate_training_curves(law, np.geomspace(1e7, 1e10, 25), tokens_per_param=np.geomspace(2, 200, 9),
                                      penalty=0.1, n_points=200)
    return curves.assign(schedule_fraction=curves["n_tokens"] / curves["horizon"])


@pytest.mark.parametrize("law, a", [(EQUAL, 0.5), (get_law("paper"), 0.28 / (0.34 + 0.28))],
                         ids=["alpha=beta", "paper"])
def test_end_of_schedule_envelope_recovers_the_law(law, a):
    # Tolerance 0.01: the argmin is a staircase over sizes 1.33x apart across about three decades of compute.
    assert law.a == pytest.approx(a, abs=5e-3)  # the paper law's printed exponents give a = 0.452
    found = ce.envelope_on_checkpoints(ce.end_of_schedule(_curves(law), 0.15), n_resamples=4, flops=1e20)
    assert found["verdict"] != "refused" and found["a"] == pytest.approx(law.a, abs=0.01)
    assert found["resamples"] == 4 and found["runs"] == 225 and found["sizes"] == 25
    if law is EQUAL:
        assert found["tokens_per_param"] == pytest.approx(0.4 ** (-2 / 0.6), rel=0.2)  # 21.2 by hand


def test_end_of_schedule_keeps_the_last_share_of_each_run():
    curves = _curves(EQUAL)
    kept = ce.end_of_schedule(curves, 0.15)
    assert (kept["schedule_fraction"] >= 0.85).all()
    assert kept.groupby("run")["schedule_fraction"].max().eq(1.0).all()  # every run's last point is kept
    assert ce.last_fraction() == 0.15  # Hoffmann et al., Sec. 3.1 footnote
    with pytest.raises(ValueError, match="fraction must be a share"):
        ce.end_of_schedule(curves, 1.5)
    with pytest.raises(ValueError, match="schedule_fraction"):
        ce.end_of_schedule(curves.drop(columns="schedule_fraction"))


def test_checkpoints_that_cannot_decide_are_refused():
    one_size = _curves(EQUAL)
    one_size = one_size[one_size["model"] == one_size["model"].iloc[0]]
    found = ce.envelope_on_checkpoints(one_size, n_resamples=2)
    assert found["verdict"] == "refused" and np.isnan(found["a"]) and "smallest or the largest" in found["failed"]
    with pytest.raises(ValueError, match="lacks the column 'family'"):
        ce.envelope_on_checkpoints(one_size, size_col="family")


def test_selections_of_the_real_sets():
    olmo = ce.select_checkpoints("olmo_ladder", "end of schedule")
    assert olmo["run"].nunique() == 30 and (olmo["schedule_fraction"] >= 0.85).all()
    cooled = ce.select_checkpoints("gemstones", "cooled")
    assert len(cooled) == 199 and (cooled["phase"] == "cool_end").all()
    assert set(ce.select_checkpoints("gemstones", "constant rate")["phase"]) == {"hot"}
    with pytest.raises(ValueError, match="unknown"):
        ce.select_checkpoints("olmo_ladder", "cooled")


def test_the_table_has_a_row_per_selection_with_the_gates_verdict():
    table = ce.checkpoint_envelope_table(n_resamples=2)
    assert list(zip(table["key"], table["selection"])) == list(ce.SELECTIONS)
    assert set(table["verdict"]) <= {"decided", "flagged", "refused"}
    decided = table[table["verdict"] != "refused"]
    assert decided["a"].between(0, 1).all() and (decided["tokens_per_param"] > 0).all()
    # one constant-rate run per Gemstone: nothing to resample, so no interval
    hot = table.set_index("selection").loc["constant rate"]
    assert hot["resamples"] == 0 and np.isnan(hot["low"])
    assert isinstance(table, pd.DataFrame) and (table["seconds"] > 0).all()
