"""The guard's loop on a 360×740 phone with the number keyboard open (the viewport ~300 px
shorter while typing): scan → record → ready for the next, in two taps, without scrolling.

* The verdict, the 登记 button and the confirmation stay inside the visible part of the
  screen; after recording the serial field is empty and focused for the next scan.
* A refusal offers no exit button; an exit and a return look different.
* The whole QR token typed by a keyboard-wedge scanner (38 characters and Enter) is accepted.
* 访客登记 is one tap from the scanner, with the gate chosen there preselected.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from fangkong.access.models import GateEvent
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

#: A phone's number keyboard takes about this much of a 740 px screen.
KEYBOARD = 300
WIDTH, HEIGHT = 360, 740


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


def keyboard_open(page: Any) -> None:
    """What a phone does when its keyboard rises: the visible viewport shrinks."""
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT - KEYBOARD})


def shot(page: Any, name: str) -> None:
    """A screenshot to look at while working on the screen (kept out of the repository)."""
    folder = os.environ.get("GATE_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"gate-{name}.png"))


def visible(page: Any, selector: str) -> bool:
    """Whether the element is wholly inside the viewport as it is now (no scrolling)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["width"] > 0
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"] + 0.5
        and box["x"] + box["width"] <= size["width"] + 0.5
    )


def type_code(page: Any, code: str) -> None:
    """A keyboard-wedge scanner (or the guard) types the code and Enter into the field."""
    page.focus("#gate-serial")
    keyboard_open(page)
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-verdict:not([hidden])")


def test_the_gate_loop_keeps_verdict_button_and_confirmation_on_screen_with_the_keyboard_open(
    gate_world: dict[str, Any], phone: Any
) -> None:
    item = gate_world["pass"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    assert_fits_phone(phone)
    shot(phone, "1-ready")

    # Tap 1: the scan (a wedge scanner types the whole token and Enter).
    type_code(phone, item.token)
    shot(phone, "2-verdict")
    assert "gate-allow" in phone.get_attribute("#gate-verdict", "class")
    for selector in ("#gate-word", "#gate-out", "#gate-temperature"):
        assert visible(phone, selector), f"{selector} is not on the screen"
    assert phone.input_value("#gate-temperature") == ""
    assert phone.get_attribute("#gate-temperature", "placeholder") in (None, "")
    assert "本次之后剩余" in phone.inner_text("#gate-verdict")

    # Tap 2: the exit, with the temperature typed on the keyboard.
    phone.keyboard.type("36.6")
    phone.click("#gate-out")
    phone.wait_for_selector("#gate-result:not(:empty)")
    shot(phone, "3-recorded")
    assert GateEvent.objects.filter(direction="out", passed=True).count() == 1
    assert visible(phone, "#gate-result")
    assert visible(phone, "#gate-word")
    assert "出门" in phone.inner_text("#gate-result")
    # Ready for the next scan: the field empty and focused, on the screen (the page keeps the
    # scanner's top at the screen's top itself: the guard never scrolls).
    assert phone.input_value("#gate-serial") == ""
    assert phone.evaluate("() => document.activeElement.id") == "gate-serial"
    assert visible(phone, "#gate-serial")

    # The return looks different from the exit.
    phone.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    type_code(phone, item.serial)
    shot(phone, "4-return")
    assert "gate-return" in phone.get_attribute("#gate-verdict", "class")
    assert visible(phone, "#gate-in")
    assert phone.locator("#gate-out").is_hidden()
    phone.keyboard.type("36.4")
    phone.click("#gate-in")
    phone.wait_for_selector("#gate-result:not(:empty)")
    assert "进门" in phone.inner_text("#gate-result")
    assert visible(phone, "#gate-result")
    assert GateEvent.objects.filter(direction="in", passed=True).count() == 1


def test_a_refusal_offers_no_exit_button(gate_world: dict[str, Any], phone: Any) -> None:
    item = gate_world["pass"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    forged = item.token[:-1] + ("A" if item.token[-1] != "A" else "B")

    type_code(phone, forged)
    shot(phone, "5-refused")

    assert "gate-deny" in phone.get_attribute("#gate-verdict", "class")
    assert phone.locator("#gate-out").is_hidden()
    assert phone.locator("#gate-in").is_hidden()
    assert phone.locator("#gate-verdict .primary:visible").count() == 0
    assert phone.evaluate("() => document.activeElement.id") == "gate-serial"


def test_a_fever_says_what_was_recorded_next_to_the_verdict(
    gate_world: dict[str, Any], phone: Any
) -> None:
    item = gate_world["pass"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)

    type_code(phone, item.serial)
    phone.keyboard.type("38.2")
    phone.click("#gate-out")
    phone.wait_for_selector("#gate-verdict.gate-deny")
    phone.wait_for_selector("#gate-result:not(:empty)")
    shot(phone, "6-fever")

    event = GateEvent.objects.get()
    assert not event.passed
    text = phone.inner_text("#gate-result")
    assert "未放行" in text
    assert "38.2" in text
    assert visible(phone, "#gate-result")


def test_the_whole_token_pasted_into_the_field_is_accepted(
    gate_world: dict[str, Any], phone: Any
) -> None:
    item = gate_world["pass"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)

    phone.fill("#gate-serial", item.token)
    assert phone.input_value("#gate-serial") == item.token  # nothing cut
    phone.press("#gate-serial", "Enter")

    phone.wait_for_selector("#gate-verdict.gate-allow")
    assert gate_world["household"].room in phone.inner_text("#gate-room")


def test_a_visitor_is_one_tap_from_the_scanner_with_the_gate_preselected(
    gate_world: dict[str, Any], phone: Any
) -> None:
    gate = gate_world["gate"]
    log_in(phone, "checkpoint_a")
    open_scanner(phone)
    phone.select_option("#gate-checkpoint", str(gate.pk))
    assert visible(phone, "#gate-visitor")

    phone.click("#gate-visitor")
    phone.wait_for_load_state()

    assert "/access/visitors/add/" in phone.url
    assert phone.input_value("select[name=checkpoint]") == str(gate.pk)
