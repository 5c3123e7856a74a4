"""The error registry covers the API page's error table, one row per code, and the rendered
table in docs/ is current."""

import re
from pathlib import Path

import pytest

from simkit.errors import REGISTRY, api_error, render_markdown

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT.parent / "shared" / "reference" / "AssignPrivateIpAddresses.txt"


def page_table():
    """(status, code) rows of the page's "Error codes" table."""
    text = PAGE.read_text()
    table = text[text.index("Error codes") :]
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^(\d{3}) (\S+)", table, re.MULTILINE)]


@pytest.mark.skipif(not PAGE.exists(), reason="../shared/reference is not checked out beside the repo")
def test_every_code_of_the_page_has_a_row_with_its_status():
    rows = page_table()
    assert len(rows) == 58  # 57 codes; MissingParameter is listed twice (400 and 403)
    for status, code in rows:
        assert code in REGISTRY, f"{code} from the page has no registry row"
        if code == "MissingParameter":
            assert status in (400, 403) and REGISTRY[code].http_status == 400
        else:
            assert REGISTRY[code].http_status == status, code


def test_rows_are_complete():
    for row in REGISTRY.values():
        assert row.code and row.message and row.apis and row.condition and row.source, row
        assert row.http_status in (400, 403, 404, 500, 503), row
        if not row.arises:
            assert "faults" in row.condition.lower() or "inject" in row.condition.lower(), row


def test_api_error_fills_the_template_and_keeps_status():
    err = api_error("InvalidEniId.NotFound", "eni-123")
    assert (err.code, err.http_status) == ("InvalidEniId.NotFound", 404)
    assert "eni-123" in err.message


def test_unknown_code_is_a_programming_error():
    with pytest.raises(KeyError):
        api_error("NoSuch.Code")


def test_rendered_table_in_docs_is_current():
    assert (ROOT / "docs" / "error-codes.md").read_text() == render_markdown(), (
        "docs/error-codes.md is stale: run simkit error-codes > docs/error-codes.md"
    )
