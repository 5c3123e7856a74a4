"""The capacity report (issue 13): what ``simkit run --out`` writes, read back as a reviewer's
tools read it. summary.json agrees with events.csv and pods.csv; report.xlsx holds the same
tables sheet by sheet, and the same bytes when written again with the same creation time; the
HTML stands alone (no resource from the network, every image decodes) in the report's order;
a notebook shows the same report; writes are atomic. The browser's view is in
test_report_browser.py, the commands in test_cli_report.py."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

import simkit
from simkit.analysis.advice import recommend
from simkit.analysis.verdict import run_verdict, sweep_verdict
from simkit.report import RUN_FILES, ReportExists, atomic_directory, result_html, write_run_report
from simkit.report.exports import write_xlsx
from simkit.report.provenance import created_time, scenario_hash

SHEETS = ["summary", "events", "samples", "pods", "exhaustion"]


@pytest.fixture(scope="module")
def default_result():
    return simkit.run(None, progress=False)


def _summary(folder):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_the_folder_holds_every_file_and_nothing_half_written(default_report):
    folder, out = default_report
    assert sorted(p.name for p in folder.iterdir()) == sorted(RUN_FILES)
    assert [p.name for p in folder.parent.iterdir()] == ["report"]  # no temporary folder left beside it
    assert out.stdout.rstrip().endswith(f"report: {folder / 'report.html'}")


def test_summary_json_agrees_with_events_csv(default_report):
    folder, _ = default_report
    s = _summary(folder)["summary"]
    events = pd.read_csv(folder / "events.csv", keep_default_na=False)
    assert s["calls"] == len(events)
    assert s["calls_by_action"] == events["action"].value_counts().sort_index().to_dict()
    refused = events[events["code"] != ""]
    assert s["api_errors"] == len(refused) > 0
    assert s["api_errors_by_code"] == refused["code"].value_counts().to_dict()
    assert s["api_error_rate"] == pytest.approx(len(refused) / len(events))
    assert (refused["http_status"] != 200).all() and (events.loc[events["code"] == "", "http_status"] == 200).all()


def _nearest_rank(values: np.ndarray, p: float) -> float:
    ordered = np.sort(values)
    return float(ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1])


def test_summary_json_agrees_with_pods_csv(default_report):
    """Every pod that arrived is a row; the outcomes, the waits' percentiles (nearest rank) and
    the failure rate (expired, or waited longer than slo.pod_wait) come out of the rows."""
    folder, _ = default_report
    data = _summary(folder)
    s = data["summary"]
    pods = pd.read_csv(folder / "pods.csv")
    assert s["pods_arrived"] == len(pods)
    assert s["pod_outcomes"] == {k: int((pods["outcome"] == k).sum()) for k in s["pod_outcomes"]}
    waits = pods["wait"].to_numpy()
    for p in (50, 90, 99):
        assert s["pod_wait_seconds"][f"p{p}"] == pytest.approx(_nearest_rank(waits, p))
    assert s["pod_wait_seconds"]["max"] == pytest.approx(waits.max())
    failed = (pods["outcome"] == "expired") | (pods["wait"] > s["slo_pod_wait"])
    assert s["pod_failure_rate"] == pytest.approx(failed.mean())
    assert s["pod_waits_by_reason"] == pods.loc[pods["waited_for"] != "none", "waited_for"].value_counts().to_dict()


def test_summary_json_states_the_verdict_and_what_produced_it(default_report):
    folder, _ = default_report
    data = _summary(folder)
    assert data["scenario_sha256"] == scenario_hash(simkit.DEFAULT_SCENARIO) == scenario_hash(data["scenario"])
    assert data["seed"] == 7 and data["simkit_version"] == simkit.__version__
    assert data["created"] == "2026-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH
    assert data["instance_types"]["source_dates"] == {"2021-07-19": 572, "2022-04-29": 2}
    assert data["slo"] == {"pod_failure_rate": 0.001, "pod_wait_p99": 30.0, "api_error_rate": 0.01}
    s = data["summary"]
    assert data["verdict"] == [
        {"figure": "pod_failure_rate", "value": s["pod_failure_rate"], "target": 0.001, "met": False},
        {"figure": "pod_wait_p99", "value": s["pod_wait_seconds"]["p99"], "target": 30.0, "met": False},
        {"figure": "api_error_rate", "value": s["api_error_rate"], "target": 0.01, "met": False}]
    assert data["recommendation"]["key"] == "vswitches.0.cidr"


def test_the_workbook_holds_each_table_sheet_by_sheet(default_report):
    folder, _ = default_report
    sheets = pd.read_excel(folder / "report.xlsx", sheet_name=None)
    assert list(sheets) == SHEETS
    for name in SHEETS[1:]:
        pd.testing.assert_frame_equal(sheets[name], pd.read_csv(folder / f"{name}.csv"), check_dtype=False)
    summary = dict(zip(sheets["summary"]["item"], sheets["summary"]["value"]))
    assert summary["verdict.pod_failure_rate"].startswith("✗ pod failure rate 32.")
    assert summary["scenario_sha256"] == _summary(folder)["scenario_sha256"]
    assert summary["summary.pods_arrived"] == _summary(folder)["summary"]["pods_arrived"]
    assert summary["scenario.vswitches.0.cidr"] == "192.168.0.0/24"
    assert summary["recommendation"].endswith("--target pod_failure_rate=0.001 --out sizing/")


def test_the_workbook_is_the_same_bytes_when_written_again_at_the_same_time(tmp_path):
    """XlsxWriter stamps only the creation time; fixed, two writings of the same run (and of a
    run again from the same scenario and seed) are byte-identical, the CSVs and summary.json
    too; another time changes the workbook."""
    scenario = {**simkit.DEFAULT_SCENARIO, "duration": "12h"}
    result = simkit.run(scenario, progress=False)
    at = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    first = write_run_report(result, tmp_path / "a", created=at).parent
    second = write_run_report(simkit.run(scenario, progress=False), tmp_path / "b", created=at).parent
    for name in ("report.xlsx", "summary.json", "events.csv", "samples.csv", "pods.csv", "exhaustion.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    import zipfile

    with zipfile.ZipFile(first / "report.xlsx") as book:
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-05-01T12:00:00Z" in book.read("docProps/core.xml").decode()
    tables = {"events": result.events()}
    write_xlsx(tmp_path / "x.xlsx", [("a", 1)], tables, at, "t")
    write_xlsx(tmp_path / "y.xlsx", [("a", 1)], tables, at + dt.timedelta(seconds=1), "t")
    assert (tmp_path / "x.xlsx").read_bytes() != (tmp_path / "y.xlsx").read_bytes()


def test_the_html_stands_alone_in_the_reports_order(default_report):
    folder, _ = default_report
    html = (folder / "report.html").read_text(encoding="utf-8")
    # Nothing fetched: no script, no stylesheet link, no resource but inline data.
    assert "<script" not in html and "<link" not in html and "@import" not in html
    for attribute, value in re.findall(r'\b(src|href)="([^"]*)"', html):
        assert value.startswith("data:image/png;base64,") if attribute == "src" else value in RUN_FILES[1:], value
    assert not re.search(r"url\(|https?://", html.replace("http://www.w3.org", ""))
    order = [html.index(f'id="{section}"') for section in
             ("verdict", "summary", "recommendation", "address-maps", "time-series", "errors", "provenance")]
    assert order == sorted(order)
    assert "Verdict: misses 3 of 3 targets" in html and "✗" in html
    assert "vSwitch pods-h ran out of addresses at 36,071 s" in html  # the summary in sentences
    assert "simkit size SCENARIO.yaml --vary vswitches.0.cidr --target pod_failure_rate=0.001" in html
    assert "at its worst moment (19 h 30 min in" in html and "at the end (1 d in)" in html
    assert "InvalidVSwitchId.IpNotEnough" in html[html.index('id="errors"'):]
    tail = html[html.index('id="provenance"'):]
    assert scenario_hash(simkit.DEFAULT_SCENARIO) in tail and "2021-07-19 (572 types)" in tail
    assert "simkit version</dt><dd>0.1.0" in tail and "name: ack-node-pool-daily-peak" in tail


def test_every_image_in_the_html_decodes(default_report):
    from PIL import Image

    folder, _ = default_report
    html = (folder / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', html)
    # Two address maps (the worst moment, the end), five time series, the errors by code.
    assert len(images) == 8
    for data, alt in images:
        image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
        image.load()
        assert image.width > 300 and image.height > 200, alt


def test_a_notebook_shows_the_same_report(default_result):
    """``Result._repr_html_`` is the report's fragment (no page around it, styles scoped), made
    by the same renderer as report.html."""
    fragment = default_result._repr_html_()
    assert fragment.lstrip().startswith('<div class="simkit-report">') and "<html" not in fragment
    page = result_html(default_result, document=True, figures=False)
    assert result_html(default_result, figures=False) in page
    assert "Verdict: misses 3 of 3 targets" in fragment and fragment.count("<img ") == 8


def test_run_verdict_meets_a_target_at_it_and_misses_above():
    summary = {"pod_failure_rate": 0.001, "api_error_rate": 0.0100001, "pod_wait_seconds": {"p99": 30.0}}
    checks = run_verdict(summary, {"pod_failure_rate": 0.001, "pod_wait_p99": 30.0, "api_error_rate": 0.01})
    assert [(c.figure, c.met) for c in checks] == [("pod_failure_rate", True), ("pod_wait_p99", True),
                                                   ("api_error_rate", False)]
    assert checks[1].text == "pod wait p99 30.0 s ≤ target 30.0 s"
    assert checks[2].text == "API error rate 1.00% > target 1.00%"


def test_sweep_verdict_states_its_confidence():
    """Met when the exact upper bound on the share of runs that miss is at most the risk: 59
    clean runs show 5 % at 95 % confidence, 58 do not; a failed run (NaN) is a miss."""
    target = {"pod_failure_rate": 0.001}
    assert sweep_verdict({"pod_failure_rate": [0.0] * 59}, target)[0].met
    check = sweep_verdict({"pod_failure_rate": [0.0] * 58}, target)[0]
    assert not check.met and check.misses == 0 and check.text.endswith("(59 without a miss are needed)")
    check = sweep_verdict({"pod_failure_rate": [0.0] * 99 + [math.nan]}, target)[0]
    assert check.misses == 1 and check.runs == 100


def test_advice_names_the_limit_to_raise(default_result):
    advice = recommend(default_result, run_verdict(default_result.summary, default_result.slo), "s.yaml")
    assert advice.key == "vswitches.0.cidr"
    assert advice.text.startswith("Give vSwitch pods-h more addresses (vswitches.0.cidr, now 192.168.0.0/24)")
    assert advice.command == "simkit size s.yaml --vary vswitches.0.cidr --target pod_failure_rate=0.001 --out sizing/"


@pytest.mark.filterwarnings("ignore::simkit.scenario.offered.OfferedLoadWarning")  # it binds on purpose
def test_advice_when_the_fleet_binds_and_when_all_is_met():
    bound = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "2h", "fleet": [
        {"instance_type": "ecs.g7.2xlarge", "count": 1, "vswitch": "pods-h", "max_pods": 12}]}, progress=False)
    advice = recommend(bound, run_verdict(bound.summary, bound.slo))
    assert advice.key == "fleet.0.count" and "Add nodes (fleet.0.count, now 1 of 1 nodes" in advice.text
    calm = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "1h"}, progress=False)
    checks = run_verdict(calm.summary, calm.slo)
    assert all(c.met for c in checks)
    assert recommend(calm, checks) == ("The layout meets every target: no change is needed. Its tightest point: "
                                       f"vSwitch pods-h kept {calm.summary['min_free_ips']['pods-h']} addresses "
                                       "free at its fewest.", None, None)


def test_the_scenarios_slo_sets_the_targets():
    r = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "1h",
                    "slo": {"pod_wait": "10s", "pod_failure_rate": 0.2, "api_error_rate": 0.5}}, progress=False)
    assert r.slo == {"pod_failure_rate": 0.2, "pod_wait_p99": 10.0, "api_error_rate": 0.5}
    assert r.scenario["slo"]["pod_wait"] == "10s"  # as given


def test_an_interrupted_write_leaves_nothing(tmp_path):
    dest = tmp_path / "report"
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(dest) as folder:
            (folder / "report.html").write_text("half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_replaced_only_when_asked(tmp_path):
    dest = tmp_path / "report"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    with pytest.raises(ReportExists, match="already exists; give --force to replace it"):
        with atomic_directory(dest):
            raise AssertionError("not reached: refused before anything is written")
    with atomic_directory(dest, force=True) as folder:
        (folder / "new.txt").write_text("new")
    assert [p.name for p in dest.iterdir()] == ["new.txt"] and [p.name for p in tmp_path.iterdir()] == ["report"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        with atomic_directory(tmp_path / "file", force=True):
            pass


def test_the_creation_time_comes_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert created_time() == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH='soon' is not a time"):
        created_time()


def test_what_the_scenario_says_is_shown_as_text_never_as_markup():
    """A scenario's name, echoed in the title, the sentences and the scenario as run, is
    escaped by the templates: a report of an untrusted file runs no script."""
    r = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "1h", "name": '<script>alert("x")</script>'}, progress=False)
    page = result_html(r, document=True, figures=False)
    assert "<script" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
