"""The commands of issue 13 end to end: ``simkit run --out``, ``sweep``, ``size``, ``catalog`` and
``validate``; their exit statuses, what they print, and one line on stderr for every mistake.
Most run in this process (``simkit.cli.main``), the first as a user runs it, in a process of its
own (the ``default_report`` fixture); the broken corpus goes through ``validate`` and ``run
--out`` in tests/test_broken_corpus.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

import simkit
from simkit.cli import main
from simkit.report.provenance import scenario_hash
from tests.conftest import simkit_process

#: The default scenario cut to an hour: a run and its report take about a second.
SHORT = {**simkit.DEFAULT_SCENARIO, "duration": "1h"}


def cli(capsys, *argv) -> tuple[int, str, str]:
    """``simkit ARGV`` in this process: (status, stdout, stderr)."""
    capsys.readouterr()
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own refusals
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def scenario(tmp_path, monkeypatch):
    """s.yaml (the default scenario, an hour long) in the test's folder, which is the current one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SHORT, sort_keys=False))
    return "s.yaml"


def one_error_line(status: int, out: str, err: str) -> str:
    assert status == 2 and out == "" and err.count("\n") == 1 and err.startswith("simkit: error: "), (status, out, err)
    assert "Traceback" not in err
    return err


def test_run_out_prints_the_summary_then_where_the_report_is(default_report):
    folder, out = default_report
    assert out.stderr == ""
    assert out.stdout.startswith("scenario 'ack-node-pool-daily-peak' (seed 7, 24 h simulated)")
    assert out.stdout.endswith(f"\nreport: {folder / 'report.html'}\n")


def test_an_existing_folder_is_refused_before_the_run_and_replaced_with_force(scenario, capsys):
    assert cli(capsys, "run", scenario, "--out", "r", "--no-progress")[0] == 0
    (written := __import__("pathlib").Path("r/summary.json")).write_text("{}")
    err = one_error_line(*cli(capsys, "run", scenario, "--out", "r"))
    assert err == "simkit: error: r already exists; give --force to replace it (nothing was written)\n"
    assert written.read_text() == "{}"
    status, out, _ = cli(capsys, "run", scenario, "--out", "r", "--force", "--quiet")
    assert (status, out) == (0, "r/report.html\n")  # --quiet: the page's path alone
    assert json.loads(written.read_text())["summary"]["duration"] == 3600
    assert sorted(p.name for p in __import__("pathlib").Path(".").iterdir()) == ["r", "s.yaml"]


def test_set_and_seed_change_the_scenario_as_run_and_its_hash(scenario, capsys):
    status, _, err = cli(capsys, "run", scenario, "--set", "vswitches[0].cidr=192.168.0.0/23",
                         "--set", "agent.max_idle=2", "--seed", "3", "--out", "r", "-q")
    assert status == 0 and err == ""
    data = json.loads(open("r/summary.json", encoding="utf-8").read())
    expected = {**SHORT, "seed": 3, "vswitches": [{**SHORT["vswitches"][0], "cidr": "192.168.0.0/23"}],
                "agent": {**SHORT["agent"], "max_idle": 2}}
    assert data["scenario"] == expected and data["scenario_sha256"] == scenario_hash(expected)
    assert data["scenario_file"] == "s.yaml" and data["seed"] == 3 and data["summary"]["seed"] == 3


def test_json_with_out_keeps_stdout_for_the_json(scenario, capsys):
    status, out, err = cli(capsys, "run", scenario, "--json", "--out", "r")
    assert status == 0 and json.loads(out)["duration"] == 3600 and err == "report: r/report.html\n"


