"""Files that are not what they claim (issue 9, point 5): each is one ScenarioError from
``simkit.run`` and the same one line on stderr with exit status 2 from ``simkit run``, naming
the file, the line and the field, never a raw exception or a traceback.

Each case writes a scenario file beside its workload file, so both the library and the command
line read the same thing, and the message is the same from both."""

import json
import subprocess
import sys

import pytest
import yaml

import simkit
from simkit import ScenarioError
from simkit.workloads import WorkloadError, read_api_calls, read_pod_trace

BASE = {
    "name": "hostile", "duration": "1h", "sample_every": "5m", "vpc": {"cidr": "10.0.0.0/16"},
    "vswitches": [{"name": "vsw-a", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
    "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "vsw-a"}],
}
TRACE = {"kind": "pod-trace", "path": "pods.csv", "start_column": "start", "end_column": "end"}
CALLS = {"kind": "api-calls", "path": "calls.jsonl"}
UTF8 = "allowed: a file encoded as UTF-8 (save or convert it as UTF-8, e.g. with iconv)"
DEEP = "JSON nested more than 100 levels deep; allowed: at most 100 (a record of an API call is a few levels deep)"


def scenario_file(tmp_path, workload, **over):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**BASE, "workload": workload, **over}))
    return path


def refused(path) -> str:
    """The message of the one ScenarioError ``simkit.run`` raises, after checking that the
    command line prints the same as its one line and exits with 2."""
    with pytest.raises(ScenarioError) as err:
        simkit.run(path, progress=False)
    out = subprocess.run([sys.executable, "-m", "simkit", "run", str(path)], capture_output=True, text=True,
                         timeout=300)
    assert (out.returncode, out.stdout, out.stderr) == (2, "", f"simkit: error: {err.value}\n")
    return str(err.value)


# --- not UTF-8 --------------------------------------------------------------------------------

