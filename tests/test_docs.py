"""The examples in the README and in docstrings run and print what they say."""

import doctest
from pathlib import Path

import pytest

import simkit.analysis.keypaths
import simkit.analysis.verdict
import simkit.api.cloud
import simkit.catalog
import simkit.errors
import simkit.net.addr
import simkit.net.space
import simkit.report.atomic
import simkit.report.provenance

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("module", [simkit.net.addr, simkit.net.space, simkit.api.cloud, simkit.catalog, simkit.errors,
                                    simkit.analysis.keypaths, simkit.analysis.verdict, simkit.report.atomic,
                                    simkit.report.provenance])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_readme_scenario_example_runs():
    import re

    import yaml

    from simkit import run

    text = (ROOT / "README.md").read_text()
    (block,) = re.findall(r"```yaml\n(.*?)```", text, re.S)
    r = run(yaml.safe_load(block), progress=False)
    assert r.summary["calls"] > 0 and r.summary["api_errors"] == 0
