"""Demo supplies: the story's donation (4 boxes = 120 bottles of disinfectant and 40
protective suits from a veteran-run driving school on 2020-02-18), other donations and an
allocation, stock spread over the office and the gates, a household given a bottle, a gate
below its minimum (a low-stock task) and a gate's request waiting."""

from __future__ import annotations

import datetime as dt

from fangkong.core.demo import DemoContext
from fangkong.staff.models import Checkpoint
from fangkong.supplies import services
from fangkong.supplies.choices import Category, DonorKind, Recipient, Source, Unit, Veteran
from fangkong.supplies.models import Donation, Item, Lot, Movement, Place, Stock, SupplyRequest
from fangkong.supplies.services import Line

ORDER = 75

STORY_DAY = dt.date(2020, 2, 18)

ITEMS: tuple[tuple[str, str, str, list[tuple[str, int]]], ...] = (
    ("消毒液", Category.DISINFECTANT, Unit.BOTTLE, [(Unit.BOX, 30)]),
    ("防护服", Category.PROTECTIVE, Unit.PIECE, []),
    ("医用外科口罩", Category.MASK, Unit.PIECE, [(Unit.BOX, 50), (Unit.CASE, 2000)]),
    ("N95口罩", Category.MASK, Unit.PIECE, [(Unit.BOX, 20)]),
    ("一次性手套", Category.GLOVES, Unit.PAIR, [(Unit.BOX, 100)]),
    ("护目镜", Category.GOGGLES, Unit.PIECE, []),
    ("额温枪", Category.THERMOMETER, Unit.PIECE, []),
    ("爱心菜包", Category.FOOD, Unit.PARCEL, []),
)


def seed(ctx: DemoContext) -> None:
    community = ctx.areas["community"]
    today = community.local_today()
    items = {
        name: services.do_save_item(
            community=community, by=None, name=name, category=cat, base_unit=unit, packs=packs
        )
        for name, cat, unit, packs in ITEMS
    }
    office = services.office_of(community)
    gates = [
        services.place_of_checkpoint(c)
        for c in Checkpoint.objects.filter(community=community).order_by("pk")[:3]
    ]
    story = services.do_record_donation(
        place=office,
        by=None,
        donor_kind=DonorKind.COMPANY,
        donor_name="某某驾驶培训学校",
        veteran=Veteran.VETERAN_RUN,
        donated_on=STORY_DAY,
        received_by_name="社区办公室",
        lines=[
            Line(items["消毒液"], 4, Unit.BOX, expiry=STORY_DAY + dt.timedelta(days=730)),
            Line(items["防护服"], 40, Unit.PIECE),
        ],
        notes="局长深夜联系老战友后送来",
    )
    _spend_the_story(story, items["消毒液"], office, gates)
    services.do_record_donation(
        place=office,
        by=None,
        donor_kind=DonorKind.PERSON,
        donor_name="张建国",
        veteran=Veteran.VETERAN,
        donated_on=STORY_DAY + dt.timedelta(days=3),
        lines=[Line(items["N95口罩"], 5, Unit.BOX), Line(items["护目镜"], 10, Unit.PIECE)],
    )
    services.do_record_donation(
        place=office,
        by=None,
        donor_kind=DonorKind.ORGANISATION,
        donor_name="区慈善总会",
        donated_on=today - dt.timedelta(days=10),
        lines=[
            Line(items["医用外科口罩"], 1, Unit.CASE),
            Line(items["一次性手套"], 10, Unit.BOX),
            Line(items["爱心菜包"], 60, Unit.PARCEL, expiry=today + dt.timedelta(days=5)),
        ],
    )
    services.do_receive_stock(
        place=office,
        by=None,
        source=Source.ALLOCATION,
        day=today - dt.timedelta(days=7),
        lines=[Line(items["额温枪"], 6, Unit.PIECE), Line(items["消毒液"], 4, Unit.BOX)],
        supplier="街道办事处",
        signed_by="社区办公室",
    )
    for number, gate in enumerate(gates):
        for name, quantity, unit in (("消毒液", 1, Unit.BOX), ("医用外科口罩", 4, Unit.BOX)):
            services.do_transfer_stock(
                source=office,
                target=gate,
                item=items[name],
                quantity=quantity,
                unit=unit,
                day=today - dt.timedelta(days=6 - number),
                signed_by="门岗值班员",
                by=None,
            )
        services.do_set_minimum(items["消毒液"], gate, 10, by=None)
    if gates:
        services.do_issue_stock(
            place=gates[0],
            item=items["消毒液"],
            quantity=22,
            unit=Unit.BOTTLE,
            day=today - dt.timedelta(days=1),
            recipient=Recipient.PERSON,
            signed_by="门岗值班员",
            note="门岗日常消杀",
            by=None,
        )  # 8 left, below the minimum of 10: the low-stock task
    households = list(ctx.households.get("community", []))[:5]
    for household in households:
        services.do_issue_stock(
            place=office,
            item=items["爱心菜包"],
            quantity=1,
            unit=Unit.PARCEL,
            day=today,
            recipient=Recipient.HOUSEHOLD,
            household=household,
            signed_by="户主",
            by=None,
        )
    if len(gates) > 1:
        services.do_request_supplies(
            place=gates[1], by=None, item=items["一次性手套"], quantity=2, unit=Unit.BOX
        )
    ctx.extra["story_donation"] = story
    ctx.count("donations", Donation.objects.filter(community=community).count())
    ctx.count("stock movements", Movement.objects.filter(community=community).count())


def _spend_the_story(story: Donation, bottles: Item, office: Place, gates: list[Place]) -> None:
    """Where the story's 120 bottles went in February 2020: a box to each of two gates, used
    there for the gates' disinfection, and the rest given out to the buildings' helpers."""
    sent = gates[:2]
    for gate in sent:
        services.do_transfer_stock(
            source=office,
            target=gate,
            item=bottles,
            quantity=1,
            unit=Unit.BOX,
            day=STORY_DAY + dt.timedelta(days=1),
            signed_by="门岗值班员",
            by=None,
        )
        services.do_issue_stock(
            place=gate,
            item=bottles,
            quantity=30,
            unit=Unit.BOTTLE,
            day=STORY_DAY + dt.timedelta(days=3),
            recipient=Recipient.PERSON,
            signed_by="门岗值班员",
            note="门岗消杀",
            by=None,
        )
    services.do_issue_stock(
        place=office,
        item=bottles,
        quantity=120 - 30 * len(sent),
        unit=Unit.BOTTLE,
        day=STORY_DAY + dt.timedelta(days=2),
        recipient=Recipient.PERSON,
        signed_by="楼栋长",
        note="分发各楼栋消杀",
        by=None,
    )


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    return community is not None and Item.objects.filter(community=community).exists()


def unseed(ctx: DemoContext) -> None:
    community = ctx.areas.get("community")
    if community is None:
        return
    for model in (Movement, SupplyRequest, Stock, Lot, Donation, Place):
        model.objects.filter(community=community).delete()
    Item.objects.filter(community=community).delete()
