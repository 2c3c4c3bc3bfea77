"""One visual language for every figure of the book.

:data:`SERIES` gives each *meaning* one colour, one marker, one line style and one legend
label, the same in every chapter: the paper's law as printed (Eq. 10), the same law at full
precision, the replication by Besiroglu et al., our fit and the paper's printed values for
each of the three approaches, Kaplan et al.'s rule, the named models, data points and our own
small runs.  Our fit of an approach and the paper's printed values of it share a hue family but
differ in lightness, fill (filled against open markers) and line (solid against dashed).

Colours come from the Okabe-Ito and Paul Tol palettes, both chosen to stay apart under the
common forms of colour blindness.  Neutral inks (guides, grids, truth lines) are in
:data:`INK`.  Every chapter calls :func:`use_style` once; it also makes figures render as SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

__all__ = ["Series", "SERIES", "INK", "COLORS", "series", "model_series", "use_style", "loglog_axes",
           "mark_model", "ordered_colors", "label_points", "readable_log_ticks", "compact_number", "key_line", "key_patch", "legend_with", "legend_outside"]


@dataclass(frozen=True)
class Series:
    """How one meaning is drawn: colour, marker, line style, fill and legend label."""

    color: str
    marker: str
    label: str
    linestyle: str = "-"
    filled: bool = True

    def line(self, **extra) -> dict:
        """Keyword arguments for ``ax.plot`` of this series (``extra`` overrides)."""
        return {"color": self.color, "ls": self.linestyle, "label": self.label, **extra}

    def points(self, **extra) -> dict:
        """Keyword arguments for ``ax.scatter`` of this series: open markers for printed values."""
        if self.marker in ("x", "+", "1", "2", "3", "4", "|", "_"):  # line markers have no face
            return {"marker": self.marker, "color": self.color, "label": self.label, **extra}
        face = self.color if self.filled else "none"
        return {"marker": self.marker, "facecolors": face, "edgecolors": self.color, "label": self.label,
                **extra}

    def errorbar(self, **extra) -> dict:
        """Keyword arguments for ``ax.errorbar`` of this series."""
        face = self.color if self.filled else "white"
        return {"fmt": self.marker, "color": self.color, "mfc": face, "label": self.label, **extra}


#: One series per meaning, the same in every figure of the book.
SERIES: dict[str, Series] = {
    # the paper's parametric law (Approach 3) and its replication
    "paper": Series("#4d4d4d", "X", "Eq. 10 as printed", "--"),
    "paper-full": Series("#cc79a7", "P", "paper's law, full precision"),
    "replication": Series("#882255", "h", "replication (Besiroglu et al.)", "-."),
    # our fit and the paper's printed values, per approach
    "approach1-ours": Series("#0072b2", "o", "Approach 1 (ours)"),
    "approach1-paper": Series("#56b4e9", "o", "Approach 1 (paper)", "--", filled=False),
    "approach2-ours": Series("#e69f00", "s", "Approach 2 (ours)"),
    "approach2-paper": Series("#9c5b00", "s", "Approach 2 (paper)", "--", filled=False),
    "approach3-ours": Series("#009e73", "^", "Approach 3 (ours)"),
    "approach3-paper": Series("#00563f", "^", "Approach 3 (paper)", "--", filled=False),
    "kaplan": Series("#d55e00", "v", "Kaplan et al. (2020)", ":"),
    "sardana-code": Series("#bbcc33", "d", "Sardana et al., code data", "-."),
    # named models (Table 1 and later)
    "chinchilla": Series("#ddaa33", "*", "Chinchilla"),
    "gopher": Series("#332288", "p", "Gopher"),
    "gpt-3": Series("#117733", "d", "GPT-3"),
    "jurassic": Series("#44aa99", "H", "Jurassic"),
    "mt-nlg": Series("#999933", "8", "MT-NLG"),
    "llama": Series("#aa4499", "<", "LLaMA"),
    "model": Series("#88ccee", ">", "other model"),
    # FLOP counts (Appendix F) and values printed in the paper's tables
    "flops-appf": Series("#ee8866", "s", "App. F as written"),
    "flops-appf-nonembedding": Series("#77aadd", "o", "App. F without embeddings and logits"),
    "printed": Series("#000000", "x", "printed in the paper"),
    "fit-ours": Series("#44bb99", "o", "our fit"),
    # points and our own runs
    "data": Series("#949494", ".", "runs"),
    "tinygpt": Series("#cc6677", "D", "our runs"),
}

#: Neutral inks: the truth of a simulation, guides, reference lines, shaded bands.
INK = {"truth": "black", "text": "0.25", "axis": "0.35", "guide": "0.6", "band": "0.88", "edge": "black",
       "face": "white"}

#: Short names used throughout the library, each a colour of :data:`SERIES`.
COLORS = {
    "approach1": SERIES["approach1-ours"].color,
    "approach2": SERIES["approach2-ours"].color,
    "approach3": SERIES["approach3-ours"].color,
    "kaplan": SERIES["kaplan"].color,
    "paper": SERIES["paper"].color,
    "paper-full": SERIES["paper-full"].color,
    "replication": SERIES["replication"].color,
    "ours": SERIES["tinygpt"].color,
    "data": SERIES["data"].color,
    "chinchilla": SERIES["chinchilla"].color,
    "gopher": SERIES["gopher"].color,
    **{k: s.color for k, s in SERIES.items()},
}


def ordered_colors(n: int, cmap: str = "viridis") -> list:
    """``n`` colours of a sequential map, for ordered categories (budgets, model sizes, designs)."""
    import numpy as np

    return list(plt.get_cmap(cmap)(np.linspace(0.0, 0.85, max(n, 1))))[:n]


def series(key: str) -> Series:
    """The :class:`Series` of ``key`` (a key of :data:`SERIES`); ValueError naming the keys otherwise."""
    try:
        return SERIES[key]
    except KeyError:
        raise ValueError(f"series must be one of {', '.join(SERIES)}, got {key!r}") from None


def model_series(name: str) -> Series:
    """The series of a named model (``"Chinchilla"``, ``"GPT-3 davinci"``, ``"LLaMA-65B"``...)."""
    key = name.lower().replace(" ", "-")
    for candidate in ("chinchilla", "gopher", "gpt-3", "jurassic", "mt-nlg", "llama"):
        if key.startswith(candidate):
            return SERIES[candidate]
    return Series(SERIES["model"].color, SERIES["model"].marker, name)


def _svg_output() -> None:
    """Render inline figures (and glued ones) as SVG, with no date stamp so builds repeat."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - plotting outside IPython
        return
    if get_ipython() is None:
        return
    set_matplotlib_formats("svg", metadata={"Date": None})


