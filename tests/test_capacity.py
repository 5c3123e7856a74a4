"""Issue 11, point 4: closed forms beside the simulation, with literal values, and a simulated
steady state that settles within them."""

import pytest

import simkit
from simkit.analysis.capacity import fleet_addresses, max_pods_per_node, reservation_prefixes, usable_addresses


def test_usable_addresses_and_reservation_prefixes():
    """2^(32 - mask) less 4 system-reserved: /24 252, /29 4, /16 65,532; a /26 reservation holds
    4 /28 prefixes, a /28 one."""
    assert (usable_addresses(24), usable_addresses(29), usable_addresses(16)) == (252, 4, 65_532)
    assert (reservation_prefixes(26), reservation_prefixes(28)) == (4, 1)
    with pytest.raises(ValueError):
        usable_addresses(30)


def test_max_pods_per_node_in_each_mode():
    """ecs.g7.large: EniQuantity 3, 6 addresses an ENI: (3 - 1) x 6 = 12; (3 - 1) x (6 - 1) x 16
    = 160; 3 - 1 = 2."""
    assert max_pods_per_node("ecs.g7.large") == {"secondary-ip": 12, "prefix": 160, "exclusive-eni": 2}


def test_a_steady_fleet_settles_within_the_bounds(tmp_path):
    """Two ecs.g7.2xlarge (45 pods each) on a /24, daemons with max_idle 5, 30 pods started in
    the first 30 s that never end. bounds: lower 2 + 30 = 32, upper 32 + 2 x 5 = 42. After the
    daemons' first syncs past the arrivals (by 270 s at the latest: 30 s + 240 s), every sample's
    addresses consumed lie within them."""
    trace = tmp_path / "pods.csv"
    trace.write_text("name,start,end\n" + "".join(f"p{i},{i},\n" for i in range(30)))
    r = simkit.run({"duration": "30m", "sample_every": "1m",
                    "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/24"}],
                    "fleet": [{"instance_type": "ecs.g7.2xlarge", "count": 2, "vswitch": "v"}],
                    "agent": {"ipam": "daemon", "min_idle": 0, "max_idle": 5},
                    "workload": {"kind": "pod-trace", "path": str(trace), "start_column": "start", "end_column": "end"}},
                   progress=False)
    lower, upper = fleet_addresses(pods=30, nodes=2, max_idle=5)
    assert (lower, upper) == (32, 42)
    settled = r.samples().query("time >= 300")
    assert len(settled) > 0 and settled.consumed_ips.between(lower, upper).all()


def test_the_closed_forms_refuse_what_they_do_not_cover():
    with pytest.raises(ValueError, match="at most /28"):
        reservation_prefixes(29)
    with pytest.raises(ValueError, match="knows secondary-ip and exclusive-eni"):
        fleet_addresses(pods=1, nodes=1, max_idle=0, mode="prefix")
    assert fleet_addresses(pods=4, nodes=2, max_idle=5, mode="exclusive-eni") == (6, 6)  # the pool is 0
