"""The command line: what a person sees, and one clear line (no traceback) when input is bad."""

import json
from pathlib import Path
import shlex
import subprocess
import sys

import yaml

from simkit import DEFAULT_SCENARIO


def simkit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simkit", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_demo_prints_the_summary_of_the_default_scenario():
    out = simkit("demo")
    assert out.returncode == 0, out.stderr
    assert "scenario 'ack-node-pool-daily-peak' (seed 7, 24 h simulated)" in out.stdout
    assert "pod failure rate" in out.stdout and "pod wait (s)" in out.stdout and "vSwitch pods-h" in out.stdout
    assert "binding limit        " in out.stdout and "pods waited because vSwitch pods-h ran out of addresses" in out.stdout
    assert out.stderr == ""  # the default does not warn: its fleet holds what the workload offers


def test_a_warning_before_the_run_is_one_line_on_stderr():
    out = simkit("run", str(Path(__file__).resolve().parent.parent / "data" / "scenarios" / "fleet-bound.yaml"))
    assert out.returncode == 0
    assert out.stderr.startswith("simkit: warning: ") and out.stderr.count("\n") == 1
    assert "offers ~1,966 pods at once and the fleet holds 360" in out.stderr


def test_run_prints_json_when_asked(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**DEFAULT_SCENARIO, "duration": "2h"}))
    out = simkit("run", str(path), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["scenario"] == "ack-node-pool-daily-peak" and summary["duration"] == 7200


TWO_VSWITCHES = {
    "name": "two-vswitches", "duration": "1h",
    "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24", "reservations": [{"mask": 27}]},
                  {"name": "vsw-b", "zone": "cn-hangzhou-i", "cidr": "10.0.1.0/24"}],
    "fleet": [{"instance_type": "ecs.g7.large", "count": 2, "vswitch": "vsw-a"},
              {"instance_type": "ecs.g7.large", "count": 2, "vswitch": "vsw-b"}],
    "workload": {"kind": "pod-churn", "arrival_rate": "1/m", "lifetime": {"median": "10m", "p90": "30m"}},
}


def test_only_a_vswitch_with_reservations_shows_its_free_28_blocks_in_them(tmp_path):
    """vsw-a's /27 reservation holds 32 / 16 = 2 aligned /28 blocks, and single IPs (the
    secondary-ip agents') never come from a reservation, so both stay free: 2. vsw-b has no
    reservation, so its line has no such figure (it used to say 0)."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(TWO_VSWITCHES))
    out = simkit("run", str(path))
    assert out.returncode == 0, out.stderr
    a, b = ([line for line in out.stdout.splitlines() if line.startswith(f"  vSwitch {name} ")] for name in ("vsw-a", "vsw-b"))
    assert len(a) == len(b) == 1
    assert a[0].endswith("; fewest free /28 in reservations 2")
    assert "reservations" not in b[0] and b[0].startswith("  vSwitch vsw-b        fewest free addresses ")


def test_a_reader_gone_before_the_output_ends_the_command_quietly(tmp_path):
    """The read end of stdout's pipe is closed before simkit writes (it takes far longer than
    that to start and run): its write fails with EPIPE. Python's recipe: no traceback, no
    "Broken pipe" message, exit status 1."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(TWO_VSWITCHES))
    for args in (["run", "--json", str(path)], ["run", str(path)], ["error-codes"]):
        proc = subprocess.Popen([sys.executable, "-m", "simkit", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()  # the only reader goes away
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=300) == 1 and err == "", (args, err)


def test_run_json_piped_to_head_prints_one_line_and_nothing_else(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(TWO_VSWITCHES))
    out = subprocess.run(f"{shlex.quote(sys.executable)} -m simkit run --json {shlex.quote(str(path))} | head -1",
                         shell=True, capture_output=True, text=True, timeout=300)
    assert (out.returncode, out.stdout, out.stderr) == (0, "{\n", "")


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
