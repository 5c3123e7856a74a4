"""The command line: what a person sees, and one clear line (no traceback) when input is bad."""

import json
import subprocess
import sys

import yaml

from simkit import DEFAULT_SCENARIO


def simkit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simkit", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_demo_prints_the_summary_of_the_default_scenario():
    out = simkit("demo")
    assert out.returncode == 0, out.stderr
    assert "scenario 'pod-churn-demo' (seed 7, 24 h simulated)" in out.stdout
    assert "API calls" in out.stdout and "pod wait (s)" in out.stdout and "vSwitch vsw-a" in out.stdout


def test_run_prints_json_when_asked(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**DEFAULT_SCENARIO, "duration": "2h"}))
    out = simkit("run", str(path), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["scenario"] == "pod-churn-demo" and summary["duration"] == 7200


def test_a_broken_scenario_is_one_line_on_stderr(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**DEFAULT_SCENARIO, "fleet": [{"instance_type": "ecs.g7.xlargee", "count": 8, "vswitch": "vsw-a"}]}))
    out = simkit("run", str(path))
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert str(path) in lines[0] and "fleet[0].instance_type" in lines[0] and "ecs.g7.xlarge" in lines[0]


def test_missing_file_is_one_line(tmp_path):
    out = simkit("run", str(tmp_path / "nope.yaml"))
    assert out.returncode == 2 and "cannot be read" in out.stderr and "Traceback" not in out.stderr


def test_error_codes_prints_the_registry_table():
    out = simkit("error-codes")
    assert out.returncode == 0 and "| `InvalidVSwitchId.IpNotEnough` | 403 |" in out.stdout


def test_a_bad_trace_row_found_during_the_run_names_the_scenario_and_the_row(tmp_path):
    (tmp_path / "pods.csv").write_text("name,start,end\np0,0,10\np1,5,abc\n")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({
        "vswitches": [{"name": "v", "cidr": "10.0.0.0/24"}],
        "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v"}],
        "workload": {"kind": "pod-trace", "path": "pods.csv", "start_column": "start", "end_column": "end"},
        "duration": "1h",
    }))
    out = simkit("run", str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert str(path) in out.stderr and "line 3" in out.stderr and "'end'" in out.stderr
