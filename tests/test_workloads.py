"""Workload readers and generators (DESIGN.md: workloads, agents and replay)."""

import csv
import itertools
import json
import math
import random
import statistics
from pathlib import Path

import pytest

from simkit.workloads import (
    GATEWAY_KEYS,
    ApiCall,
    PodSpec,
    TraceStats,
    WorkloadError,
    parse_duration,
    parse_rate,
    pod_churn,
    read_api_calls,
    read_pod_trace,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
OPENB = ROOT.parent / "shared" / "data" / "real" / "alibaba-gpu-v2023-openb" / "openb_pod_list_default.csv"


def write_jsonl(path: Path, records, header: str = "") -> Path:
    path.write_text(header + "".join(json.dumps(r) + "\n" for r in records))
    return path


def event(name, time, params=None, response=None, event_type="ApiCall", **extra):
    """An ActionTrail record with the documented layout (alibaba-facts §6)."""
    record = {
        "eventId": "F23A3DD5-7842-4EF9-9DA1-3776396A****",
        "eventVersion": "1",
        "eventSource": "ecs.aliyuncs.com",
        "eventType": event_type,
        "eventName": name,
        "serviceName": "Ecs",
        "apiVersion": "2014-05-26",
        "acsRegion": "cn-hangzhou",
        "eventTime": time,
        "requestId": "F23A3DD5-7842-4EF9-9DA1-3776396AD58D",
        "sourceIpAddress": "11.168.XX.XX",
        "userIdentity": {"type": "assumed-role", "accountId": "116214825062****"},
        **extra,
    }
    if params is not None:
        record["requestParameters"] = params
    if response is not None:
        record["responseElements"] = response
    return record


# The official CreateNetworkInterface sample's request, with every gateway key it carries
# (the masked number quoted, since unquoted it is not JSON).
CNI_PARAMS = {
    "Tag.1.Key": "CreatedBy",
    "Tag.1.Value": "StreamCompute",
    "SecurityGroupId": "sg-bp10mvd8143rlfks****",
    "VSwitchId": "vsw-bp1iqqmaj41noh2c8****",
    "RegionId": "cn-hangzhou",
    "RequestId": "F23A3DD5-7842-4EF9-9DA1-3776396AD58D",
    "SignatureType": "",
    "stsTokenPlayerUid": "165266556947****",
    "AccessKeyId": "STS.NUnj6nuqKaEoMZGsT****",
    "_internal": "x",
}
CNI_RESPONSE = {
    "RequestId": "F23A3DD5-7842-4EF9-9DA1-3776396AD58D",
    "NetworkInterfaceId": "eni-bp12f9rjbjqauktz****",
    "VpcId": "vpc-echoed",
    "VSwitchId": "vsw-bp1iqqmaj41noh2c8****",
}
TRAIL = [
    event("ConsoleSignin", "2020-01-09T12:10:00Z", event_type="ConsoleSignin"),
    event("CreateNetworkInterface", "2020-01-09T12:12:14Z", CNI_PARAMS, CNI_RESPONSE),
    event("AssignPrivateIpAddresses", "2020-01-09T12:12:15.500Z",
          {"RegionId": "cn-hangzhou", "NetworkInterfaceId": "eni-bp12f9rjbjqauktz****",
           "SecondaryPrivateIpAddressCount": "2", "SignatureNonce": "abc"}),
    event("AssignPrivateIpAddresses", "2020-01-09T12:13:14Z",
          {"RegionId": "cn-hangzhou", "NetworkInterfaceId": "eni-bp12f9rjbjqauktz****",
           "PrivateIpAddress.1": "10.0.0.5"},
          errorCode="InvalidIpAddress.AlreadyUsed", errorMessage="..."),
    event("RunInstances", "2020-01-09T13:12:14Z", {"RegionId": "cn-hangzhou", "Amount": "2"},
          {"RequestId": "x", "InstanceIdSets": {"InstanceIdSet": ["i-1", "i-2"]}}),
]
TRAIL_EXPECTED = [
    (0.0, "CreateNetworkInterface",
     {"Tag.1.Key": "CreatedBy", "Tag.1.Value": "StreamCompute", "SecurityGroupId": "sg-bp10mvd8143rlfks****",
      "VSwitchId": "vsw-bp1iqqmaj41noh2c8****", "RegionId": "cn-hangzhou"},
     {"NetworkInterfaceId": "eni-bp12f9rjbjqauktz****"}),
    (1.5, "AssignPrivateIpAddresses",
     {"RegionId": "cn-hangzhou", "NetworkInterfaceId": "eni-bp12f9rjbjqauktz****", "SecondaryPrivateIpAddressCount": "2"},
     {}),
    (60.0, "AssignPrivateIpAddresses",
     {"RegionId": "cn-hangzhou", "NetworkInterfaceId": "eni-bp12f9rjbjqauktz****", "PrivateIpAddress.1": "10.0.0.5"},
     {}),
    (3600.0, "RunInstances", {"RegionId": "cn-hangzhou", "Amount": "2"}, {"InstanceIdSets.InstanceIdSet": ["i-1", "i-2"]}),
]


def plain(calls):
    return [(c.time, c.action, c.params, c.creates) for c in calls]


# --- API calls: simkit JSONL -------------------------------------------------------------------

def test_simkit_jsonl_round_trip(tmp_path):
    records = [
        {"time": 100, "action": "CreateNetworkInterface", "params": {"RegionId": "cn-hangzhou", "VSwitchId": "vsw-1"},
         "creates": {"NetworkInterfaceId": "eni-1"}},
        {"time": 100.5, "action": "AssignPrivateIpAddresses",
         "params": {"NetworkInterfaceId": "eni-1", "PrivateIpAddress.1": "10.0.0.5", "PrivateIpAddress.2": "10.0.0.6"}},
        {"time": 100.5, "action": "DescribeNetworkInterfaces", "params": {"NetworkInterfaceId": ["eni-1"]}},
        {"time": 160, "action": "UnassignPrivateIpAddresses", "params": {"NetworkInterfaceId": "eni-1", "Ipv4Prefix.1": "10.0.0.16/28"}},
    ]
    path = tmp_path / "calls.jsonl"
    path.write_text("# a comment\n\n" + "\n".join(json.dumps(r) for r in records) + "\n")
    calls = list(read_api_calls(path))
    assert all(isinstance(c, ApiCall) for c in calls)
    assert plain(calls) == [
        (0.0, "CreateNetworkInterface", {"RegionId": "cn-hangzhou", "VSwitchId": "vsw-1"}, {"NetworkInterfaceId": "eni-1"}),
        (0.5, "AssignPrivateIpAddresses", records[1]["params"], {}),
        (0.5, "DescribeNetworkInterfaces", {"NetworkInterfaceId": ["eni-1"]}, {}),
        (60.0, "UnassignPrivateIpAddresses", records[3]["params"], {}),
    ]
    assert [c.line for c in calls] == [3, 4, 5, 6]


def test_simkit_jsonl_iso_times(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"time": "2024-05-01T00:00:00Z", "action": "A", "params": {}},
        {"time": "2024-05-01T01:00:00+01:00", "action": "B", "params": {}},  # same instant
        {"time": "2024-05-01T00:10:00", "action": "C", "params": {}},  # no offset: UTC
    ])
    assert [(c.time, c.action) for c in read_api_calls(path)] == [(0.0, "A"), (0.0, "B"), (600.0, "C")]


