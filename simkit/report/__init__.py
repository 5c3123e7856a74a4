"""Capacity reports a design review can read without Python (issue 13): a run's, a sweep's and
a size search's, each an HTML page (the verdict against the scenario's SLO first, then the
summary in sentences, the recommendation, the figures and tables, and what produced it) with
its tables beside it as CSV, summary.json and report.xlsx.

One renderer (``render``: Jinja2 templates shipped in ``simkit/report/templates``) makes every
page and the HTML a notebook shows for a Result (``Result._repr_html_``). Writers are thin and
atomic: a report folder appears whole or not at all (``atomic``).

One module per job: ``run``, ``sweep`` and ``sizing`` build each report's context and write
its folder; ``figures`` picks the figures (``simkit.viz``) and embeds them; ``exports`` writes
CSV, JSON and XLSX; ``provenance`` says what produced a report; ``atomic`` writes folders.
"""

from simkit.report.atomic import ReportExists, atomic_directory
from simkit.report.forecast import FORECAST_FILES, write_forecast_report
from simkit.report.run import RUN_FILES, result_html, run_context, write_run_report
from simkit.report.sizing import SIZE_FILES, write_size_report
from simkit.report.sweep import SWEEP_FILES, write_sweep_report

__all__ = ["FORECAST_FILES", "RUN_FILES", "ReportExists", "SIZE_FILES", "SWEEP_FILES", "atomic_directory", "result_html", "run_context",
           "write_forecast_report", "write_run_report", "write_size_report",
           "write_sweep_report"]
