"""Any user's training runs, fitted by any of the paper's three approaches in one call.

:func:`fit_runs` takes a :class:`pandas.DataFrame` of runs (what ``pandas.read_csv`` gives)
and returns a result with the same face whatever the approach:
``.plan(C)`` (compute-optimal N, D, tokens per parameter and, for Approach 3, the loss),
``.predict(N, D)`` (Approach 3's law), ``.summary()`` (a tidy table) and
``.interval(quantity, level)`` (bootstrap percentiles).

References
----------
Hoffmann et al. 2022, Sections 3.1-3.3.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from .._validate import caller_stacklevel, shown
from ..laws.flops import runs_flops
from .envelope import fit_envelope
from .isoflop import fit_isoflop
from .parametric import bootstrap_approach3, fit_approach3
from .quality import GATE_MAX_RUNS, GATE_RESAMPLES, assess_approach1, assess_approach2, assess_approach3

__all__ = ["APPROACHES", "CHECKED", "read_runs_csv", "LOSS_CEILING", "SWAP_RATIO", "RunsWarning", "column_sense", "fit_runs", "runs_table",
           "runs_columns", "missing_columns"]

#: What each approach needs from the runs.
APPROACHES = {
    1: "training curves: n_params, loss, flops or n_tokens, and a run (or model) column naming each curve",
    2: "final losses on IsoFLOP budgets: n_params, loss, and flops (the budget) or n_tokens (flops = 6ND)",
    3: "final losses: n_params, n_tokens, loss",
}


def runs_columns(approach: int) -> tuple[list[str], list[str]]:
    """(required columns, alternatives of which one is needed) for ``approach``."""
    if approach == 3:
        return ["n_params", "n_tokens", "loss"], []
    return ["n_params", "loss"], ["flops", "n_tokens"]


def missing_columns(columns, approach: int) -> list[str]:
    """The columns ``approach`` needs that ``columns`` lacks ("flops or n_tokens" when neither is there)."""
    required, either = runs_columns(approach)
    missing = [c for c in required if c not in columns]
    if either and not any(c in columns for c in either):
        missing.append(" or ".join(either))
    return missing


#: The mark a checked runs table carries (in ``DataFrame.attrs``): the approach it was checked for.
CHECKED = "chinchilla_lib.runs_checked_for"


def _check_approach(approach) -> int:
    if isinstance(approach, bool) or approach not in APPROACHES:
        raise ValueError(f"approach must be 1, 2 or 3, got {approach!r}")
    return int(approach)


def runs_table(runs: pd.DataFrame, approach: int, *, name: str = "runs", row_name: str = "row",
               first_row: int = 0, row_numbers=None) -> pd.DataFrame:
    """A frame of runs checked where it enters: the one table every approach, the command line and :func:`fit_runs` take.

    Checked once, here: ``approach`` is 1, 2 or 3; ``runs`` is a DataFrame with the columns the
    approach needs (:data:`APPROACHES`) and at least one row; every value of those columns (and of ``flops`` or
    ``n_tokens`` when present) is a number, finite and positive (text such as ``"3.1"`` is read as a
    number; the first bad value is named by its row).  Compute is filled in where it is missing,
    ``flops = 6 N D`` (:func:`~chinchilla_lib.laws.flops.runs_flops`, Approaches 1 and 2).

    Columns that are numbers but not what they claim get one :class:`RunsWarning` each
    (:func:`column_sense`): parameters and tokens that look swapped, a loss that looks like a
    perplexity or a percentage.

    Parameters
    ----------
    runs : DataFrame
        Parameters and tokens as raw counts, compute in FLOPs, loss in nats per token.
    approach : {1, 2, 3}
    name, row_name, first_row : str, str, int
        How messages name the table and its rows (the command line says ``--csv: 'FILE' line 2``).
    row_numbers : sequence of int, optional
        The number of each row in messages (the command line passes each row's line in the file,
        blank lines counted); default ``first_row``, ``first_row + 1``, ...

    Returns
    -------
    DataFrame
        A copy with the checked columns as floats (and ``flops`` for Approaches 1 and 2), other
        columns as given; a table already checked for ``approach`` is returned as it is.

    Raises
    ------
    ValueError
        One line naming what is wrong and where.
    """
    approach = _check_approach(approach)
    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame (e.g. pandas.read_csv(path)), got {type(runs).__name__}")
    if runs.attrs.get(CHECKED) == approach:
        return runs
    missing = missing_columns(runs.columns, approach)
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)}; approach {approach} needs "
                         f"{APPROACHES[approach]}")
    if runs.empty:
        raise ValueError(f"{name} has a header but no runs")
    required, either = runs_columns(approach)
    table = runs.copy()
    for column in required + [c for c in either if c in runs.columns]:
        values = pd.to_numeric(runs[column], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            row = first_row + i if row_numbers is None else row_numbers[i]
            raise ValueError(f"{name} {row_name} {row}: {column} is {shown(runs[column].iloc[i])}; every "
                             f"{column} must be a positive finite number")
        table[column] = values
    for note in column_sense(table, name=name):
        warnings.warn(note, RunsWarning, stacklevel=caller_stacklevel())
    if approach != 3:
        table["flops"] = runs_flops(table)
    table.attrs[CHECKED] = approach
    return table


class RunsWarning(UserWarning):
    """A runs table whose columns are numbers but look like something other than what they are named."""


#: A median below this many tokens per parameter means n_params and n_tokens are likely swapped.
SWAP_RATIO = 0.1
#: A loss above this many nats per token for every run is not the cross-entropy of trained language models:
#: it is a perplexity of 1,100 (trained models reach 1.5-4 nats on tokens, about 1 on bytes; guessing uniformly
#: over a 32,000-token vocabulary costs 10.4), while the best run of a set given as perplexities is above 7.
LOSS_CEILING = 7.0


def column_sense(runs: pd.DataFrame, *, name: str = "runs") -> list[str]:
    """One line per column that looks mislabelled: what was seen and what to check.

    * ``n_params`` and ``n_tokens`` swapped: the median run has fewer than :data:`SWAP_RATIO`
      tokens per parameter (real runs, even short ones, see about as many tokens as they have
      parameters or more);
    * the loss is a perplexity or a percentage: every loss is above :data:`LOSS_CEILING`
      nats per token.

    Parameters
    ----------
    runs : DataFrame
        Numeric columns ``n_params``, ``loss`` and, when present, ``n_tokens``.
    name : str
        How the note names the table.

    Returns
    -------
    list of str
        Empty when every column looks like what it is named.
    """
    notes = []
    if "n_tokens" in runs.columns:
        ratio = runs["n_tokens"].to_numpy(float) / runs["n_params"].to_numpy(float)
        if np.median(ratio) < SWAP_RATIO:
            notes.append(f"{name}: the median run has {np.median(ratio):.2g} tokens per parameter; check that "
                         "n_params and n_tokens are not swapped")
    loss = runs["loss"].to_numpy(float)
    if np.all(loss > LOSS_CEILING):
        notes.append(f"{name}: every loss is above {LOSS_CEILING:g} nats per token (smallest {loss.min():.4g}); "
                     "a perplexity or a percentage? give the cross-entropy in nats per token (log of a perplexity)")
    return notes


def fit_runs(runs: pd.DataFrame, approach: int = 3, *, bootstrap: int = 0, seed: int = 0,
             flops: float | None = None, **options):
    """Fit one approach of Hoffmann et al. (2022) to a DataFrame of runs, in one call.

    Parameters
    ----------
    runs : DataFrame
        Approach 3: ``n_params, n_tokens, loss`` (one row per run, final loss).
        Approach 2: ``n_params, loss`` and ``flops`` (each run's budget) or ``n_tokens``
        (then flops = 6 N D; pass ``rel_tol`` to group nearby budgets).
        Approach 1: training curves, ``n_params, loss``, ``flops`` or ``n_tokens``, and a
        ``run`` or ``model`` column.
        Parameters and tokens as raw counts, compute in FLOPs, loss in nats per token.
    approach : {1, 2, 3}, default 3
    bootstrap : int, default 0
        Resamples for intervals (Approach 2: ``n_bootstrap``; Approach 3:
        :func:`~chinchilla_lib.approaches.parametric.bootstrap_approach3`, at least 20); Approach 1 has none.
    seed : int, default 0
        Seed of the bootstrap.
    flops : float, optional
        The budget a plan is wanted at: the gate judges the extrapolation to it; for Approach 3
        with ``bootstrap`` also the budget of the bootstrap's N_opt, D_opt table (default
        Gopher's); ``.plan(C)`` gives intervals at any budget anyway.
    **options
        Passed to :func:`~chinchilla_lib.approaches.envelope.fit_envelope`,
        :func:`~chinchilla_lib.approaches.isoflop.fit_isoflop` or :func:`~chinchilla_lib.approaches.parametric.fit_approach3`.

    Returns
    -------
    EnvelopeResult, IsoFLOPResult, Approach3Fit or Approach3Bootstrap
        Each with ``.plan(C)``, ``.predict(N, D)``, ``.summary()``, ``.interval(q, level)`` and
        ``.quality``: the gate's verdict (:mod:`~chinchilla_lib.approaches.quality`), ``decided``,
        ``flagged`` or ``refused`` with its named checks.  Without ``bootstrap`` the gate draws
        its own seeded resamples (:data:`~chinchilla_lib.approaches.quality.GATE_RESAMPLES`) to judge
        the spread of a (and of E); with ``flops`` it also judges the extrapolation to that budget.

    Examples
    --------
    Runs drawn without noise from Eq. (10) as printed, on a grid of sizes and token counts:
    Approach 3 recovers the law, so its plan at Gopher's budget is the law's own
    (N_opt = 3.22e10 by hand; see :func:`~chinchilla_lib.laws.parametric.plan`).

    >>> import itertools, pandas as pd
    >>> from chinchilla_lib.laws import get_law
    >>> law = get_law("paper")
    >>> grid = list(itertools.product([1e8, 3e8, 1e9, 3e9, 1e10], [1e9, 3e9, 1e10, 3e10, 1e11]))
    >>> runs = pd.DataFrame(grid, columns=["n_params", "n_tokens"])
    >>> runs["loss"] = law.loss(runs["n_params"], runs["n_tokens"])
    >>> fit = fit_runs(runs, approach=3)
    >>> f"{fit.plan(5.76e23)['n_params']:.3g}"
    '3.22e+10'

    A file of your own runs works the same way:
    ``fit_runs(pandas.read_csv("runs.csv"), approach=3).plan(1e24)``.
    """
    runs = runs_table(runs, approach)
    approach = int(approach)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        raise ValueError(f"bootstrap must be a whole number >= 0 (resamples), got {bootstrap!r}")
    if approach == 1:
        if bootstrap:
            raise ValueError("bootstrap does not apply to approach 1 (the lower envelope has no resampling); "
                             "use approach 2 or 3 for intervals")
        fit = fit_envelope(runs, **options)
        curve = options.get("curve_col") or ("run" if "run" in runs.columns else "model")
        ends = runs.groupby(curve)["flops"].max().to_numpy(float) if curve in runs.columns else None
        return replace(fit, quality=assess_approach1(fit, sizes=runs["n_params"].to_numpy(float), ends=ends,
                                                     flops=flops))
    if approach == 2:
        args = (runs["n_params"].to_numpy(), runs["flops"].to_numpy(), runs["loss"].to_numpy())
        fit = fit_isoflop(*args, n_bootstrap=int(bootstrap), seed=seed, **options)
        judged = fit
        if not bootstrap:  # the gate's own seeded bootstrap: the spread of a is judged on every fit
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                judged = fit_isoflop(*args, n_bootstrap=GATE_RESAMPLES, seed=seed, **options)
        return replace(fit, quality=assess_approach2(judged, flops=flops))
    n, d, loss = runs["n_params"], runs["n_tokens"], runs["loss"]
    fit = fit_approach3(n, d, loss, **options)
    extra = {k: options[k] for k in ("delta", "grid") if k in options}
    if bootstrap:
        boot = bootstrap_approach3(n, d, loss, n_resamples=int(bootstrap), seed=seed, flops=flops, fit=fit, **extra)
        return replace(boot, quality=assess_approach3(fit, n, d, loss, samples=boot.samples, flops=flops))
    return replace(fit, quality=assess_approach3(fit, n, d, loss, samples=_gate_samples(fit, runs, seed, extra),
                                                 flops=flops))


def _gate_samples(fit, runs: pd.DataFrame, seed: int, extra: dict) -> pd.DataFrame:
    """The gate's own seeded bootstrap of an Approach 3 fit (on a seeded sample of the runs when there are many)."""
    if len(runs) > GATE_MAX_RUNS:
        print(f"Approach 3: judging the fit: a bootstrap of {GATE_RESAMPLES} resamples on {GATE_MAX_RUNS:,} of "
              f"{len(runs):,} runs ...", file=sys.stderr, flush=True)
        runs = runs.sample(GATE_MAX_RUNS, random_state=seed)
        fit = fit_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = bootstrap_approach3(runs["n_params"], runs["n_tokens"], runs["loss"], n_resamples=GATE_RESAMPLES,
                                   seed=seed, fit=fit, **extra)
    return boot.samples


def _data_lines(text: str) -> list[int]:
    """The line number in the file (1-based) of each data row ``pandas.read_csv`` gives, blank lines skipped."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip()]
    return lines[1:]  # the first non-blank line is the header


def read_runs_csv(path, approach: int, *, what: str = "csv") -> pd.DataFrame:
    """A CSV file of runs read and checked by :func:`runs_table`, its rows named by their line in the file.

    Reads at most ``CSV_LIMIT`` bytes (512 MiB; ``chinchilla_lib._validate``), UTF-8, a byte-order mark allowed.

    Raises
    ------
    ValueError
        One line naming ``what`` and the file: it cannot be read, or a column or a row is wrong
        (the row named by its line, counting the header as line 1).
    """
    import io

    from .._validate import CSV_LIMIT, PATH_LIMIT, read_limited

    where = shown(repr(str(path)), PATH_LIMIT)
    try:
        raw = read_limited(path, CSV_LIMIT, what=what, fix="fit a sample of the runs, or split the file")
        text = raw.decode("utf-8-sig")
        frame = pd.read_csv(io.StringIO(text))
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise ValueError(f"{what} cannot read {where} ({shown(reason, 200)})") from None
    lines = _data_lines(text)
    numbers = lines if len(lines) == len(frame) else None  # quoted line breaks: fall back to counting rows
    return runs_table(frame, approach, name=f"{what} {where}", row_name="line", first_row=2, row_numbers=numbers)