def test_mixed_time_forms_are_refused(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"time": 5, "action": "A", "params": {}},
        {"time": "2024-05-01T00:00:00Z", "action": "B", "params": {}},
    ])
    with pytest.raises(WorkloadError, match=r"line 2: field 'time'.*one form"):
        list(read_api_calls(path))


def test_sample_api_calls_parse():
    calls = list(read_api_calls(SAMPLES / "api-calls.jsonl"))
    assert len(calls) == 9
    assert calls[0].time == 0.0 and calls[-1].time == 600.0
    assert calls[3].creates == {"InstanceIdSets.InstanceIdSet": ["i-1", "i-2"]}
    assert [c.time for c in calls] == sorted(c.time for c in calls)


# --- API calls: ActionTrail ----------------------------------------------------------------------

def test_actiontrail_jsonl_round_trip(tmp_path):
    calls = list(read_api_calls(write_jsonl(tmp_path / "trail.jsonl", TRAIL)))
    # ConsoleSignin skipped; the errorCode record kept; gateway keys stripped, RegionId kept;
    # the echoed VpcId/VSwitchId of CreateNetworkInterface are not "created".
    assert plain(calls) == TRAIL_EXPECTED
    assert [c.line for c in calls] == [2, 3, 4, 5]


@pytest.mark.parametrize("wrap", ["array", "events", "pretty", "sls", "sls-string"])
def test_actiontrail_documents_and_sls(tmp_path, wrap):
    path = tmp_path / "trail.json"
    if wrap == "array":
        path.write_text(json.dumps(TRAIL))
    elif wrap == "events":
        path.write_text(json.dumps({"Events": TRAIL, "NextToken": "x", "RequestId": "y"}))
    elif wrap == "pretty":
        path.write_text("# exported\n" + json.dumps({"Events": TRAIL}, indent=2))
    elif wrap == "sls":
        write_jsonl(path, [{"__topic__": "actiontrail_event", "event": r} for r in TRAIL])
    else:
        write_jsonl(path, [{"__topic__": "actiontrail_event", "event": json.dumps(r)} for r in TRAIL])
    calls = list(read_api_calls(path))
    assert plain(calls) == TRAIL_EXPECTED
    assert [c.line for c in calls] == [2, 3, 4, 5]  # record index (documents) or line (JSONL)


