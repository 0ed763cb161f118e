"""Inquiry and FAQ routes for the access walk (see fangkong/core/tests/walk.py).

The inquiries are of households of grid a1 (grid a2's worker is an outsider to them); the
FAQ entry is community A's, which every grid worker of A reads (``grid_scoped=False``).
``officer_a`` is permitted everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.core.tests.walk import CANARY_NAME, Route, World
from fangkong.inquiries.services import do_answer_inquiry
from fangkong.inquiries.tests.factories import FaqEntryFactory, InquiryFactory


def build(world: World) -> None:
    community = world.community_a
    open_one = InquiryFactory(
        community=community,
        person=world.person,
        question=f"{CANARY_NAME}问：出入证丢了怎么办？",
    )
    answered = do_answer_inquiry(
        InquiryFactory(
            community=community, household=world.household, question=f"{CANARY_NAME}问几点消毒"
        ),
        answer="每天上午九点。",
        by=None,
    )
    world.extra.update(
        inquiry=open_one,
        inquiry_answered=answered,
        faq_entry=FaqEntryFactory(area=community, question="出入证怎么办理？"),
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _tomorrow(w: World) -> str:
    return (w.community_a.local_today() + dt.timedelta(days=1)).isoformat()


def _row(key: str, **kwargs: Any) -> Route:
    return Route(kwargs=_pk(key), **kwargs)


ROUTES = {
    "inquiries:queue": Route(kind="list"),
    "inquiries:inquiry_list": Route(kind="list"),
    "inquiries:frequent": Route(kind="list"),
    "inquiries:inquiry_add": Route(kind="list"),
    "inquiries:inquiry_detail": _row("inquiry"),
    "inquiries:inquiry_edit": _row("inquiry"),
    "inquiries:inquiry_answer": _row(
        "inquiry", method="post", ok=302, data=lambda w: {"answer": "请到居委会补办。"}
    ),
    "inquiries:inquiry_follow_up": _row(
        "inquiry", method="post", ok=302, data=lambda w: {"follow_up_on": _tomorrow(w)}
    ),
    "inquiries:inquiry_close": _row("inquiry_answered", method="post", ok=302),
    "inquiries:inquiry_to_faq": _row("inquiry_answered", method="post", ok=302),
    "inquiries:inquiry_export": Route(kind="list"),
    "inquiries:faq_list": Route(kind="list", grid_scoped=False),
    "inquiries:faq_export": Route(kind="list", grid_scoped=False),
    "inquiries:faq_add": Route(kind="list"),
    "inquiries:faq_detail": _row("faq_entry"),
    "inquiries:faq_edit": _row("faq_entry"),
    # An import goes into the user's own community (or street): an outsider imports into
    # its own, and sees no row of community A's.
    "inquiries:faq_import_start": Route(kind="list", grid_scoped=False),
    "inquiries:inquiry_import_start": Route(kind="list", grid_scoped=False),
    "api:inquiry-list": Route(kind="list", api=True),
    "api:inquiry-detail": _row("inquiry", api=True),
    "api:inquiry-answer": _row(
        "inquiry", api=True, method="post", data=lambda w: {"answer": "请到居委会补办。"}
    ),
    "api:inquiry-follow-up": _row(
        "inquiry", api=True, method="post", data=lambda w: {"follow_up_on": _tomorrow(w)}
    ),
    "api:inquiry-close": _row("inquiry_answered", api=True, method="post"),
    "api:inquiry-to-faq": _row("inquiry_answered", api=True, method="post"),
    "api:faq-entry-list": Route(kind="list", api=True, grid_scoped=False),
    "api:faq-entry-detail": _row("faq_entry", api=True),
}

API_WRITES = [
    (
        "api:inquiry-list",
        Route(
            kind="create",
            api=True,
            method="post",
            ok=201,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "channel": "phone",
                "category": "supplies",
                "question": "药快吃完了怎么买？",
                "household": w.household.pk,
            },
        ),
    ),
    (
        "api:inquiry-detail",
        _row("inquiry", api=True, method="patch", data=lambda w: {"category": "medical"}),
    ),
    (
        "api:faq-entry-list",
        Route(
            kind="create",
            api=True,
            method="post",
            ok=201,
            grid_scoped=False,
            data=lambda w: {
                "area": w.community_a.pk,
                "category": "supplies",
                "question": "怎么买菜？",
                "answer": "社区每天统一配送。",
            },
        ),
    ),
    (
        "api:faq-entry-detail",
        _row("faq_entry", api=True, method="patch", data=lambda w: {"published": False}),
    ),
]


def _import_preview(kind: str, area_param: str, column: str) -> Any:
    """A finished preview of community A's officer (made per request: the walk's writes roll
    back after each test) whose upload is gone."""

    def make(world: World) -> Any:
        from fangkong.core.models import Job

        return Job.objects.create(
            kind=kind,
            user=world.users["officer_a"],
            area_path=world.community_a.path,
            status="completed",
            params={
                "upload": "0" * 32,
                "filename": "导入.xlsx",
                "rows": 2,
                "mode": "preview",
                area_param: world.community_a.pk,
            },
            result={
                "rows": 2,
                "created": 1,
                "unchanged": 0,
                "rejected": 1,
                "written": False,
                "errors": [
                    {"row": 3, "column": column, "message": "-", "code": "x", "value": CANARY_NAME}
                ],
            },
        )

    return make


for _prefix, _kind, _param, _column in (
    ("faq", "inquiries.faq_import", "area", "问题"),
    ("inquiry", "inquiries.import", "community", "问题"),
):
    _preview = _import_preview(_kind, _param, _column)
    ROUTES.update(
        {
            f"inquiries:{_prefix}_import_detail": Route(
                kwargs=lambda w, p=_preview: {"pk": p(w).pk}, grid_scoped=False
            ),
            # The walk's preview keeps no upload: its owner is sent back to it with a note.
            f"inquiries:{_prefix}_import_rejected": Route(
                kwargs=lambda w, p=_preview: {"pk": p(w).pk}, ok=302, grid_scoped=False
            ),
            f"inquiries:{_prefix}_import_confirm": Route(
                kwargs=lambda w, p=_preview: {"pk": p(w).pk},
                method="post",
                data=lambda w: {"action": "import"},
                ok=302,
                grid_scoped=False,
            ),
        }
    )
