"""Studies: one module per data set or designed experiment, returning canonical, cached results as tidy frames.

* :mod:`.figure4` -- the points of Hoffmann et al.'s Figure 4: budgets, Approach 2 and 3 fits, projections;
* :mod:`.porian` -- Porian et al.'s 15 configurations: exponents by three estimators, per-budget optima;
* :mod:`.llama` -- the LLaMA-1 training curves and how far their sizes straddle the optimum;
* :mod:`.pearce_song` -- Pearce & Song's simulated Kaplan study (embedding parameters);
* :mod:`.isoflop_bias` -- biases of the IsoFLOP parabola on simulated profiles;
* :mod:`.envelope_bias` -- the envelope estimator on simulated training curves;
* :mod:`.schedules` -- matched against fixed learning-rate schedules on simulated curves;
* :mod:`.published_models` -- the paper's model tables recounted: Table 1 tokens per parameter and 6ND, Tables 4, A4, A9;
* :mod:`.allocations` -- the approaches' compute-optimal allocations side by side (Table 2, Tables 3/A3, Figure 1);
* :mod:`.kaplan_models` -- Kaplan's allocation rule against Chinchilla's at given budgets (App. D.4, Gopher's budget).
* :mod:`.early_stop` -- the paper's Approach 3 procedure with L-BFGS-B stopping early (mean loss, default tolerances);
* :mod:`.interval_width` -- the bootstrap interval of Approach 3's exponent and the runs the printed one implies.

No module here draws: figures are :mod:`chinchilla_lib.plotting`.
"""