def test_sample_actiontrail_parses():
    calls = list(read_api_calls(SAMPLES / "actiontrail-sample.jsonl"))
    assert [c.action for c in calls] == [
        "CreateVpc", "CreateVSwitch", "CreateSecurityGroup", "RunInstances", "CreateNetworkInterface",
        "AttachNetworkInterface", "AssignPrivateIpAddresses", "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses",
    ]
    assert calls[0].time == 0.0 and calls[0].line == 2  # line 1, the ConsoleSignin, is skipped
    cni = calls[4]
    assert cni.creates == {"NetworkInterfaceId": "eni-bp1sample000000000001"}
    assert cni.params["RegionId"] == "cn-hangzhou"
    for call in calls:
        assert not set(call.params) & set(GATEWAY_KEYS)
    assert calls[6].params["SecondaryPrivateIpAddressCount"] == "2"
    assert calls[7].params["PrivateIpAddress.1"] == "10.0.0.200"


def test_masked_number_line_names_line_and_column(tmp_path):
    path = tmp_path / "trail.jsonl"
    masked = '{"eventName":"CreateNetworkInterface","stsTokenPlayerUid":165266556947****}'
    path.write_text(json.dumps(TRAIL[1]) + "\n" + masked + "\n")
    column = masked.index("*") + 1  # where the number stops being JSON
    with pytest.raises(WorkloadError, match=rf"trail\.jsonl, line 2, column {column}: not valid JSON.*masked"):
        list(read_api_calls(path))


def test_malformed_first_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('# header\n{"time": 0, "action": "A", "params": {}\n{"time": 1, "action": "B"}\n')
    with pytest.raises(WorkloadError, match=r"bad\.jsonl, line \d+, column \d+: not valid JSON"):
        list(read_api_calls(path))
    path.write_text('{"time": 0, "action": "A", "params": {}}x\n')
    with pytest.raises(WorkloadError, match=r"bad\.jsonl, line 1, column 41: not valid JSON"):
        list(read_api_calls(path))


def test_out_of_order_times_are_refused(tmp_path):
    path = write_jsonl(tmp_path / "trail.jsonl", [TRAIL[1], TRAIL[3], TRAIL[2]])
    with pytest.raises(WorkloadError, match=r"line 3: field 'eventTime'.*58\.5 s before the previous call \(line 2\).*time order"):
        list(read_api_calls(path))
    path.write_text(json.dumps({"Events": [TRAIL[3], TRAIL[1]]}))
    with pytest.raises(WorkloadError, match=r"record 2: .*time order"):
        list(read_api_calls(path))


@pytest.mark.parametrize("record, message", [
    ({"time": 0, "params": {}}, r"record has neither 'action'.*keys found: time, params"),
    ({"action": "A", "params": {}}, r"field 'time' is missing"),
    ({"time": True, "action": "A"}, r"field 'time' is true; allowed: seconds"),
    ({"time": "yesterday", "action": "A"}, r"field 'time' is 'yesterday'; allowed: seconds as a finite number or an ISO-8601"),
    ({"time": 0, "action": "A", "params": [1]}, r"field 'params' must be a JSON object"),
    ({"time": 0, "action": "", "params": {}}, r"field 'action' is ''"),
    ({"eventName": "A", "eventTime": "2020-01-09T12:12:14Z"}, r"field 'eventType' is missing"),
    ({"eventName": "A", "eventType": "ApiCall"}, r"field 'eventTime' is missing"),
    ([1, 2], r"expected a JSON object"),
])
def test_bad_records_name_line_and_field(tmp_path, record, message):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"time": 0, "action": "Z"}) + "\n" + json.dumps(record) + "\n")
    with pytest.raises(WorkloadError, match=r"c\.jsonl, line 2: " + message):
        list(read_api_calls(path))


