"""Studies: one module per data set or designed experiment, returning canonical, cached results as tidy frames.

* :mod:`.figure4` -- the points of Hoffmann et al.'s Figure 4: budgets, Approach 2 and 3 fits, projections,
  the FLOP convention of the strips, the robustness of Approach 2;
* :mod:`.porian` -- Porian et al.'s 15 configurations: exponents by three estimators, per-budget optima;
* :mod:`.public_runs` -- the three approaches on other people's finished runs (Gadre, Sardana, Muennighoff, Porian,
  the OLMo ladder, the Gemstones, Figure 4);
* :mod:`.llama` -- the LLaMA-1 training curves and how far their sizes straddle the optimum; the claims of
  the post "Chinchilla's Death" tested on both LLaMA families; tokens per parameter of well-known models;
* :mod:`.overtrained_runs` -- the law fitted near compute-optimal and extrapolated to real over-trained runs
  (Sardana, Gadre) and to repeated data (Muennighoff);
* :mod:`.inference_sizing` -- Sardana et al.'s inference-aware headline under several constants, the
  optimum across inference demands, the over-training trade-off curve;
* :mod:`.pearce_song` -- Pearce & Song's simulated Kaplan study (embedding parameters);
* :mod:`.isoflop_bias` -- biases of the IsoFLOP parabola on simulated profiles;
* :mod:`.envelope_bias` -- the envelope estimator on simulated training curves;
* :mod:`.checkpoint_envelope` -- Approach 1 on real training curves (the OLMo ladder, the Gemstones): checkpoints
  near the end of each run's own schedule against all checkpoints;
* :mod:`.schedules` -- matched against fixed learning-rate schedules on simulated curves;
* :mod:`.published_models` -- the paper's model tables recounted: Table 1 tokens per parameter and 6ND, Tables 4, A4, A9;
* :mod:`.closed_forms` -- every named law and allocation in closed form, the constants of the in-page planner;
* :mod:`.allocations` -- the approaches' compute-optimal allocations side by side (Table 2, Tables 3/A3, Figure 1)
  and the registry of named allocations (``plan --law NAME``, ``plan --compare``);
* :mod:`.curvature` -- is log N_opt straight in log C? (Figure 4 strips, Porian et al.);
* :mod:`.later_studies` -- Llama 3's and DeepSeek LLM's IsoFLOP results beside Table 2;
* :mod:`.llama3_allocation` -- Llama 3's tokens law and flagship allocation refitted on its Figure 2 points;
* :mod:`.isoflop_audit` -- Approach 2 against Approach 3 on every IsoFLOP set: the token overestimate and the
  deadweight compute (Czech et al. 2026);
* :mod:`.kaplan_models` -- Kaplan's allocation rule against Chinchilla's at given budgets (App. D.4, Gopher's budget);
* :mod:`.evaluation` -- Chinchilla against Gopher on the paper's evaluation tables (Section 4.2), every claim recomputed;
* :mod:`.early_stop` -- the paper's Approach 3 procedure with L-BFGS-B stopping early (mean loss, default tolerances);
* :mod:`.interval_width` -- the bootstrap interval of Approach 3's exponent and the runs the printed one implies.
* :mod:`.unrepeated_grid` -- our second IsoFLOP grid (no byte read twice, C = 6ND): every approach in total and
  non-embedding parameters, and the prediction at ten times its largest budget with the runs that test it;
* :mod:`.prediction_interval` -- the seed noise of repeated runs and a loss interval that adds it to a law's
  bootstrap spread;
* :mod:`.prediction_pair` -- our two predictions made in advance side by side, with what their runs reached;
* :mod:`.throughput` -- the training sweeps' achieved FLOP/s against one CPU thread's matrix-multiply peak, and
  where a training step's time goes;
* :mod:`.claim_evidence` -- the evidence behind each claim of the paper and of its critics, read from the studies
  above (the same functions as the chapter that holds it);
* :mod:`.claims` -- one verdict per claim (holds, partly, does not hold, cannot be decided) by explicit rules on
  that evidence, and how many tokens per parameter the book's studies give.

No module here draws: figures are :mod:`chinchilla_lib.plotting`.
"""