@pytest.mark.parametrize("args, message", [
    (["--set", "agent.max_idle"], "--set 'agent.max_idle': expected key.path=value"),
    (["--set", "fleet.0.count=many"], "s.yaml: fleet[0].count: expected a whole number from 1 to 100,000, got 'many'"),
    (["--set", "fleet.3.count=2"], "s.yaml: fleet.3.count: '3' is not an item of fleet (a list of 1)"),
    (["--set", "slo.pod_failure_rate=2"], "s.yaml: slo.pod_failure_rate: expected a finite number from 0 to 1, got 2"),
])
def test_a_bad_change_is_one_line_and_writes_nothing(scenario, capsys, args, message):
    err = one_error_line(*cli(capsys, "run", scenario, *args, "--out", "r"))
    assert err.startswith(f"simkit: error: {message}")
    assert not __import__("pathlib").Path("r").exists()


def test_progress_is_shown_when_asked_and_not_otherwise(scenario, tmp_path):
    shown = simkit_process("--progress", "run", scenario, "-q", cwd=tmp_path)
    hidden = simkit_process("run", scenario, "--no-progress", cwd=tmp_path)
    assert shown.returncode == hidden.returncode == 0
    assert "simulated" in shown.stderr and shown.stdout == ""  # tqdm's bar, desc "simulated"
    assert hidden.stderr == "" and "pod failure rate" in hidden.stdout


def test_validate_says_ok_warns_and_refuses(scenario, capsys):
    assert cli(capsys, "validate", scenario) == (0, "s.yaml: ok: 1 vSwitch(es), 10 nodes, a pod-churn workload, 1 h "
                                                    "to replay\n", "")
    status, out, err = cli(capsys, "validate", scenario, "--set", "fleet.0.count=1", "-q")
    assert (status, out) == (0, "") and err.startswith("simkit: warning: s.yaml: the workload offers ~")
    err = one_error_line(*cli(capsys, "validate", scenario, "--set", "vswitches.0.cidr=192.168.0.0/30"))
    assert err.startswith("simkit: error: s.yaml: vswitches[0].cidr: ")
    err = one_error_line(*cli(capsys, "validate", "missing.yaml"))
    assert err == "simkit: error: missing.yaml: cannot be read: No such file or directory\n"


def test_catalog_lists_limits_and_max_pods(capsys):
    status, out, err = cli(capsys, "catalog", "--family", "g7", "--min-pods", "100")
    lines = out.splitlines()
    assert status == 0 and err == ""
    assert lines[0].split() == ["instance", "type", "vCPU", "GiB", "ENIs", "IPv4/ENI", "pods", "secondary-ip", "pods",
                                "prefix", "pods", "exclusive-eni"]
    # ecs.g7.3xlarge: 8 ENIs x 15 addresses: (8 - 1) x 15 = 105 pods; prefix (8 - 1) x 14 x 16 = 1,568.
    assert lines[1].split() == ["ecs.g7.3xlarge", "12", "48", "8", "15", "105", "1568", "7"]
    assert [line.split()[0] for line in lines[1:-1]] == ["ecs.g7.3xlarge", "ecs.g7.4xlarge", "ecs.g7.6xlarge",
                                                         "ecs.g7.8xlarge", "ecs.g7.16xlarge", "ecs.g7.32xlarge"]
    status, out, _ = cli(capsys, "catalog", "--family", "g7", "--mode", "prefix", "--json")
    rows = json.loads(out)
    assert status == 0 and rows[0] == {"instance_type": "ecs.g7.large", "family": "g7", "vcpu": 2, "memory_gib": 8.0,
                                       "enis": 3, "ipv4_per_eni": 6, "max_pods_prefix": 160}
    err = one_error_line(*cli(capsys, "catalog", "--family", "g77"))
    assert err.startswith("simkit: error: --family 'g77': no such instance family (did you mean g7")
    status, _, err = cli(capsys, "catalog", "--mode", "ipvlan")
    assert status == 2 and "invalid choice: 'ipvlan'" in err


