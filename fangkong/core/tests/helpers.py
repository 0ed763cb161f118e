"""Small helpers shared by tests of several apps: calls at the same moment, a person
form's data, the api_tokens command."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection

from fangkong.registry.models import Person


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each result or exception, in order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def person_form_data(person: Person | None = None, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": person.name if person else "赵丽",
        "id_type": "resident_id",
        "id_number": "",
        "sex": "U",
        "birth_date": "",
        "phone": "",
        "household": person.household_id if person and person.household_id else "",
        "relation": "",
        "residency": "permanent",
        "notes": "",
        "version": person.version if person else "",
    }
    data.update(overrides)
    return data


def run_api_tokens(*args: str) -> tuple[str, str]:
    """Run ``api_tokens``; return (standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("api_tokens", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def issue_api_token(username: str, *args: str) -> tuple[str, str]:
    """``api_tokens issue USERNAME ...``: (standard output, standard error)."""
    return run_api_tokens("issue", username, *args)
