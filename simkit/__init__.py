"""simkit: will this VPC layout hold this workload?

A capacity-planning and simulation toolkit for private-IP assignment (secondary IPv4
addresses and /28 prefixes on ENIs) on Alibaba Cloud ECS.

Layers, lowest first: ``errors`` (the error registry), ``catalog`` (instance-type limits,
region capabilities), ``net`` (the address space of a vSwitch), ``ecs`` (the cloud model),
``api`` (``Cloud.call``: API-named parameters in, documented bodies out), ``workloads``,
``agents`` (node IPAM agents, the scheduler), ``engine`` (the replay), ``scenario``
(``run(scenario) -> Result``), ``analysis`` (``sweep``: many runs, one row of figures each;
``size``), then the presentation: ``viz`` (figures), ``widgets``, ``report`` (capacity reports)
and ``cli``. Higher layers import lower ones only.
"""

from simkit.analysis import capacity, forecast, size, sweep
from simkit.api import Cloud
from simkit.catalog import Catalog, InstanceType, load_catalog
from simkit.ecs import CloudSettings
from simkit.errors import ApiError
from simkit.net import AddressSpace, Cidr, Refused, SpaceExhausted, SpaceStats, format_ipv4, parse_ipv4
from simkit.scenario import DEFAULT_SCENARIO, Result, ScenarioError, run

__version__ = "0.1.0"

__all__ = [
    "AddressSpace",
    "ApiError",
    "Cloud",
    "CloudSettings",
    "Catalog",
    "Cidr",
    "DEFAULT_SCENARIO",
    "Result",
    "ScenarioError",
    "InstanceType",
    "Refused",
    "SpaceExhausted",
    "SpaceStats",
    "capacity",
    "forecast",
    "format_ipv4",
    "load_catalog",
    "parse_ipv4",
    "run",
    "size",
    "sweep",
]
