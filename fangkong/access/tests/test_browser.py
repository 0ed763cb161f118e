"""The gate scanner in Debian's Chromium on a phone-sized screen (360×740), through Playwright.

* Typing the serial of a paper pass: green, the exit recorded with the temperature in one
  more tap; the same household refused a second exit, in red, with the next allowed time.
* Offline: the page reloads with no network (service worker), decides from its cached pass
  list, queues the event in IndexedDB and uploads it once when the network is back.
* The camera: Chromium plays, as its camera, a video of the printed pass card (the PDF the
  office prints, rasterised by poppler's pdftoppm). Debian's Chromium has no BarcodeDetector,
  like iPhones and Firefox, so the vendored jsQR decodes the frames; where a browser has a
  detector (Chrome on Android) the scanner uses it instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import segno

from fangkong.access.cards import render_cards_pdf
from fangkong.access.models import GateEvent
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass
from fangkong.core.tests.browser import (
    NEEDS_CHROMIUM,
    TAP_TARGETS_TOO_SMALL,
    assert_fits_phone,
    log_in,
)

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def write_y4m(path: Path, width: int, height: int, luma: bytes, frames: int = 10) -> None:
    """A short grey-scale Y4M video (what Chromium's fake camera plays) of one picture."""
    chroma = bytes([128] * (width // 2) * (height // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma + chroma)


def write_qr_video(path: Path, text: str, size: int = 320) -> None:
    """A video of nothing but the QR code of ``text``."""
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
                    luma[start : start + scale] = bytes([16] * scale)
    write_y4m(path, size, size, bytes(luma))


def write_card_video(path: Path, item: Any) -> None:
    """A video of the pass's printed card: the top-left A6 card of the A4 sheet the office
    prints, rasterised at 120 dpi in grey (496 x 702 pixels, the QR about 160 pixels wide,
    as a phone held over the card sees it)."""
    if not shutil.which("pdftoppm") and not os.environ.get("CI"):
        pytest.skip("poppler's pdftoppm is not installed (CI installs poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "cards.pdf"
        sheet.write_bytes(render_cards_pdf([item]))
        subprocess.run(
            [
                "pdftoppm",
                "-gray",
                "-r",
                "120",
                "-f",
                "1",
                "-l",
                "1",
                "-x",
                "0",
                "-y",
                "0",
                "-W",
                "496",
                "-H",
                "702",
                str(sheet),
                str(Path(tmp) / "card"),
            ],
            check=True,
        )
        pgm = next(Path(tmp).glob("card*.pgm")).read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pgm)  # binary grey, one byte a pixel
    assert header is not None
    width, height = int(header[1]), int(header[2])
    assert (width, height) == (496, 702)
    write_y4m(path, width, height, pgm[header.end() : header.end() + width * height])


@pytest.fixture(scope="module")
def video(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("camera") / "pass.y4m"
    write_qr_video(path, "placeholder")  # replaced per test before the camera starts
    return path


@pytest.fixture(scope="module")
def chromium_extra_args(video: Path) -> list[str]:
    """Chromium's camera plays ``video``, with no prompt for the permission."""
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


@pytest.fixture
def phone_context_options() -> dict[str, Any]:
    return {"permissions": ["camera"]}


@pytest.fixture
def gate_world(
    transactional_db: None, community_a: Any, grid_a1: Any, checkpoint_a: Any
) -> dict[str, Any]:
    gate = CheckpointFactory(community=community_a, name="North gate")
    household, item = household_with_pass(community_a, grid_a1)
    return {"gate": gate, "household": household, "pass": item, "user": checkpoint_a}


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
    assert_fits_phone(phone)

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
    assert phone.evaluate("() => typeof window.jsQR") == "function"  # the camera works too

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


def test_the_camera_reads_the_printed_pass_card_where_the_browser_has_no_detector(
    gate_world: dict[str, Any], phone: Any, video: Path
) -> None:
    item = gate_world["pass"]
    write_card_video(video, item)
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    # Debian's Chromium, like an iPhone's Safari, has no BarcodeDetector: jsQR reads it.
    assert phone.evaluate("() => 'BarcodeDetector' in window") is False
    phone.click("#gate-camera")
    phone.wait_for_selector("#gate-verdict.gate-allow", timeout=20000)
    assert gate_world["household"].room in phone.inner_text("#gate-room")
    assert phone.evaluate("() => document.getElementById('gate-video').hidden") is True


def test_where_the_browser_has_a_detector_the_camera_uses_it(
    gate_world: dict[str, Any], phone: Any, video: Path
) -> None:
    item = gate_world["pass"]
    write_qr_video(video, item.token)
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    # A stand-in for Android Chrome's detector; jsQR must then not be asked at all.
    phone.evaluate(
        """token => {
      window.jsQRCalls = 0;
      const jsQR = window.jsQR;
      window.jsQR = (...args) => { window.jsQRCalls++; return jsQR(...args); };
      window.BarcodeDetector = class {
        static async getSupportedFormats() { return ["qr_code"]; }
        async detect(video) {
          return video.videoWidth ? [{rawValue: token, format: "qr_code"}] : [];
        }
      };
    }""",
        item.token,
    )
    phone.click("#gate-camera")
    phone.wait_for_selector("#gate-verdict.gate-allow", timeout=15000)
    assert phone.evaluate("() => window.jsQRCalls") == 0


def test_a_forged_code_shown_to_the_camera_is_refused_as_unknown(
    gate_world: dict[str, Any], phone: Any, video: Path
) -> None:
    item = gate_world["pass"]
    forged = item.token[:-1] + ("A" if item.token[-1] != "A" else "B")
    write_qr_video(video, forged)
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    phone.click("#gate-camera")
    phone.wait_for_selector("#gate-verdict.gate-deny", timeout=20000)
    assert not GateEvent.objects.filter(passed=True).exists()