def use_style() -> None:
    """Apply the book's matplotlib style (seaborn whitegrid, readable sizes, SVG output)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 4.2),
            "figure.dpi": 110,
            "savefig.dpi": 220,
            "axes.titlesize": "medium",
            "legend.fontsize": "small",
            "legend.frameon": False,
            "svg.hashsalt": "chinchilla-book",
            "axes.prop_cycle": plt.cycler(color=[SERIES[k].color for k in (
                "approach1-ours", "approach2-ours", "approach3-ours", "kaplan", "paper-full", "tinygpt",
                "gopher", "mt-nlg")]),
        }
    )
    _svg_output()


def compact_number(value: float) -> str:
    """A tick label: ``0.4``, ``20``, ``500k``, ``2M``, ``70B``, ``1.4T``, or ``5×10^18`` in math."""
    v = float(value)
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:g}"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if 1e3 <= abs(v) < 1e15 and abs(v) >= scale:
            return f"{v / scale:g}{suffix}"
    exponent = math.floor(math.log10(abs(v)))
    mantissa = v / 10.0**exponent
    head = "" if abs(mantissa - 1.0) < 1e-9 else f"{mantissa:g}\\times"
    return f"${head}10^{{{exponent}}}$"


def readable_log_ticks(ax, axis: str = "both") -> None:
    """Log-axis tick labels that do not crowd.

    Over less than about two decades the labels are plain numbers (``0.4``, ``2``, ``300``,
    ``5M``; :func:`compact_number`) at 1, 2 and 5 times each power of ten; over wider ranges only
    the decades are labelled.
    """
    for name in ("x", "y") if axis == "both" else (axis,):
        ax_ = getattr(ax, f"{name}axis")
        if getattr(ax, f"get_{name}scale")() != "log":
            continue
        lo, hi = sorted(getattr(ax, f"get_{name}lim")())
        if lo <= 0:
            continue
        if math.log10(hi / lo) < 2.0:
            ax_.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax_.set_major_formatter(FuncFormatter(lambda v, _: compact_number(v)))
        else:
            ax_.set_major_locator(LogLocator(base=10, numticks=12))
        ax_.set_minor_formatter(NullFormatter())


def loglog_axes(ax=None, *, xlabel: str = "", ylabel: str = ""):
    """Log-log axes with labelled decades; returns the axes."""
    if ax is None:
        _, ax = plt.subplots()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def mark_model(ax, x: float, y: float, label: str, color: str | None = None, marker: str | None = None,
               *, size: float = 130, zorder: float = 5, filled: bool = True) -> None:
    """Mark one named model (e.g. Chinchilla, Gopher) with its :func:`model_series` marker and colour.

    ``filled=False`` draws an open marker with a thick coloured edge, so that models at almost the
    same point (GPT-3 and Jurassic) stay visible.
    """
    look = model_series(label)
    colour = color or look.color
    if filled:
        ax.scatter([x], [y], marker=marker or look.marker, s=size, color=colour, edgecolor=INK["edge"],
                   linewidth=0.6, zorder=zorder, label=label)
    else:
        ax.scatter([x], [y], marker=marker or look.marker, s=size, facecolors="none", edgecolors=colour,
                   linewidth=1.6, zorder=zorder, label=label)


def label_points(ax, xs, ys, texts, *, avoid=None, fontsize: float = 8, **extra) -> list:
    """Label points so that no two labels overlap and none sits on a point (via adjustText).

    Overlapping labels are pushed apart, away from the points (and from the points ``avoid`` =
    (xs, ys), e.g. other series), and joined to their points by a thin grey line.
    Deterministic.  Returns the text artists.
    """
    from adjustText import adjust_text

    xs, ys = [float(v) for v in xs], [float(v) for v in ys]
    labels = [ax.text(x, y, str(t), fontsize=fontsize, **extra) for x, y, t in zip(xs, ys, texts)]
    every_x, every_y = list(xs), list(ys)
    if avoid is not None:
        every_x += [float(v) for v in avoid[0]]
        every_y += [float(v) for v in avoid[1]]
    if labels:
        adjust_text(labels, x=every_x, y=every_y, ax=ax, expand=(1.15, 1.4), force_static=(0.2, 0.3),
                    force_text=(0.2, 0.4), max_move=(12, 12),
                    arrowprops={"arrowstyle": "-", "color": INK["guide"], "lw": 0.6})
    return labels


def key_line(label: str, **style):
    """A legend entry for something drawn without a label (a proxy line, not added to the axes)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], label=label, **style)


def key_patch(label: str, **style):
    """A legend entry for a shaded band (a proxy patch, not added to the axes)."""
    from matplotlib.patches import Patch

    return Patch(label=label, **style)


def legend_with(ax, extra=(), **options):
    """The axes' legend with ``extra`` proxy entries (:func:`key_line`, :func:`key_patch`) appended."""
    handles, labels = ax.get_legend_handles_labels()
    extra = list(extra)
    return ax.legend(handles + extra, labels + [h.get_label() for h in extra], **options)


def legend_outside(ax, *, where: str = "right", **extra):
    """A legend outside the data: to the right of the axes, or below them (``where="below"``)."""
    if where == "below":
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=extra.pop("ncol", 2), **extra)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), **extra)