def test_sweep_writes_its_report(scenario, capsys):
    status, out, err = cli(capsys, "sweep", scenario, "--grid", "vswitches.0.cidr=192.168.0.0/27,192.168.0.0/24",
                           "--seeds", "2", "--out", "sw", "--no-progress")
    assert (status, err) == (0, "") and out == "4 runs; report: sw/report.html\n"
    runs = pd.read_csv("sw/sweep.csv")
    assert len(runs) == 4 and runs["vswitches.0.cidr"].tolist() == ["192.168.0.0/27"] * 2 + ["192.168.0.0/24"] * 2
    data = json.loads(open("sw/summary.json", encoding="utf-8").read())
    assert [p["point"] for p in data["verdict"]] == [{"vswitches.0.cidr": "192.168.0.0/27"},
                                                    {"vswitches.0.cidr": "192.168.0.0/24"}]
    # Two seeds can show no confidence: every point is judged not met, and the report says why.
    assert not any(p["met"] for p in data["verdict"])
    assert data["seed"]["runs"] == runs["seed"].drop_duplicates().tolist()
    sheets = pd.read_excel("sw/report.xlsx", sheet_name=None)
    assert list(sheets) == ["summary", "runs", "points"] and len(sheets["runs"]) == 4 and len(sheets["points"]) == 2
    html = open("sw/report.html", encoding="utf-8").read()
    assert "Verdict: 0 of 2 meet every target with 95% confidence" in html and html.count("<img ") == 3
    assert "simkit size s.yaml --vary vswitches.0.cidr --target pod_failure_rate=0.001" in html


def test_a_sweep_of_seeds_alone_is_one_point(scenario, capsys):
    status, out, _ = cli(capsys, "sweep", scenario, "--seeds", "2", "--out", "sw", "-q")
    assert (status, out) == (0, "sw/report.html\n")
    points = pd.read_csv("sw/points.csv")
    assert len(points) == 1 and points["runs"].tolist() == [2]
    assert "No key was varied: one point, over its seeds" in open("sw/report.html", encoding="utf-8").read()


def test_sweep_without_out_prints_its_table_and_refuses_a_bad_grid(scenario, capsys):
    status, out, _ = cli(capsys, "sweep", scenario, "--grid", "agent.max_idle=1,2", "--no-progress")
    table = pd.read_csv(__import__("io").StringIO(out))
    assert status == 0 and table["agent.max_idle"].tolist() == [1, 2]
    err = one_error_line(*cli(capsys, "sweep", scenario, "--grid", "agent.mode=secondary-ip,nope"))
    assert err.startswith("simkit: error: s.yaml: agent.mode: ") and err.endswith("(at agent.mode='nope')\n")
    err = one_error_line(*cli(capsys, "sweep", scenario, "--grid", "agent.max_idle=1,,2"))
    assert err == "simkit: error: --grid 'agent.max_idle=1,,2': an empty value; expected key.path=v1,v2,...\n"


def test_size_writes_the_answer_and_its_report(scenario, capsys):
    """Five clean runs bound the miss share at 45 % with 95 % confidence: met at a 50 % risk."""
    status, out, err = cli(capsys, "size", scenario, "--vary", "vswitches.0.cidr", "--target", "pod_failure_rate=0.001",
                           "--candidates", "vswitches.0.cidr=192.168.0.0/26,192.168.0.0/24", "--seeds", "5",
                           "--risk", "0.5", "--out", "sz", "--no-progress")
    assert status == 0 and err == ""
    assert out.startswith("vswitches.0.cidr = ") and out.endswith("report: sz/report.html\n")
    data = json.loads(open("sz/summary.json", encoding="utf-8").read())
    assert data["chosen"] in ("192.168.0.0/26", "192.168.0.0/24") and data["target"] == {"pod_failure_rate": 0.001}
    assert len(pd.read_csv("sz/size.csv")) == data["runs"] // 5
    assert list(pd.read_excel("sz/report.xlsx", sheet_name=None)) == ["summary", "layouts", "pareto"]
    html = open("sz/report.html", encoding="utf-8").read()
    assert "Verdict: a layout meets the target" in html and f"Set vswitches.0.cidr = {data['chosen']}" in html
    err = one_error_line(*cli(capsys, "size", scenario, "--vary", "vswitches.0.cidr", "--target", "pods=1"))
    assert err.startswith("simkit: error: size: target.pods: unknown figure; allowed: pod_failure_rate")
