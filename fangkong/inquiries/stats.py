"""Inquiry figures: a handler's queue, every handler's open and overdue counts, the week's
frequent questions, and the daily report's figures. Always through ``restrict(user)``."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.inquiries.choices import PENDING_STATUSES, Category, InquiryStatus
from fangkong.inquiries.models import Inquiry

#: An open inquiry with no call-back date is overdue once it waited this long for an answer.
ANSWER_WITHIN = dt.timedelta(days=2)
#: How many of the week's questions the frequent-questions page reads (newest first).
FREQUENT_READ_MAX = 2000
QUEUE_MAX = 50


def overdue_q(today: dt.date, now: dt.datetime) -> Q:
    """Pending inquiries past their call-back day, or open ones unanswered too long."""
    return Q(status__in=PENDING_STATUSES) & (
        Q(follow_up_on__lt=today)
        | Q(
            status=InquiryStatus.OPEN,
            follow_up_on__isnull=True,
            received_at__lt=now - ANSWER_WITHIN,
        )
    )


def _today(user: Any) -> dt.date:
    area = user.area
    return area.local_today() if area is not None else timezone.localdate()


def queue_of(user: Any) -> list[Inquiry]:
    """The user's own pending inquiries, overdue first, then the oldest."""
    today, now = _today(user), timezone.now()
    rows = list(
        Inquiry.objects.restrict(user)
        .filter(handler=user, status__in=PENDING_STATUSES)
        .order_by("received_at", "id")[:QUEUE_MAX]
    )
    overdue = set(
        Inquiry.objects.filter(pk__in=[r.pk for r in rows])
        .filter(overdue_q(today, now))
        .values_list("pk", flat=True)
    )
    for row in rows:
        row.is_overdue = row.pk in overdue
    return sorted(rows, key=lambda r: (r.pk not in overdue, r.received_at, r.pk))


def per_handler(user: Any) -> list[dict[str, Any]]:
    """Open and overdue inquiries per handler (nobody's first), one grouped query."""
    today, now = _today(user), timezone.now()
    rows = (
        Inquiry.objects.restrict(user)
        .filter(status__in=PENDING_STATUSES)
        .order_by()
        .values("handler_id", "handler__full_name", "handler__username")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(today, now)))
    )
    return sorted(
        (
            {
                "handler_id": r["handler_id"],
                "name": r["handler__full_name"] or r["handler__username"] or "",
                "open": r["open"],
                "overdue": r["overdue"],
            }
            for r in rows
        ),
        key=lambda r: (r["handler_id"] is not None, -r["overdue"], -r["open"], r["name"]),
    )


_NOISE = re.compile(r"[\s\W_]+|[吗呢吧啊呀]+$")


def same_question(text: str) -> str:
    """What two questions must share to count as the same: their words, with case, width,
    spaces, punctuation and a closing particle (吗, 呢…) set aside."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOISE.sub("", _NOISE.sub("", text))


def frequent_this_week(user: Any) -> dict[str, Any]:
    """The last seven days: how many questions of each category, and the questions asked
    more than once in the same words (punctuation aside), most asked first."""
    since = timezone.now() - dt.timedelta(days=7)
    week = Inquiry.objects.restrict(user).filter(received_at__gte=since)
    labels = dict(Category.choices)
    by_category = [
        {"category": r["category"], "label": labels.get(r["category"], r["category"]), "n": r["n"]}
        for r in week.order_by()
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")
    ]
    counts: Counter[str] = Counter()
    example: dict[str, Inquiry] = {}
    for row in week.only("pk", "question", "category", "answer", "status").order_by(
        "-received_at", "-id"
    )[:FREQUENT_READ_MAX]:
        key = same_question(row.question)
        if not key:
            continue
        counts[key] += 1
        # The newest answered one stands for the group (its answer is what to say).
        if key not in example or (row.answer and not example[key].answer):
            example[key] = row
    repeated = [{"n": n, "inquiry": example[key]} for key, n in counts.most_common(10) if n > 1]
    return {"by_category": by_category, "repeated": repeated, "total": sum(counts.values())}


def count_daily(window: DayWindow) -> Counts:
    """Received and answered that day; open at its end (not answered by then) and of them
    overdue (by now, for today). Two grouped queries."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end = window.community_ids, window.start, window.end
    cut = min(end, timezone.now())
    fill(
        counts,
        Inquiry.objects.filter(community_id__in=ids)
        .filter(
            Q(received_at__gte=start, received_at__lt=end)
            | Q(answered_at__gte=start, answered_at__lt=end)
        )
        .order_by()
        .values("community_id")
        .annotate(
            received=Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
            answered=Count("pk", filter=Q(answered_at__gte=start, answered_at__lt=end)),
        ),
        {"received": "inquiries.received", "answered": "inquiries.answered"},
    )
    unanswered = Q(answered_at__isnull=True) | Q(answered_at__gte=end)
    late = Q(follow_up_on__lt=window.day) | Q(
        follow_up_on__isnull=True, received_at__lt=cut - ANSWER_WITHIN
    )
    fill(
        counts,
        Inquiry.objects.filter(unanswered, community_id__in=ids, received_at__lt=end)
        .exclude(status=InquiryStatus.CLOSED, closed_at__lt=end)
        .order_by()
        .values("community_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=late)),
        {"open": "inquiries.open", "overdue": "inquiries.overdue"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Residents' questions"),
        figures=(
            ("inquiries.received", gettext_lazy("Inquiries received")),
            ("inquiries.answered", gettext_lazy("Inquiries answered")),
            ("inquiries.open", gettext_lazy("Inquiries open")),
            ("inquiries.overdue", gettext_lazy("Inquiries overdue")),
        ),
        count=count_daily,
    )
]
