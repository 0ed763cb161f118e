"""Broadcast audio: a WAV made with espeak-ng's Mandarin voice, or the reason it cannot be."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangkong.core import speech
from fangkong.outreach import services
from fangkong.outreach.choices import AudioStatus
from fangkong.outreach.models import BroadcastAudio
from fangkong.outreach.tests.factories import broadcast_script

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not speech.available(), reason="espeak-ng is not installed on this machine")
def test_the_audio_is_a_wav_of_the_script_in_mandarin(
    client: Any, community_a: Any, officer_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    script = broadcast_script(community_a, text="居民朋友们，请勤洗手、戴口罩。")

    with django_capture_on_commit_callbacks(execute=True):  # the job runs inline in tests
        services.do_request_audio(script, by=officer_a)

    script.refresh_from_db()
    assert script.audio_status == AudioStatus.READY
    assert script.audio_is_current
    wav = bytes(BroadcastAudio.objects.get(script=script).wav)
    assert wav[:4] == b"RIFF"
    assert wav[8:12] == b"WAVE"
    assert len(wav) > 1000
    client.force_login(officer_a)
    answer = client.get(reverse("outreach:broadcast_audio", args=[script.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "audio/wav"
    assert answer.content == wav
    page = client.get(script.get_absolute_url()).content.decode()
    assert "<audio controls" in page


def test_without_espeak_the_page_says_so_and_the_request_is_refused(
    client: Any, community_a: Any, officer_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech, "engine", lambda: None)
    script = broadcast_script(community_a)

    with pytest.raises(ValidationError) as refused:
        services.do_request_audio(script, by=officer_a)
    assert "espeak-ng" in str(refused.value)

    client.force_login(officer_a)
    page = client.get(script.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "data-no-speech" in page.content.decode()
    assert "espeak-ng" in page.content.decode()


def test_a_text_that_changed_makes_the_audio_stale(community_a: Any) -> None:
    script = broadcast_script(community_a)
    script.audio_status, script.audio_text = AudioStatus.READY, script.text
    assert script.audio_is_current
    script.text += "谢谢！"
    assert not script.audio_is_current
