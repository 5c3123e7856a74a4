"""The default scenario's report.html opened in a real browser (Debian's chromium, headless) with
the network off, as a reviewer opens it: a screenshot shows the verdict on the first screen, every
image decodes, nothing is fetched. ``make test`` installs chromium when it is missing and may;
where it cannot, these tests are skipped, saying so.

The network is off twice over: chromium runs in a network namespace of its own when ``unshare
-n`` works (root, or user namespaces), and every host name resolves to nothing and every request
goes to a dead proxy in any case."""

from __future__ import annotations

import html
import io
import json
import shutil
import subprocess

import pytest

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason=(
    "chromium is not installed: `make test` installs Debian's chromium when it runs as root or with sudo "
    "(the Makefile's chromium step); install it with `apt-get install chromium` to run these tests"))

#: The flags this machine's closed network needs (without the background-networking ones chromium
#: tries to reach Google's services and is refused noisily), and the network shut.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
#: The window a reviewer's first screen is.
WINDOW = (1280, 1000)


def _no_network() -> list[str]:
    """``unshare -n`` when it can start a process without network, else nothing."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def browse(page, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    command = [*_no_network(), BROWSER, *FLAGS, f"--user-data-dir={profile}",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", *args, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


#: Run in an instrumented copy of the page when it has loaded: what the browser made of it.
PROBE = """<script>
window.addEventListener("load", function () {
  var bottom = function (id) { return document.getElementById(id).getBoundingClientRect().bottom; };
  var out = {
    images: Array.from(document.images).map(function (i) { return {alt: i.alt, done: i.complete, width: i.naturalWidth,
                                                                     height: i.naturalHeight}; }),
    screen: window.innerHeight,
    bottoms: {verdict: bottom("verdict"), summary: bottom("summary"), recommendation: bottom("recommendation")},
    fetched: performance.getEntriesByType("resource").map(function (r) { return r.name; }),
    verdict: document.getElementById("verdict").innerText
  };
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


@pytest.fixture(scope="module")
def probed(default_report, tmp_path_factory):
    """What the probe found in a copy of the default report (the original is left as written)."""
    folder, _ = default_report
    tmp = tmp_path_factory.mktemp("browser")
    page = tmp / "report.html"
    page.write_text((folder / "report.html").read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                    encoding="utf-8")
    dom = browse(page, tmp, "--dump-dom").stdout
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    return json.loads(html.unescape(dom[start:dom.index("</pre>", start)]))


def test_every_image_decodes_in_the_browser(probed):
    images = probed["images"]
    assert len(images) == 8  # two address maps, five time series, the errors by code
    for image in images:
        assert image["done"] and image["width"] > 300 and image["height"] > 200, image


def test_nothing_is_fetched(probed):
    assert probed["fetched"] == []


def test_the_verdict_the_summary_and_the_recommendation_are_on_the_first_screen(probed):
    assert all(0 < bottom <= probed["screen"] for bottom in probed["bottoms"].values()), probed
    verdict = probed["verdict"]
    assert verdict.startswith("Verdict: misses 3 of 3 targets")
    assert "✗\tpod failure rate 32." in verdict and "✗\tpod wait p99" in verdict and "✗\tAPI error rate" in verdict


def test_a_screenshot_shows_the_verdict(default_report, tmp_path):
    """The page as printed on the screen: a picture of the window, not blank, with the
    verdict's frame drawn in its colour (vermillion: targets missed) near the top."""
    from PIL import Image

    folder, _ = default_report
    shot = tmp_path / "screen.png"
    browse(folder / "report.html", tmp_path, f"--screenshot={shot}")
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert image.size == WINDOW
    top = image.crop((0, 0, WINDOW[0], 400))
    colours = top.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text and a frame, not an empty page
    # The frame's #D55E00, give or take anti-aliasing, along its four sides.
    frame = sum(n for n, (r, g, b) in colours if abs(r - 0xD5) < 12 and abs(g - 0x5E) < 12 and b < 24)
    assert frame > 1000, frame
