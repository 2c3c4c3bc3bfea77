"""What the book's chapters share: glue, number formats, one table style, scorecard tables.

* :mod:`.glue` -- numbers and figures glued into the prose;
* :mod:`.formats` -- how the book writes numbers (``5.76e23``, ``67.8``, counts, billions);
* :mod:`.tables` -- the one table look (:func:`table_style`, :data:`COLUMNS`);
* :mod:`.scorecard` -- scorecard rows as tables, one per chapter;
* :mod:`.source` -- where a reader gets the code (the repository named at build time).
"""

from .formats import billions, count_text, flops_text, significant
from .glue import glue_all, glue_figure, glue_markdown, glue_number
from .scorecard import (
    EXTRA_COLUMNS,
    SCORECARD_COLUMNS,
    STATUS_MARKERS,
    STATUS_MEANINGS,
    STATUS_STYLES,
    chapter_summary,
    printed_decimals,
    scorecard_by_chapter,
    scorecard_counts,
    scorecard_frame,
    scorecard_table,
    status_legend,
    status_text,
)
from .source import repository_url, source_markdown
from .tables import COLUMNS, quantity_table, reader_header, table_style

__all__ = ["glue_number", "glue_all", "glue_figure", "table_style", "scorecard_frame", "scorecard_table",
           "scorecard_counts", "STATUS_STYLES", "STATUS_MARKERS", "STATUS_MEANINGS", "SCORECARD_COLUMNS", "COLUMNS",
           "significant", "flops_text", "billions", "count_text", "reader_header", "status_text", "status_legend",
           "scorecard_by_chapter", "quantity_table", "EXTRA_COLUMNS", "chapter_summary", "printed_decimals",
           "repository_url", "source_markdown", "glue_markdown"]
