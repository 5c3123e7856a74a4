"""Workloads: time-ordered streams of API calls and pod lifecycles, read from files or generated.

This layer knows nothing of the cloud model; it imports only the standard library (and numpy,
inside the one function that sorts a pod trace whose rows are out of order), and reads lazily
(generators), so a long trace in time order never sits in memory whole.
"""

from simkit.workloads.api_calls import CREATED_IDS, GATEWAY_KEYS, read_api_calls
from simkit.workloads.churn import pod_churn
from simkit.workloads.pod_trace import TraceStarts, read_pod_trace, trace_starts
from simkit.workloads.records import ApiCall, PodSpec, TraceStats, WorkloadError
from simkit.workloads.units import parse_duration, parse_rate

__all__ = [
    "ApiCall",
    "CREATED_IDS",
    "GATEWAY_KEYS",
    "PodSpec",
    "TraceStarts",
    "TraceStats",
    "WorkloadError",
    "parse_duration",
    "parse_rate",
    "pod_churn",
    "read_api_calls",
    "read_pod_trace",
    "trace_starts",
]
