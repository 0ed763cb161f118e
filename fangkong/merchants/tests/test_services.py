"""The registry's status history, inspections and their follow-ups, complaints, the owner's
link, and what a sign-in refuses or neutralises."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.merchants import register_tokens, services
from fangkong.merchants.choices import CheckItem, CheckResult, ComplaintKind, MerchantStatus
from fangkong.merchants.models import InspectionCheck, Merchant
from fangkong.merchants.tests.factories import MerchantFactory, all_pass, inspect, sign_in
from fangkong.staff.choices import TaskKind, TaskStatus
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def test_a_status_change_is_kept_in_the_shops_history_and_audited(
    community_a: Any, officer_a: Any
) -> None:
    shop = MerchantFactory(area=community_a, status=MerchantStatus.CLOSED, by=officer_a)

    services.do_change_status(
        shop, status=MerchantStatus.CLOSED_BY_ORDER, reason="无证经营", by=officer_a
    )
    services.do_change_status(shop, status=MerchantStatus.REOPENED, by=officer_a)

    shop.refresh_from_db()
    assert shop.status == MerchantStatus.REOPENED
    assert [h.status for h in shop.status_changes.order_by("id")] == [
        MerchantStatus.CLOSED,
        MerchantStatus.CLOSED_BY_ORDER,
        MerchantStatus.REOPENED,
    ]
    assert ObjectChange.objects.filter(object_repr=shop.name).count() >= 3


def test_a_closure_by_order_needs_a_reason(community_a: Any, officer_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    with pytest.raises(ValidationError) as caught:
        services.do_change_status(shop, status=MerchantStatus.CLOSED_BY_ORDER, by=officer_a)
    assert "reason" in caught.value.message_dict


def test_a_grid_worker_may_not_list_a_shop(grid_a1: Any, grid_worker_a1: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        MerchantFactory(area=grid_a1, by=grid_worker_a1)


def test_the_phone_is_stored_protected_and_masked(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a, phone="13912345678")
    assert shop.phone_mask == "139****5678"
    assert "13912345678" not in shop.phone_cipher


def test_a_failed_item_raises_a_follow_up_task_with_a_deadline(
    community_a: Any, grid_worker_a1: Any
) -> None:
    shop = MerchantFactory(area=community_a)

    visit = inspect(shop, by=grid_worker_a1, staff_masks=(CheckResult.FAIL, "店员未戴口罩"))

    check = InspectionCheck.objects.get(inspection=visit, item=CheckItem.STAFF_MASKS)
    task = check.follow_up
    assert task is not None
    assert task.kind == TaskKind.MERCHANT_REINSPECT
    assert task.due is not None
    assert task.status == TaskStatus.OPEN
    assert visit.failed_count == 1
    assert list(services.open_checks()) == [check]
    assert [c.item for c in services.failed_last_time(shop)] == [CheckItem.STAFF_MASKS]


def test_closing_a_follow_up_resolves_the_item_and_completes_its_task(
    community_a: Any, officer_a: Any
) -> None:
    shop = MerchantFactory(area=community_a)
    visit = inspect(shop, distance=CheckResult.FAIL)
    check = InspectionCheck.objects.get(inspection=visit, result=CheckResult.FAIL)

    services.do_close_follow_up(check, note="已设置一米线", by=officer_a)

    check.refresh_from_db()
    assert check.resolved_at is not None
    assert Task.objects.get(pk=check.follow_up_id).status == TaskStatus.DONE
    assert not services.open_checks().exists()


def test_a_later_visit_that_passes_the_item_closes_its_follow_up(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    first = inspect(shop, ventilation=CheckResult.FAIL)
    failed = InspectionCheck.objects.get(inspection=first, result=CheckResult.FAIL)

    inspect(shop)

    assert not services.open_checks().exists()
    assert Task.objects.get(pk=failed.follow_up_id).status == TaskStatus.DONE


def test_a_follow_up_closed_on_the_task_pages_no_longer_counts_as_open(
    community_a: Any, officer_a: Any
) -> None:
    from fangkong.staff.services import do_complete_task

    shop = MerchantFactory(area=community_a)
    inspect(shop, hand_sanitiser=CheckResult.FAIL)
    task = Task.objects.get(kind=TaskKind.MERCHANT_REINSPECT)

    do_complete_task(task, by=officer_a, note="已补齐")

    assert not services.open_checks().exists()


def test_a_visit_in_the_future_or_with_items_missing_is_refused(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    tomorrow = community_a.local_today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as future:
        inspect(shop, visited_on=tomorrow)
    assert "visited_on" in future.value.message_dict

    checks = all_pass()
    del checks[CheckItem.STAFF_HEALTH]
    with pytest.raises(ValidationError) as missing:
        services.do_record_inspection(shop, {"inspectors": "甲", "checks": checks}, by=None)
    assert "checks" in missing.value.message_dict
    assert not shop.inspections.exists()


def test_a_delivered_notice_is_recorded_with_who_signed(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    inspect(shop)
    notice = shop.notices.get()
    assert notice.signed_by == "李店长"
    assert notice.with_book


def test_a_complaint_raises_an_inspection_task_and_closing_it_completes_the_task(
    community_a: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    shop = MerchantFactory(area=community_a)
    complaint = services.do_record_complaint(
        shop,
        {"kind": ComplaintKind.PRICE_GOUGING, "description": "口罩十元一个"},
        by=grid_worker_a1,
    )
    assert complaint.task is not None
    assert complaint.task.kind == TaskKind.MERCHANT_COMPLAINT

    services.do_close_complaint(complaint, outcome="已责令整改", by=officer_a)

    complaint.refresh_from_db()
    assert complaint.closed_at is not None
    assert Task.objects.get(pk=complaint.task_id).status == TaskStatus.DONE


def test_the_owners_link_is_kept_as_a_digest_and_stops_when_replaced_or_revoked(
    community_a: Any, officer_a: Any
) -> None:
    shop = MerchantFactory(area=community_a)
    first = services.do_issue_owner_link(shop, by=officer_a)
    shop.refresh_from_db()
    assert first not in shop.owner_token_digest
    assert services.merchant_of_owner_token(first) == shop

    second = services.do_issue_owner_link(shop, by=officer_a)
    assert services.merchant_of_owner_token(first) is None
    assert services.merchant_of_owner_token(second) == shop

    services.do_revoke_owner_link(shop, by=officer_a)
    assert services.merchant_of_owner_token(second) is None


def test_a_made_up_register_token_finds_no_shop(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    good = register_tokens.register_token(shop.register_nonce)
    forged = shop.register_nonce + "." + "A" * 16

    assert services.merchant_of_register_token(good) == shop
    assert services.merchant_of_register_token(forged) is None
    assert register_tokens.REGISTER_TOKEN_BITS >= 192
    assert register_tokens.OWNER_TOKEN_BITS >= 192


def test_a_sign_in_with_an_invalid_phone_is_refused(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    with pytest.raises(ValidationError) as caught:
        sign_in(shop, phone="12345")
    assert "phone" in caught.value.message_dict


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"])
def test_a_name_that_starts_like_a_formula_is_stored_neutralised(
    community_a: Any, name: str
) -> None:
    shop = MerchantFactory(area=community_a)
    entry = sign_in(shop, name=name)
    assert entry.name.startswith("'")
    assert entry.phone_mask == "138****8000"


def test_a_shop_that_takes_temperatures_needs_one_in_range(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a, takes_temperature=True)
    with pytest.raises(ValidationError):
        sign_in(shop)
    with pytest.raises(ValidationError):
        services.do_sign_in(shop, {"name": "王五", "phone": "13800138000", "temperature": "45"})
    entry = services.do_sign_in(
        shop, {"name": "王五", "phone": "13800138000", "temperature": "36.6"}
    )
    assert str(entry.temperature) == "36.6"


def test_a_closed_shops_register_takes_no_entry(community_a: Any) -> None:
    shop = MerchantFactory(area=community_a, status=MerchantStatus.CLOSED)
    with pytest.raises(ValidationError):
        sign_in(shop)
    assert not Merchant.objects.get(pk=shop.pk).is_open
