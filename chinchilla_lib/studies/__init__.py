"""Studies: one module per data set or designed experiment, returning canonical, cached results as tidy frames.

* :mod:`.figure4` -- the points of Hoffmann et al.'s Figure 4: budgets, Approach 2 and 3 fits, projections;
* :mod:`.porian` -- Porian et al.'s 15 configurations: exponents by three estimators, per-budget optima;
* :mod:`.llama` -- the LLaMA-1 training curves and how far their sizes straddle the optimum;
* :mod:`.pearce_song` -- Pearce & Song's simulated Kaplan study (embedding parameters);
* :mod:`.estimator_bias` -- biases of the IsoFLOP and envelope estimators on simulated data;
* :mod:`.schedules` -- matched against fixed learning-rate schedules on simulated curves.

No module here draws: figures are :mod:`chinchilla_lib.plotting`.
"""
