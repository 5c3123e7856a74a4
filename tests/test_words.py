"""A run's summary in plain sentences (the what-if panel and the report show them)."""

import pytest

import simkit
from simkit.analysis.words import clock_time, summary_in_words


@pytest.mark.parametrize("seconds, text", [(12, "12 s"), (60, "1 min"), (2700, "45 min"), (36071, "10 h 1 min"),
                                           (7200, "2 h"), (86400, "1 d"), (183600, "2 d 3 h")])
def test_clock_time(seconds, text):
    assert clock_time(seconds) == text


def test_the_default_run_in_words():
    """The embedded default: 8,613 pods in a day, 179 expired, 32.6 % failed; the /24 ran out at
    36,071 s (10 h 1 min); 29 of 509 calls refused, all InvalidVSwitchId.IpNotEnough (the figures
    of `make demo`, which the golden results pin)."""
    words = summary_in_words(simkit.run(None, progress=False).summary)
    assert words[0] == ("8,613 pods arrived in 1 d: 8,434 were served, 179 expired while waiting. 32.6% failed "
                        "(expired, or waited longer than the 30 s SLO); at least half got their address at once, 1 in "
                        "100 longer than 647.1 s.")
    assert words[1].startswith("2,811 pods waited because vSwitch pods-h ran out of addresses at 36,071 s")
    assert words[2] == "The first limit hit was vswitch_addresses on pods-h at 10 h 1 min (InvalidVSwitchId.IpNotEnough)."
    assert words[3].startswith("At its peak (19 h 30 min) vSwitch pods-h had 252 addresses consumed")
    assert words[4] == "509 API calls, 29 refused (5.7%): InvalidVSwitchId.IpNotEnough 29."


def test_a_run_where_nothing_ran_out_says_so():
    s = {**simkit.DEFAULT_SCENARIO, "duration": "1h", "vswitches": [{**simkit.DEFAULT_SCENARIO["vswitches"][0],
                                                                     "cidr": "192.168.0.0/20"}]}
    words = summary_in_words(simkit.run(s, progress=False).summary)
    assert "No limit was hit." in words and words[-1].endswith("none refused.")
    assert words[1] == "No limit held pods: every pod got its address within the SLO."
