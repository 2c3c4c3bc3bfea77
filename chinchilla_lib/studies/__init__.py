"""Studies: one module per data set or designed experiment, returning canonical, cached results as tidy frames.

* :mod:`.figure4` -- the points of Hoffmann et al.'s Figure 4: budgets, Approach 2 and 3 fits, projections,
  the FLOP convention of the strips, the robustness of Approach 2;
* :mod:`.porian` -- Porian et al.'s 15 configurations: exponents by three estimators, per-budget optima;
* :mod:`.llama` -- the LLaMA-1 training curves and how far their sizes straddle the optimum;
* :mod:`.pearce_song` -- Pearce & Song's simulated Kaplan study (embedding parameters);
* :mod:`.isoflop_bias` -- biases of the IsoFLOP parabola on simulated profiles;
* :mod:`.envelope_bias` -- the envelope estimator on simulated training curves;
* :mod:`.schedules` -- matched against fixed learning-rate schedules on simulated curves;
* :mod:`.published_models` -- the paper's model tables recounted: Table 1 tokens per parameter and 6ND, Tables 4, A4, A9;
* :mod:`.allocations` -- the approaches' compute-optimal allocations side by side (Table 2, Tables 3/A3, Figure 1)
  and the registry of named allocations (``plan --law NAME``, ``plan --compare``);
* :mod:`.curvature` -- is log N_opt straight in log C? (Figure 4 strips, Porian et al.);
* :mod:`.later_studies` -- Llama 3's and DeepSeek LLM's IsoFLOP results beside Table 2;
* :mod:`.kaplan_models` -- Kaplan's allocation rule against Chinchilla's at given budgets (App. D.4, Gopher's budget).

No module here draws: figures are :mod:`chinchilla_lib.plotting`.
"""
