"""Issue 12's data: ``Result.address_map`` says what every address of a vSwitch was used for at
each sample, the single IPs told apart into ENI primaries and secondaries."""

from pathlib import Path

import numpy as np
import pytest

import simkit
from simkit.ecs import AddressUse


def one_node(tmp_path):
    """One ecs.g7.large node in 10.0.0.0/28 ... a /26 (64 addresses), 3 pods from 0 s that never
    end, samples every minute for 10 minutes."""
    trace = tmp_path / "pods.csv"
    trace.write_text("name,start,end\np0,0,\np1,1,\np2,2,\n")
    return {"name": "map", "duration": "10m", "sample_every": "1m", "placement": "pack",
            "vswitches": [{"name": "v", "zone": "cn-hangzhou-h", "cidr": "10.0.0.0/26"}],
            "fleet": [{"instance_type": "ecs.g7.large", "count": 1, "vswitch": "v"}],
            "workload": {"kind": "pod-trace", "path": str(trace), "start_column": "start", "end_column": "end"}}


def test_the_address_map_tells_primaries_from_secondaries_where_lowest_put_them(tmp_path):
    """``lowest`` placement hands out the lowest free address. 10.0.0.0 (offset 0) is
    system-reserved; the instance's primary ENI takes 10.0.0.1 at launch; Terway creates a
    secondary ENI with 2 addresses, its primary 10.0.0.2 and a secondary 10.0.0.3, and assigns 2
    more for the third pod and the pool, 10.0.0.4 and .5 (the run's events: CreateNetworkInterface
    asked 2, AssignPrivateIpAddresses asked 2). The last three (61, 62, 63) are system-reserved."""
    result = simkit.run({**one_node(tmp_path), "placement": "lowest"}, progress=False)
    m = result.address_map("v")
    assert len(m) == 64 and m.dtype == np.uint8
    u = AddressUse
    assert list(m[:6]) == [u.SYSTEM, u.PRIMARY, u.PRIMARY, u.SECONDARY, u.SECONDARY, u.SECONDARY]
    assert (m[6:61] == u.FREE).all() and list(m[61:]) == [u.SYSTEM] * 3
    assert list(result.events().asked) == [2, 0, 2]


def test_the_address_map_agrees_with_the_samples_at_every_sample():
    """The default scenario: at every sample the map's counts equal the samples' primary,
    secondary, prefix, reserved-free and free columns."""
    result = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "6h"}, progress=False)
    samples = result.samples()
    name = samples.vswitch.iloc[0]
    rows = samples[samples.vswitch == name]
    assert list(rows.time) == result.sample_times()
    for row in rows.itertuples():
        counts = np.bincount(result.address_map(name, row.time), minlength=len(AddressUse))
        assert (counts[AddressUse.PRIMARY], counts[AddressUse.SECONDARY], counts[AddressUse.PREFIX],
                counts[AddressUse.RESERVED_FREE], counts[AddressUse.FREE]) == (
            row.primary_ips, row.secondary_ips, row.prefix_ips, row.reserved_free_ips, row.free_ips)


def test_asking_for_a_vswitch_or_time_the_run_has_not_says_what_it_has(tmp_path):
    result = simkit.run(one_node(tmp_path), progress=False)
    with pytest.raises(KeyError, match="no vSwitch 'w' in this run; its vSwitches: v"):
        result.address_map("w")
    with pytest.raises(ValueError, match=r"no sample at or before -1 s \(the first is at 0.0 s\)"):
        result.address_map("v", -1)


def test_a_reservation_given_by_its_mask_is_named_by_the_block_it_got():
    """The shipped prefix-mode sample reserves a /26 by mask in 10.0.0.0/24: the model placed it
    at 10.0.0.64/26, and every prefix and reserved-free address of the map lies inside it
    (offsets 64 to 127)."""
    result = simkit.run(Path(__file__).parent.parent / "data/scenarios/pod-trace-sample.yaml", progress=False)
    assert result.reservations == {"vsw-a": ["10.0.0.64/26"]}
    m = result.address_map("vsw-a")
    inside = np.isin(m, [AddressUse.PREFIX, AddressUse.RESERVED_FREE])
    assert inside[64:128].all() and not inside[:64].any() and not inside[128:].any()


def test_the_sample_time_is_the_one_the_maps_show():
    """Samples every 5 min: time 400 s shows the sample of 300 s; None the last; before the
    first sample there is none."""
    import simkit

    result = simkit.run({**simkit.DEFAULT_SCENARIO, "duration": "1h"}, progress=False)
    assert result.sample_time(400) == 300.0 and result.sample_time() == result.sample_times()[-1]
    with pytest.raises(ValueError, match="no sample at or before -1 s"):
        result.sample_time(-1)