def test_a_scenario_that_is_not_utf8_names_its_line_and_column(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: t\nduration: \xff1h\n")
    assert refused(path) == (f"{path}: line 2, column 11: byte 0xff is not UTF-8 text; allowed: a YAML file "
                             f"encoded as UTF-8 (save or convert it as UTF-8)")


def test_a_trace_that_is_not_utf8_names_its_line_and_column(tmp_path):
    (tmp_path / "pods.csv").write_bytes(b"start,end\n0,10\n5,\xe9t\xe9\n")  # Latin-1 "ete"
    path = scenario_file(tmp_path, TRACE)
    assert refused(path) == f"{path}: workload: {tmp_path / 'pods.csv'}, line 3, column 3: byte 0xe9 is not UTF-8 text; {UTF8}"


def test_a_log_that_is_not_utf8_names_its_line_and_column(tmp_path):
    (tmp_path / "calls.jsonl").write_bytes(b'{"time": 0, "action": "DescribeVSwitches"}\n'
                                           b'{"time": 1, "action": "Describe\xffVSwitches"}\n')
    path = scenario_file(tmp_path, CALLS)
    assert refused(path) == f"{path}: workload: {tmp_path / 'calls.jsonl'}, line 2, column 32: byte 0xff is not UTF-8 text; {UTF8}"


def test_a_trace_in_order_that_turns_out_not_utf8_only_in_a_name_stops_the_run_with_the_line(tmp_path):
    """The start column is clean, so the check passes and the run reads lazily; the bad byte is
    in the name column of line 3, found during the run."""
    (tmp_path / "pods.csv").write_bytes(b"name,start,end\np0,0,10\np\xff1,5,20\n")
    path = scenario_file(tmp_path, {**TRACE, "name_column": "name"})
    assert refused(path) == f"{path}: workload: {tmp_path / 'pods.csv'}, line 3, column 2: byte 0xff is not UTF-8 text; {UTF8}"


# --- workload.path that names no file --------------------------------------------------------

@pytest.mark.parametrize("workload, what", [(TRACE, "a CSV file of pods"), (CALLS, "a JSONL or JSON file of API calls")])
def test_a_workload_path_that_is_a_directory(tmp_path, workload, what):
    (tmp_path / "d").mkdir()
    path = scenario_file(tmp_path, {**workload, "path": "d"})
    assert refused(path) == f"{path}: workload.path: {tmp_path / 'd'} is a directory; allowed: the path of {what}"


def test_a_workload_path_of_1000_characters(tmp_path):
    path = scenario_file(tmp_path, {**TRACE, "path": "a" * 1000})
    full = str(tmp_path / ("a" * 1000))
    assert refused(path) == (f"{path}: workload.path: {repr(full)[:57]}... ({len(full):,} characters) cannot be read: "
                             f"File name too long; allowed: the path of a CSV file of pods")


def test_a_workload_path_with_a_nul_byte():
    """Only a mapping can carry one (YAML refuses the character). Python's exists() says False
    for it; the message quotes the name so that it prints as one line."""
    with pytest.raises(ScenarioError) as err:
        simkit.run({**BASE, "workload": {**TRACE, "path": "/tmp/a\x00b.csv"}}, progress=False)
    assert str(err.value) == "scenario: workload.path: '/tmp/a\\x00b.csv' does not exist"


# --- CSV that is not CSV, short rows ----------------------------------------------------------

def test_a_csv_cell_over_the_csv_modules_limit(tmp_path):
    (tmp_path / "pods.csv").write_text("start,end,name\n0,10,a\n1,10," + "x" * 131_073 + "\n")
    path = scenario_file(tmp_path, TRACE)
    assert refused(path) == (f"{path}: workload: {tmp_path / 'pods.csv'}, line 3: a cell is longer than 131,072 "
                             f"characters (the csv module's limit); allowed: CSV with shorter cells (is this a CSV file?)")


def test_a_short_row(tmp_path):
    (tmp_path / "pods.csv").write_text("name,start,end\np0,0,10\np1,5\n")
    path = scenario_file(tmp_path, TRACE)
    assert refused(path) == (f"{path}: workload: {tmp_path / 'pods.csv'}, line 3: the row has 2 cells and the header 3 "
                             f"columns (no cell for column 'end'); allowed: a cell for every column, an empty one written "
                             f"as nothing between two commas")


def test_a_short_row_whose_missing_cells_are_not_read_is_refused_too(tmp_path):
    """The pods need start and end only; a row without its last cell is still a broken file."""
    (tmp_path / "p.csv").write_text("start,end,cpu\n0,10,1\n5,20\n")
    with pytest.raises(WorkloadError, match=r"p.csv, line 3: the row has 2 cells and the header 3 columns \(no cell for column 'cpu'\)"):
        list(read_pod_trace(tmp_path / "p.csv", "start", "end"))


def test_a_row_with_empty_cells_is_not_short(tmp_path):
    (tmp_path / "p.csv").write_text("start,end,cpu\n0,,\n")
    assert [tuple(p) for p in read_pod_trace(tmp_path / "p.csv", "start", "end", cpu_column="cpu")] == [("row-2", 0.0, None, None, None)]


def test_a_400_digit_start_is_quoted_cut_to_one_line(tmp_path):
    (tmp_path / "pods.csv").write_text("start,end\n" + "9" * 400 + ",\n")
    path = scenario_file(tmp_path, TRACE)
    assert refused(path) == (f"{path}: workload: {tmp_path / 'pods.csv'}, line 2: column 'start' is '{'9' * 56}...; "
                             f"allowed: seconds as a finite number, or empty")


# --- JSON that is not a log of API calls ------------------------------------------------------

def test_100k_deep_json_document(tmp_path):
    (tmp_path / "calls.jsonl").write_text("[" * 100_000 + "]" * 100_000)
    path = scenario_file(tmp_path, CALLS)
    assert refused(path) == f"{path}: workload: {tmp_path / 'calls.jsonl'}, line 1: {DEEP}"


def test_100k_deep_jsonl_record_on_line_2(tmp_path):
    (tmp_path / "calls.jsonl").write_text('{"time": 0, "action": "DescribeVSwitches"}\n'
                                          '{"time": 1, "action": "X", "params": {"A": ' + "[" * 100_000 + "]" * 100_000 + "}}\n")
    path = scenario_file(tmp_path, CALLS)
    assert refused(path) == f"{path}: workload: {tmp_path / 'calls.jsonl'}, line 2: {DEEP}"


def test_json_100_levels_deep_is_read_and_101_is_not(tmp_path):
    """A record {"time", "action", "params": {"A": [[...]]}}: the record is level 1, params 2,
    so n nested lists make it n + 2 levels deep."""
    path = tmp_path / "calls.jsonl"
    for lists, ok in ((98, True), (99, False)):
        path.write_text('{"time": 0, "action": "X", "params": {"A": ' + "[" * lists + "]" * lists + "}}\n")
        if ok:
            assert [c.action for c in read_api_calls(path)] == ["X"]
        else:
            with pytest.raises(WorkloadError, match=r"line 1: JSON nested more than 100 levels deep"):
                list(read_api_calls(path))


def test_deep_nesting_in_a_json_document_names_the_record(tmp_path):
    path = tmp_path / "events.json"
    deep = {"eventType": "ApiCall", "eventName": "X", "eventTime": "2020-01-09T12:12:14Z",
            "requestParameters": {"A": json.loads("[" * 120 + "]" * 120)}}
    flat = {**deep, "requestParameters": {}}
    path.write_text(json.dumps({"Events": [flat, deep]}))
    with pytest.raises(WorkloadError, match=r"events.json, record 2: JSON nested more than 100 levels deep"):
        list(read_api_calls(path))


def test_a_400_digit_time(tmp_path):
    (tmp_path / "calls.jsonl").write_text('{"time": 0, "action": "DescribeVSwitches"}\n'
                                          '{"time": ' + "9" * 400 + ', "action": "DescribeVSwitches"}\n')
    path = scenario_file(tmp_path, CALLS)
    assert refused(path) == (f"{path}: workload: {tmp_path / 'calls.jsonl'}, line 2: field 'time' is {'9' * 57}...; "
                             f"allowed: seconds as a finite number or an ISO-8601 UTC time such as 2020-01-09T12:12:14Z")


def test_a_5000_digit_number_which_python_does_not_read(tmp_path):
    (tmp_path / "calls.jsonl").write_text('{"time": 0, "action": "X", "params": {"A": ' + "9" * 5000 + "}}\n")
    path = scenario_file(tmp_path, CALLS)
    assert refused(path) == (
        f"{path}: workload: {tmp_path / 'calls.jsonl'}, line 1, column 44: a number of 5,000 digits; allowed: at most "
        f"4,300 digits (Python reads no longer integers)")


def test_times_each_finite_but_not_a_finite_distance_apart(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"time": -1e308, "action": "X"}\n{"time": 1e308, "action": "X"}\n')
    with pytest.raises(WorkloadError, match=r"line 2: field 'time' is 1e\+308 and the first call's -1e\+308; "
                                            r"allowed: times less than 1.8e\+308 s apart"):
        list(read_api_calls(tmp_path / "c.jsonl"))


# --- counts that are not counts: the model refuses them as the API would ----------------------

def assign_with_count(count: str) -> str:
    return ('{"time": 1, "action": "AssignPrivateIpAddresses", "params": {"NetworkInterfaceId": "eni-1", '
            '"SecondaryPrivateIpAddressCount": ' + count + "}}\n")


@pytest.mark.parametrize("count", ["1e400", '{"a": 1}', "[1, 2]"])
def test_a_count_that_is_no_count_is_a_recorded_api_error(tmp_path, count):
    """Values inside params are the model's to judge: the call is replayed and refused with the
    code the API gives a malformed count, and the run goes on."""
    (tmp_path / "calls.jsonl").write_text(assign_with_count(count))
    result = simkit.run(scenario_file(tmp_path, CALLS), progress=False)
    assert result.summary["api_errors_by_code"] == {"InvalidSecondaryPrivateIpAddressCount.Malformed": 1}


def test_an_11_digit_count_is_a_recorded_api_error(tmp_path):
    (tmp_path / "calls.jsonl").write_text(assign_with_count("99999999999"))
    result = simkit.run(scenario_file(tmp_path, CALLS), progress=False)
    assert result.summary["api_errors_by_code"] == {"InvalidParameter.PrivateIpCount": 1}


# --- more action names than a run can record --------------------------------------------------

def test_65535_distinct_action_names_are_replayed(tmp_path):
    """The recorder keeps action names in a 16-bit column with 0 for the empty name: 65,535 fit.
    None of these names is an ECS action, so each call is refused (InvalidAction) and recorded."""
    (tmp_path / "calls.jsonl").write_text("".join(f'{{"time": 0, "action": "A{i}"}}\n' for i in range(65_535)))
    result = simkit.run(scenario_file(tmp_path, CALLS), progress=False)
    assert result.summary["api_errors_by_code"] == {"InvalidAction": 65_535}


def test_the_65536th_distinct_action_name_is_refused(tmp_path):
    (tmp_path / "calls.jsonl").write_text("".join(f'{{"time": 0, "action": "A{i}"}}\n' for i in range(65_536)))
    path = scenario_file(tmp_path, CALLS)
    assert refused(path) == (f"{path}: workload: {tmp_path / 'calls.jsonl'}, line 65536: field 'action' ('A65535') is "
                             f"distinct action name number 65,536 in the log; allowed: at most 65,535 (ECS has a few "
                             f"hundred actions; a run records action names in a 16-bit column)")


def test_repeated_action_names_count_once(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"time": 0, "action": "A"}\n' * 70_000)
    assert sum(1 for _ in read_api_calls(path)) == 70_000


# --- the scenario file itself -----------------------------------------------------------------

def test_a_scenario_nested_deeper_than_yaml_reads(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: " + "[" * 5000 + "]" * 5000 + "\n")
    assert refused(path) == (f"{path}: nests too deeply to read (PyYAML gives up at a few hundred levels); "
                             f"allowed: a scenario, a few levels deep")


def test_a_scenario_with_a_5000_digit_number(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("seed: " + "9" * 5000 + "\n")
    assert refused(path) == (
        f"{path}: line 1, column 7: a number of 5,000 digits; allowed: at most 4,300 digits (Python reads no "
        f"longer integers)")