@pytest.mark.parametrize("line, message", [
    ("null", r"expected a JSON object \(a call or an event record\), got null"),
    ('"x"', r"expected a JSON object \(a call or an event record\), got a string"),
    ("[1]", r"expected a JSON object .*, got an array"),
    ("1.5", r"expected a JSON object .*, got a number"),
    ('{"time": 1, "action": "A", "params": true}', r"field 'params' must be a JSON object, got a boolean"),
    ('{"time": null, "action": "A"}', r"field 'time' is null; allowed: seconds"),
    ('{"time": 1, "action": false}', r"field 'action' is false; allowed: an API action name"),
])
def test_json_values_are_named_in_the_words_of_json(tmp_path, line, message):
    """Not Python's: null, not None; an array, not a list."""
    path = tmp_path / "c.jsonl"
    path.write_text('{"time": 0, "action": "Z"}\n' + line + "\n")
    with pytest.raises(WorkloadError, match=r"c\.jsonl, line 2: " + message):
        list(read_api_calls(path))


def test_a_time_in_seconds_written_in_quotes_is_told_to_lose_them(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"time": 0, "action": "Z"}\n{"time": "12.5", "action": "Z"}\n')
    with pytest.raises(WorkloadError, match=r"line 2: field 'time' is '12.5'; allowed: seconds as a JSON number, "
                                            r"written without quotes, or an ISO-8601"):
        list(read_api_calls(path))
    path.write_text('{"eventType": "ApiCall", "eventName": "Z", "eventTime": "12.5"}\n')
    with pytest.raises(WorkloadError, match=r"line 1: field 'eventTime' is '12.5'; allowed: an ISO-8601"):
        list(read_api_calls(path))  # ActionTrail's eventTime is ISO-8601 only


def test_an_integer_python_does_not_read_is_found_by_line_and_column(tmp_path):
    """In a JSON document, the line and column of the first run of more than 4,300 digits; in
    JSONL, its line; either way how many digits it has."""
    path = tmp_path / "c.json"
    path.write_text('[\n {"time": 0, "action": "Z"},\n {"time": 1, "action": "Z", "params": {"N": ' + "7" * 4301 + "}}\n]\n")
    with pytest.raises(WorkloadError, match=r"c\.json, line 3, column 45: a number of 4,301 digits; allowed: at most "
                                            r"4,300 digits \(Python reads no longer integers\)$"):
        list(read_api_calls(path))
    path = tmp_path / "c.jsonl"
    path.write_text('{"time": 0, "action": "Z"}\n{"time": 1, "action": "Z", "params": {"N": ' + "7" * 4301 + "}}\n")
    with pytest.raises(WorkloadError, match=r"c\.jsonl, line 2: a number of 4,301 digits"):
        list(read_api_calls(path))


