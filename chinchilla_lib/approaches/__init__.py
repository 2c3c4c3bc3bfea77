"""The three approaches of Hoffmann et al. 2022 and what they share, as estimators on anyone's runs.

* :mod:`.runs` -- the one runs table: a frame checked where it enters, fitted by any approach (:func:`fit_runs`);
* :mod:`.envelope` -- Approach 1: the lower envelope of training curves (Section 3.1);
* :mod:`.isoflop` -- Approach 2: IsoFLOP profiles (Section 3.2);
* :mod:`.parametric` -- Approach 3: the parametric law fitted to every run (Section 3.3);
* :mod:`.run_grid` -- a designed grid of finished runs to any approach, with a bootstrap over runs;
* :mod:`.simulate` -- synthetic runs and training curves from a known law (for tests and bias studies);
* :mod:`.stats` -- what the estimators share: robust scale, percentile intervals.
"""
