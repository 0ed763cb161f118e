"""The gate scanner in Debian's Chromium on a phone-sized screen (360×740), through Playwright.

* Typing the serial of a paper pass: green, the exit recorded with the temperature in one
  more tap; the same household refused a second exit, in red, with the next allowed time.
* Offline: the page reloads with no network (service worker), decides from its cached pass
  list, queues the event in IndexedDB and uploads it once when the network is back.
* The camera: Chromium plays a Y4M video of a printed pass's QR code as its camera. Debian's
  Chromium has no BarcodeDetector on Linux (checked below), so the scanner falls back to the
  typed serial and says so; the camera wiring is then exercised with a stand-in detector that
  reads frames of that video (the decoding itself is the browser's job on phones that have it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno

from fangkong.access.models import GateEvent
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass
from fangkong.accounts.tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it)",
    ),
]

TAP_TARGETS_TOO_SMALL = """
() => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               return {tag: el.tagName, text: (el.innerText || el.name || '').slice(0, 30),
                       w: Math.round(r.width), h: Math.round(r.height)}; })
  .filter(r => r.w < 44 || r.h < 44)
"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


def write_y4m(path: Path, text: str, size: int = 320, frames: int = 10) -> None:
    """A short grey-scale Y4M video of the QR code of ``text`` (what a printed card shows)."""
    qr = segno.make(text, error="m")
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    scale = size // len(matrix)
    offset = (size - scale * len(matrix)) // 2
    luma = bytearray([235] * size * size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (offset + y * scale + dy) * size + offset + x * scale
                    luma[start:start + scale] = bytes([16] * scale)
    chroma = bytes([128] * (size // 2) * (size // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{size} H{size} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture(scope="module")
def video(tmp_path_factory: Any) -> Path:
    return tmp_path_factory.mktemp("camera") / "pass.y4m"


@pytest.fixture(scope="module")
def browser(video: Path) -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    write_y4m(video, "placeholder")  # replaced per test before the camera starts
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                  f"--use-file-for-fake-video-capture={video}"],
        )
        yield browser
        browser.close()


@pytest.fixture
def gate_world(transactional_db: None, community_a: Any, grid_a1: Any,
               checkpoint_a: Any) -> dict[str, Any]:
    gate = CheckpointFactory(community=community_a, name="North gate")
    household, item = household_with_pass(community_a, grid_a1)
    return {"gate": gate, "household": household, "pass": item, "user": checkpoint_a}


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, device_scale_factor=2,
                                  permissions=["camera"])
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def log_in(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "login failed"


def open_scanner(page: Any) -> None:
    page.goto(page.base_url + "/access/gate/")
    page.wait_for_function("() => !!window.fangkongGate && !!window.fangkongGate.state().data")


def check_serial(page: Any, serial: str) -> None:
    page.fill("#gate-serial", serial)
    page.click("#gate-serial-form button[type=submit]")
    page.wait_for_selector("#gate-verdict:not([hidden])")


def test_a_typed_serial_is_allowed_out_once_and_refused_the_second_time(
    gate_world: dict[str, Any], phone: Any
) -> None:
    item, household = gate_world["pass"], gate_world["household"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    assert phone.evaluate(SIDEWAYS) <= 0
    assert phone.evaluate(TAP_TARGETS_TOO_SMALL) == []

    check_serial(phone, item.serial)
    assert "gate-allow" in phone.get_attribute("#gate-verdict", "class")
    assert household.room in phone.inner_text("#gate-room")
    phone.fill("#gate-temperature", "36.5")
    phone.click("#gate-out")
    phone.wait_for_function("() => document.getElementById('gate-result').textContent !== ''")
    assert GateEvent.objects.filter(direction="out", passed=True).count() == 1
    assert phone.evaluate(TAP_TARGETS_TOO_SMALL) == []

    check_serial(phone, item.serial)  # the pass is out: an entry is suggested
    phone.fill("#gate-temperature", "36.4")
    phone.click("#gate-in")
    phone.wait_for_function("() => document.getElementById('gate-result').textContent !== ''")
    check_serial(phone, item.serial)
    phone.wait_for_selector("#gate-verdict.gate-deny")
    assert ":" in phone.inner_text("#gate-reason")  # the next allowed time is shown


def test_offline_the_scanner_reloads_decides_queues_and_uploads_once(
    gate_world: dict[str, Any], phone: Any
) -> None:
    item = gate_world["pass"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    # The service worker takes control (it claims the page once active); reload under it.
    phone.evaluate("() => navigator.serviceWorker.ready")
    phone.reload()
    phone.wait_for_function("() => !!navigator.serviceWorker.controller")
    phone.wait_for_function("() => !!window.fangkongGate.state().data")

    # Given the network drops
    phone.context.set_offline(True)
    phone.reload()
    phone.wait_for_function("() => !!window.fangkongGate && !!window.fangkongGate.state().data")
    assert phone.inner_text("#gate-network") != ""

    # When a paper pass is typed and the exit recorded
    check_serial(phone, item.serial)
    assert "gate-allow" in phone.get_attribute("#gate-verdict", "class")
    phone.fill("#gate-temperature", "36.6")
    phone.click("#gate-out")
    phone.wait_for_selector("#gate-queue:not([hidden])")
    assert GateEvent.objects.count() == 0

    # Then, back online, it is uploaded, once however often the queue is flushed
    phone.context.set_offline(False)
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    phone.wait_for_selector("#gate-queue", state="hidden", timeout=15000)
    phone.evaluate("() => window.fangkongGate.flush()")
    events = list(GateEvent.objects.all())
    assert len(events) == 1
    assert events[0].passed
    assert events[0].device_time is not None
    assert events[0].received_at >= events[0].device_time


def test_the_camera_reads_a_printed_pass_where_the_browser_can_decode(
    gate_world: dict[str, Any], phone: Any, video: Path
) -> None:
    item = gate_world["pass"]
    write_y4m(video, item.token)
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    # Debian's Chromium (Linux) has no BarcodeDetector: the scanner says to type the serial.
    assert phone.evaluate("() => 'BarcodeDetector' in window") is False
    phone.click("#gate-camera")
    phone.wait_for_selector("#gate-camera-note:not([hidden])")

    # With a detector (as on Android's Chrome), frames of the fake camera reach it and the
    # code it reads is checked like a typed one. The stand-in answers with the token once a
    # frame of the video has the printed code's dark modules in it.
    phone.evaluate("""token => {
      window.BarcodeDetector = class {
        static async getSupportedFormats() { return ["qr_code"]; }
        async detect(video) {
          if (!video.videoWidth) return [];
          const c = document.createElement("canvas");
          c.width = video.videoWidth; c.height = video.videoHeight;
          const g = c.getContext("2d"); g.drawImage(video, 0, 0);
          const px = g.getImageData(0, 0, c.width, c.height).data;
          let dark = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i] < 80) dark++;
          const share = dark / (px.length / 4);
          return share > 0.15 && share < 0.6 ? [{rawValue: token, format: "qr_code"}] : [];
        }
      };
    }""", item.token)
    phone.click("#gate-camera")
    phone.wait_for_selector("#gate-verdict.gate-allow", timeout=15000)
    assert gate_world["household"].room in phone.inner_text("#gate-room")