def test_empty_and_comment_only_files_yield_nothing(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text("# nothing yet\n\n")
    assert list(read_api_calls(path)) == []


# --- pod traces ----------------------------------------------------------------------------------

def test_pod_trace_sample_skips_no_start_and_keeps_open_ends():
    stats = TraceStats()
    pods = list(read_pod_trace(SAMPLES / "pods.csv", "scheduled_time", "deletion_time", name_column="name",
                               cpu_column="cpu_milli", memory_column="memory_mib", stats=stats))
    assert (stats.rows, stats.skipped_no_start, stats.open_ended) == (20, 3, 3)
    assert len(pods) == 17
    assert pods[0] == PodSpec("sample-pod-0000", 2.0, None, 4000, 8192)
    assert pods[1] == PodSpec("sample-pod-0001", 31.0, 930.0, 2000, 4096)
    assert "sample-pod-0003" not in {p.name for p in pods}  # Pending: never started
    assert [p.start for p in pods] == sorted(p.start for p in pods)


def test_pod_trace_default_names_and_no_resources(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("a,b\n1,5\n2,\n")
    assert list(read_pod_trace(path, "a", "b")) == [PodSpec("row-2", 1.0, 5.0, None, None),
                                                    PodSpec("row-3", 2.0, None, None, None)]


def test_pod_trace_unsorted_rows_are_sorted_by_start(tmp_path):
    """Starts 10, (none), 30, 25 in the file: the pods come out 10, 25, 30, named by their lines
    (2, 5, 4); the row with no start (line 3) is skipped and counted."""
    path = tmp_path / "p.csv"
    path.write_text("start,end\n10,20\n,\n30,40\n25,50\n")
    stats = TraceStats()
    assert list(read_pod_trace(path, "start", "end", stats=stats)) == [
        PodSpec("row-2", 10.0, 20.0, None, None),
        PodSpec("row-5", 25.0, 50.0, None, None),
        PodSpec("row-4", 30.0, 40.0, None, None),
    ]
    assert (stats.rows, stats.skipped_no_start, stats.open_ended) == (4, 1, 0)


def test_pod_trace_unsorted_keeps_names_of_any_script_and_length(tmp_path):
    """Names are held as one UTF-8 buffer while an unsorted trace waits to be handed out: they
    come back as written, the empty one as its row, and CPU and memory read when asked for."""
    path = tmp_path / "p.csv"
    path.write_text("name,start,end,cpu\npöd-ü,30,,1\n,10,20,\n" + "x" * 1000 + ",20,25,3\n名前,5,6,4\n",
                    encoding="utf-8")
    assert list(read_pod_trace(path, "start", "end", name_column="name", cpu_column="cpu")) == [
        PodSpec("名前", 5.0, 6.0, 4, None),
        PodSpec("row-3", 10.0, 20.0, None, None),
        PodSpec("x" * 1000, 20.0, 25.0, 3, None),
        PodSpec("pöd-ü", 30.0, None, 1, None),
    ]


def test_pod_trace_unsorted_in_more_than_one_chunk(tmp_path):
    """3,000 rows in reverse order: handed out in chunks of 1,024, every one in start order."""
    path = tmp_path / "p.csv"
    path.write_text("name,start,end\n" + "".join(f"p{i},{i},{i + 1}\n" for i in range(2999, -1, -1)))
    pods = list(read_pod_trace(path, "start", "end", name_column="name"))
    assert [p.name for p in pods] == [f"p{i}" for i in range(3000)]
    assert [p.start for p in pods] == [float(i) for i in range(3000)]


def test_pod_trace_rows_with_the_same_start_keep_their_file_order(tmp_path):
    """The sort is stable. File order c(5) a(1) b(5) d(1) e(3): by start 1, 1, 3, 5, 5, and
    within a start in file order, so a before d and c before b: a, d, e, c, b. The
    resources and open ends travel with their rows."""
    path = tmp_path / "p.csv"
    path.write_text("name,start,end,cpu,mem\n"
                    "c,5,9,100,\n"
                    "a,1,2,,64\n"
                    "b,5,,200,128\n"
                    "d,1,4,300,256\n"
                    "e,3,3,0,0\n")
    pods = list(read_pod_trace(path, "start", "end", name_column="name", cpu_column="cpu", memory_column="mem"))
    assert pods == [
        PodSpec("a", 1.0, 2.0, None, 64),
        PodSpec("d", 1.0, 4.0, 300, 256),
        PodSpec("e", 3.0, 3.0, 0, 0),
        PodSpec("c", 5.0, 9.0, 100, None),
        PodSpec("b", 5.0, None, 200, 128),
    ]


def test_pod_trace_in_order_with_ties_is_read_as_it_stands(tmp_path):
    """Equal starts are in order: the lazy path, file order kept (x before y at start 2)."""
    path = tmp_path / "p.csv"
    path.write_text("name,start,end\nw,1,\nx,2,\ny,2,\n")
    assert [p.name for p in read_pod_trace(path, "start", "end", name_column="name")] == ["w", "x", "y"]


def test_pod_trace_missing_column_lists_columns():
    with pytest.raises(WorkloadError, match=r"end_column 'end' is not a column.*columns: name, cpu_milli, memory_mib, .*scheduled_time"):
        list(read_pod_trace(SAMPLES / "pods.csv", "creation_time", "end"))


@pytest.mark.parametrize("rows, message", [
    ("1,x,\n", r"line 2: column 'end' is 'x'; allowed: seconds"),
    ("nan,3,\n", r"line 2: column 'start' is 'nan'"),
    ("5,3,\n", r"line 2: column 'end' is 3, before column 'start' \(5\)"),
    ("1,3,-2\n", r"line 2: column 'cpu' is '-2'; allowed: a whole number"),
    ("1,3,1.5\n", r"line 2: column 'cpu' is '1.5'"),
])
def test_pod_trace_bad_values(tmp_path, rows, message):
    path = tmp_path / "p.csv"
    path.write_text("start,end,cpu\n" + rows)
    with pytest.raises(WorkloadError, match=message):
        list(read_pod_trace(path, "start", "end", cpu_column="cpu"))


def test_a_quote_left_open_is_named_with_the_lines_it_swallowed(tmp_path):
    """The quoted cell runs to the end of the file, leaving its row short: the message gives the
    lines from where the row begins and asks about the closing quote."""
    path = tmp_path / "p.csv"
    path.write_text('start,end\n0,10\n"5,20\n6,30\n7,40\n')
    with pytest.raises(WorkloadError, match=r"p\.csv, lines 3 to 5: the row has 1 cell and the header 2 columns \(no cell "
                                            r"for column 'end'\), and a quoted cell runs over these lines \(is a closing "
                                            r"quote missing\?\); allowed: a cell for every column"):
        list(read_pod_trace(path, "start", "end"))


def test_a_quote_left_open_over_the_csv_limit_is_named_with_its_lines(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('start,end\n0,10\n"5,20\n' + "6,30\n" * 30_000)
    with pytest.raises(WorkloadError, match=r"p\.csv, lines 3 to 26217: a cell is longer than 131,072 characters \(the csv "
                                            r"module's limit\); allowed: CSV with shorter cells \(a quoted cell runs over "
                                            r"these lines: is a closing quote missing\?\)"):
        list(read_pod_trace(path, "start", "end"))


@pytest.mark.parametrize("text, lines", [
    ('name,start,end\n"a\nb",1,x\n', "lines 2 to 3"),             # a name over two lines
    ('name,start,end\r\n"a\r\nb\rc",1,x\r\n', "lines 2 to 4"),  # \r\n counts one break, \r one
    ('name,start,end\n\n\n"a\nb",1,x\n', "lines 4 to 5"),         # blank lines before it are no part of it
    ('name,start,end\np,1,x\n', "line 2"),
])
def test_a_bad_row_over_several_lines_is_named_by_all_of_them(tmp_path, text, lines):
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode())
    with pytest.raises(WorkloadError, match=rf"p\.csv, {lines}: column 'end' is 'x'"):
        list(read_pod_trace(path, "start", "end", name_column="name"))


def test_pod_trace_in_order_is_lazy(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("start,end\n1,2\n3,x\n")  # in order; the second row's end is bad
    pods = read_pod_trace(path, "start", "end")
    assert next(pods).start == 1.0  # the error is found only when the bad row is reached
    with pytest.raises(WorkloadError, match="line 3: column 'end' is 'x'"):
        next(pods)


def test_pod_trace_out_of_order_reports_a_bad_row_before_the_first_pod(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("start,end\n5,6\n1,2\n3,x\n")  # out of order: read whole before any pod
    with pytest.raises(WorkloadError, match="line 4: column 'end' is 'x'"):
        next(read_pod_trace(path, "start", "end"))


needs_openb = pytest.mark.skipif(not OPENB.exists(), reason=f"openb trace not present at {OPENB}")


@needs_openb
def test_openb_by_creation_time():
    stats = TraceStats()
    pods = list(read_pod_trace(OPENB, "creation_time", "deletion_time", name_column="name",
                               cpu_column="cpu_milli", memory_column="memory_mib", stats=stats))
    assert (len(pods), stats.rows, stats.skipped_no_start, stats.open_ended) == (8152, 8152, 0, 0)
    assert pods[0] == PodSpec("openb-pod-0000", 0.0, 12537496.0, 12000, 16384)


@needs_openb
def test_openb_by_scheduled_time_is_sorted_as_a_sorted_copy_is_read(tmp_path):
    """The trace is sorted by creation_time; scheduled_time first goes back on line 66
    (openb-pod-0064: 10002522 after 10002793). Read by scheduled_time, the trace is sorted in
    memory and gives exactly the pods of a copy sorted beforehand (Python's sort, stable too);
    897 rows have no scheduled_time and are skipped."""
    with OPENB.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    assert (rows[63]["name"], rows[63]["scheduled_time"], rows[64]["scheduled_time"]) == \
        ("openb-pod-0063", "10002793", "10002522")
    # Sorted copy in tmp only (the trace must not be republished in data/).
    rows.sort(key=lambda r: float(r["scheduled_time"]) if r["scheduled_time"] else -1.0)
    path = tmp_path / "openb-by-scheduled.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)
    columns = dict(name_column="name", cpu_column="cpu_milli", memory_column="memory_mib")
    stats, sorted_stats = TraceStats(), TraceStats()
    pods = list(read_pod_trace(OPENB, "scheduled_time", "deletion_time", stats=stats, **columns))
    assert pods == list(read_pod_trace(path, "scheduled_time", "deletion_time", stats=sorted_stats, **columns))
    assert (len(pods), stats.rows, stats.skipped_no_start, stats.open_ended) == (8152 - 897, 8152, 897, 0)
    assert stats == sorted_stats


def test_a_shuffled_pod_trace_replays_exactly_as_the_sorted_one(tmp_path):
    """The shipped pod-trace scenario on a copy of data/samples/pods.csv with its rows shuffled
    (random.Random(8)): the same summary and the same events, call for call."""
    import yaml

    from simkit import run

    scenario = yaml.safe_load((ROOT / "data" / "scenarios" / "pod-trace-sample.yaml").read_text())
    with (SAMPLES / "pods.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    random.Random(8).shuffle(rows)
    shuffled = tmp_path / "pods-shuffled.csv"
    with shuffled.open("w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)
    starts = [float(r["scheduled_time"]) for r in rows if r["scheduled_time"]]
    assert starts != sorted(starts)  # the shuffle did put the file out of order
    results = []
    for path in (SAMPLES / "pods.csv", shuffled):
        results.append(run({**scenario, "workload": {**scenario["workload"], "path": str(path)}}, progress=False))
    in_order, out_of_order = results
    assert len(in_order.events()) > 0
    assert out_of_order.summary == in_order.summary
    assert out_of_order.events().equals(in_order.events())


# --- pod churn -----------------------------------------------------------------------------------

CHURN = dict(arrival_rate=0.5, lifetime_median=600, lifetime_p90=3600, duration=20_000)


def test_churn_is_reproducible_and_seed_dependent():
    first = list(pod_churn(7, **CHURN))
    assert first == list(pod_churn(7, **CHURN))
    assert first != list(pod_churn(8, **CHURN))
    assert [p.name for p in first[:3]] == ["pod-000001", "pod-000002", "pod-000003"]
    assert [p.start for p in first] == sorted(p.start for p in first)
    assert all(0 <= p.start < CHURN["duration"] and p.end > p.start for p in first)


def test_churn_copies_resources():
    pod = next(pod_churn(1, **CHURN, cpu_milli=250, memory_mib=512))
    assert (pod.cpu_milli, pod.memory_mib) == (250, 512)
    assert next(pod_churn(1, **CHURN)).cpu_milli is None


def test_churn_lifetime_median_and_p90():
    pods = itertools.islice(pod_churn(3, arrival_rate=1, lifetime_median=600, lifetime_p90=3600, duration=1e9), 20_000)
    lifetimes = sorted(p.end - p.start for p in pods)
    assert len(lifetimes) == 20_000
    deciles = statistics.quantiles(lifetimes, n=10)
    assert statistics.median(lifetimes) == pytest.approx(600, rel=0.05)
    assert deciles[8] == pytest.approx(3600, rel=0.05)


def test_churn_arrival_count_matches_rate():
    rate, duration = 0.5, 50_000
    counts = [sum(1 for _ in pod_churn(seed, **{**CHURN, "arrival_rate": rate, "duration": duration})) for seed in range(4)]
    assert statistics.mean(counts) == pytest.approx(rate * duration, rel=0.03)


def test_churn_diurnal_peaks_and_troughs():
    period, peak = 1000.0, 250.0
    pods = list(pod_churn(5, **{**CHURN, "arrival_rate": 1.0, "duration": 100 * period},
                          diurnal={"amplitude": 0.8, "period": period, "peak": peak}))
    phase = [((p.start - peak) / period) % 1.0 for p in pods]
    near_peak = sum(1 for x in phase if x < 0.125 or x >= 0.875)
    near_trough = sum(1 for x in phase if 0.375 <= x < 0.625)
    # Expected ratio (1 + 0.8*0.9) / (1 - 0.8*0.9) ~ 6; the mean rate over whole periods is kept.
    assert near_peak > 4 * near_trough
    assert len(pods) == pytest.approx(100 * period, rel=0.03)


def test_churn_bursts_add_exactly_n_in_their_window():
    burst = {"at": 5000.0, "pods": 300, "over": 60.0}
    only = list(pod_churn(9, **{**CHURN, "arrival_rate": 0}, bursts=[burst]))
    assert len(only) == 300 and all(5000.0 <= p.start < 5060.0 for p in only)
    base = list(pod_churn(9, **CHURN))
    both = list(pod_churn(9, **CHURN, bursts=[burst, {"at": 100, "pods": 5}]))
    assert len(both) == len(base) + 305
    in_window = lambda pods: sum(1 for p in pods if 5000.0 <= p.start <= 5060.0)  # noqa: E731
    assert in_window(both) == in_window(base) + 300
    assert sum(1 for p in both if p.start == 100.0) == 5
    # The Poisson stream does not depend on the bursts.
    assert {(p.start, p.end) for p in base} <= {(p.start, p.end) for p in both}
    assert [p.start for p in both] == sorted(p.start for p in both)


@pytest.mark.parametrize("change, message", [
    ({"lifetime_p90": 600}, r"lifetime_p90 must be > lifetime_median \(600 s\)"),
    ({"arrival_rate": -1}, r"arrival_rate must be a finite number >= 0"),
    ({"arrival_rate": "0.5/s"}, r"arrival_rate .*parse_rate"),
    ({"duration": 0}, r"duration must be a finite number > 0"),
    ({"lifetime_median": math.nan}, r"lifetime_median must be a finite number > 0"),
    ({"diurnal": {"amplitude": 1.0}}, r"diurnal.amplitude must be a finite number >= 0 and < 1"),
    ({"diurnal": {"amplitude": 0.5, "period": 0}}, r"diurnal.period must be a finite number > 0"),
    ({"diurnal": {"amplitude": 0.5, "phase": 3}}, r"diurnal has unknown keys \['phase'\]"),
    ({"bursts": [{"at": 20_000, "pods": 1}]}, r"bursts\[0\].at must be a finite number >= 0 and < 20000"),
    ({"bursts": [{"at": 19_000, "pods": 1, "over": 2000}]}, r"bursts\[0\].over must be .*<= 1000"),
    ({"bursts": [{"at": 1, "pods": 1.5}]}, r"bursts\[0\].pods must be a whole number"),
    ({"bursts": [{"pods": 1}]}, r"bursts\[0\].at is required"),
    ({"cpu_milli": -1}, r"cpu_milli must be a whole number >= 0"),
])
def test_churn_argument_errors(change, message):
    with pytest.raises(ValueError, match=message):
        pod_churn(1, **{**CHURN, **change})


def test_churn_seed_must_be_an_integer():
    with pytest.raises(ValueError, match="seed must be an integer"):
        pod_churn("7", **CHURN)


# --- units ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [
    ("30s", 30.0), ("10m", 600.0), ("2h", 7200.0), ("1d", 86400.0), ("1.5h", 5400.0),
    (" 5 m ", 300.0), ("90", 90.0), (45, 45.0), (2.5, 2.5), ("0s", 0.0), (".5m", 30.0),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "10 minutes", "1h30m", "-5m", "m", "10ms", True, None, [1], -1, math.inf])
def test_parse_duration_errors(bad):
    with pytest.raises(ValueError, match=r"duration .*(not understood; use seconds|must be a finite)"):
        parse_duration(bad)


@pytest.mark.parametrize("text, per_second", [
    ("0.5/s", 0.5), ("30/m", 0.5), ("100/h", 100 / 3600), ("2/d", 2 / 86400), ("3", 3.0), (0.25, 0.25), (1, 1.0),
    ("30 / m", 0.5),
])
def test_parse_rate(text, per_second):
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("bad", ["", "5/min", "per second", "/s", "-1/s", False, None, math.nan])
def test_parse_rate_errors(bad):
    with pytest.raises(ValueError, match=r"rate .*(not understood; use events per second|must be a finite)"):
        parse_rate(bad)
