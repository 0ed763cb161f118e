"""Supplies pages: the catalogue, donations (with the receipt and the thank-you
certificate), the ledger, issuing and transferring, balances on any date, requests, and the
summary of donations per community."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import EXPORTERS, filter_params, start_export
from fangkong.core.pdf import render_pdf
from fangkong.core.views import (
    LoggedInView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PageView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
)
from fangkong.supplies import services
from fangkong.supplies.choices import RequestStatus
from fangkong.supplies.filtersets import (
    DonationFilterSet,
    ItemFilterSet,
    MovementFilterSet,
    SupplyRequestFilterSet,
)
from fangkong.supplies.forms import (
    AdjustForm,
    DonationForm,
    IssueForm,
    IssueRequestForm,
    ItemForm,
    MinimumForm,
    PlaceForm,
    ReceiveForm,
    RefuseForm,
    RequestForm,
    TransferForm,
)
from fangkong.supplies.models import (
    Donation,
    Item,
    Movement,
    Place,
    Stock,
    SupplyRequest,
)
from fangkong.supplies.tables import DonationTable, ItemTable, MovementTable, SupplyRequestTable


def own_community(user: Any) -> Area:
    """The community a page adds supplies rows to: the user's own."""
    community: Area | None = user.community if getattr(user, "area_id", None) else None
    if community is None:
        raise PermissionDeniedError("add", _("Supplies are kept by a community's office."))
    return community


class _CommunityForm(ServiceFormView):
    """A form adding rows to the user's own community."""

    action = "add"

    community: Area | None = None

    def prepare(self) -> None:
        self.community = None

    def check_permission(self) -> None:
        super().check_permission()
        self.community = own_community(self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def refusal(self) -> str:
        return _("Your role does not keep the supplies.")


# --- items ----------------------------------------------------------------------------------


class _ExportLink:
    """A list page with its .xlsx export (the page's filters) for users with the right."""

    request: Any
    export_name = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        if self.request.user.has_action(EXPORTERS[f"supplies.{self.export_name}"].model, "export"):
            context["export_url"] = reverse(f"supplies:{self.export_name[:-1]}_export")
        return context


class ItemListView(_ExportLink, ObjectListView):
    export_name = "items"
    model = Item
    queryset = Item.objects.prefetch_related("packs")
    filterset_class = ItemFilterSet
    table_class = ItemTable
    title = gettext_lazy("Supplies")
    template_name = "supplies/item_list.html"


class ItemDetailView(ObjectDetailView):
    model = Item
    template_name = "supplies/item_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item: Item = self.object
        stocks = list(
            Stock.objects.restrict(self.request.user)
            .filter(item=item)
            .select_related("place")
            .order_by("place__kind", "place__name")
        )
        context.update(
            stocks=[
                {"stock": s, "shown": services.describe_quantity(item, s.quantity)} for s in stocks
            ],
            total=services.describe_quantity(item, sum(s.quantity for s in stocks)),
            packs=list(item.packs.all()),
            may_change=self.request.user.has_action(Item, "change"),
        )
        return context


class ItemEditView(ObjectEditView):
    model = Item
    form_class = ItemForm

    def check_add_permission(self) -> None:
        super().check_add_permission()
        own_community(self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.object is None:
            kwargs["community"] = own_community(self.request.user)
        return kwargs

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else reverse("supplies:item_list")

    def create(self, form: Any) -> Item:
        return services.do_save_item(
            community=form.community,
            by=self.request.user,
            packs=form.packs(),
            **form.service_data(),
        )

    def update(self, obj: Item, form: Any) -> Item:
        return services.do_save_item(
            item=obj,
            by=self.request.user,
            packs=form.packs(),
            expected_version=form.expected_version,
            **form.service_data(),
        )


class ItemMinimumView(ServiceFormView):
    form_class = MinimumForm
    model = Stock
    action = "change"
    title = gettext_lazy("Minimum level")

    def prepare(self) -> None:
        self.item: Item = get_restricted_object(
            Item.objects.all(), self.request.user, "view", pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.item.community}

    def get_cancel_url(self) -> str:
        return self.item.get_absolute_url()

    def perform(self, form: Any) -> str:
        data = form.service_data()
        services.do_set_minimum(self.item, data["place"], data["minimum"], by=self.request.user)
        return self.item.get_absolute_url()


class PlaceAddView(_CommunityForm):
    form_class = PlaceForm
    model = Place
    title = gettext_lazy("New stock place")

    def get_cancel_url(self) -> str:
        return reverse("supplies:balances")

    def perform(self, form: Any) -> str:
        assert self.community is not None
        services.do_add_place(community=self.community, by=self.request.user, **form.service_data())
        return reverse("supplies:balances")


# --- donations ------------------------------------------------------------------------------


class DonationListView(_ExportLink, ObjectListView):
    export_name = "donations"
    template_name = "supplies/donation_list.html"
    model = Donation
    queryset = Donation.objects.select_related("place")
    filterset_class = DonationFilterSet
    table_class = DonationTable
    title = gettext_lazy("Donations")


class DonationDetailView(ObjectDetailView):
    model = Donation
    queryset = Donation.objects.select_related("place", "community")
    template_name = "supplies/donation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        donation: Donation = self.object
        context.update(lines=donation_lines(donation), trail=services.trail_of_donation(donation))
        return context


def donation_lines(donation: Donation) -> list[dict[str, Any]]:
    return [
        {"lot": lot, "shown": services.describe_quantity(lot.item, lot.quantity)}
        for lot in donation.lots.select_related("item").prefetch_related("item__packs")
    ]


class DonationAddView(_CommunityForm):
    form_class = DonationForm
    model = Donation
    title = gettext_lazy("Record a donation")
    success_message = gettext_lazy("The donation is recorded.")

    def get_cancel_url(self) -> str:
        return reverse("supplies:donation_list")

    def perform(self, form: Any) -> str:
        donation = services.do_record_donation(
            place=form.cleaned_data["place"],
            by=self.request.user,
            lines=form.lines(),
            **form.header(),
        )
        return donation.get_absolute_url()


class _DonationPdf(LoggedInView):
    template = ""
    name = ""

    def get(self, request: Any, pk: int) -> HttpResponse:
        donation: Donation = get_restricted_object(
            Donation.objects.select_related("community", "place"), request.user, "view", pk=pk
        )
        with translation.override("zh-hans"):
            lines = donation_lines(donation)
            day = donation.donated_on
            long_day = _("%(month)s/%(day)s/%(year)s") % {
                "year": day.year,
                "month": day.month,
                "day": day.day,
            }
        pdf = render_pdf(
            self.template,
            {
                "donation": donation,
                "lines": lines,
                "long_day": long_day,
                "community": donation.community,
            },
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{self.name}-{donation.pk}.pdf"'
        return response


class DonationReceiptView(_DonationPdf):
    template = "supplies/receipt.html"
    name = "receipt"


class DonationCertificateView(_DonationPdf):
    template = "supplies/certificate.html"
    name = "certificate"


class DonationSummaryView(PageView):
    """Donations per community: how many, from whom (kinds, veterans), what: no names."""

    model = Donation
    template_name = "supplies/summary.html"
    title = gettext_lazy("Donations per community")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        donations = Donation.objects.restrict(user).order_by()
        per = {
            row["community_id"]: row
            for row in donations.values("community_id").annotate(
                total=Count("pk"),
                veterans=Count("pk", filter=~Q(veteran="no")),
                companies=Count("pk", filter=~Q(donor_kind="person")),
            )
        }
        units: dict[int, list[str]] = defaultdict(list)
        from fangkong.supplies.models import Lot

        for row in (
            Lot.objects.filter(donation__in=donations)
            .order_by("community_id", "item__name")
            .values("community_id", "item__name", "item__base_unit")
            .annotate(n=Sum("quantity"))
        ):
            from fangkong.supplies.choices import Unit

            units[row["community_id"]].append(
                f"{row['item__name']} {row['n']}{Unit(row['item__base_unit']).label}"
            )
        areas = {a.pk: a for a in Area.objects.filter(pk__in=per)}
        context["rows"] = [
            {"community": areas[cid], **per[cid], "items": units.get(cid, [])}
            for cid in sorted(per, key=lambda c: areas[c].name)
        ]
        return context


# --- the ledger -----------------------------------------------------------------------------


class MovementListView(_ExportLink, ObjectListView):
    export_name = "movements"
    template_name = "supplies/movement_list.html"
    model = Movement
    queryset = Movement.objects.select_related("item", "place")
    filterset_class = MovementFilterSet
    table_class = MovementTable
    title = gettext_lazy("Stock ledger")


class IssueView(_CommunityForm):
    form_class = IssueForm
    model = Movement
    title = gettext_lazy("Issue supplies")
    success_message = gettext_lazy("The supplies are issued.")

    def get_initial(self) -> dict[str, Any]:
        assert self.community is not None
        return {"day": self.community.local_today()}

    def get_cancel_url(self) -> str:
        return reverse("supplies:balances")

    def perform(self, form: Any) -> str:
        rows = services.do_issue_stock(by=self.request.user, **form.service_data())
        return rows[0].get_absolute_url()


class TransferView(IssueView):
    form_class = TransferForm  # type: ignore[assignment]  # another form of the same page
    title = gettext_lazy("Send supplies to a place")
    success_message = gettext_lazy("The supplies are sent.")

    def perform(self, form: Any) -> str:
        rows = services.do_transfer_stock(by=self.request.user, **form.service_data())
        return rows[0].get_absolute_url()


class ReceiveView(IssueView):
    """Stock allocated from above or purchased, received into a place (lots, as a donation's
    lines are)."""

    form_class = ReceiveForm  # type: ignore[assignment]  # another form of the same page
    title = gettext_lazy("Receive an allocation or a purchase")
    success_message = gettext_lazy("The stock is received.")

    def perform(self, form: Any) -> str:
        lots = services.do_receive_stock(by=self.request.user, lines=form.lines(), **form.header())
        return lots[0].get_absolute_url()


class AdjustView(IssueView):
    """A lot's stock in a place corrected: counted, expired or damaged, with what was found."""

    form_class = AdjustForm  # type: ignore[assignment]  # another form of the same page
    title = gettext_lazy("Adjust the stock")
    success_message = gettext_lazy("The stock is adjusted.")

    def perform(self, form: Any) -> str:
        services.do_adjust_stock(by=self.request.user, **form.service_data())
        return reverse("supplies:movement_list")


class BalanceView(PageView):
    """Each item's balance in each place at the end of a day (today by default), from the
    ledger."""

    model = Stock
    template_name = "supplies/balances.html"
    title = gettext_lazy("Stock balances")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = user.scope()
        places = Place.objects.restrict(user).order_by("community_id", "kind", "name")
        place_id = self.request.GET.get("place", "")
        if place_id.isdigit() and len(place_id) < 18:
            places = places.filter(pk=int(place_id))
        places_list = list(places)
        community_ids = {p.community_id for p in places_list}
        today = next(iter(Area.objects.filter(pk__in=community_ids)), None)
        day_text = self.request.GET.get("day", "")
        try:
            day = dt.date.fromisoformat(day_text) if day_text else None
        except ValueError:
            day = None
        if day is None:
            day = today.local_today() if today is not None else dt.date.today()
        balances = services.balances_on(community_ids, day, place_ids=[p.pk for p in places_list])
        items = {
            i.pk: i
            for i in Item.objects.restrict(user)
            .filter(pk__in={k[0] for k in balances})
            .prefetch_related("packs")
        }
        minimums = {
            (s.item_id, s.place_id): s.minimum
            for s in Stock.objects.filter(place__in=places_list, minimum__gt=0)
        }
        rows = []
        for place in places_list:
            lines = [
                {
                    "item": items[item_id],
                    "shown": services.describe_quantity(items[item_id], total),
                    "low": total < minimums.get((item_id, pid), 0),
                }
                for (item_id, pid), total in sorted(balances.items())
                if pid == place.pk and item_id in items
            ]
            rows.append({"place": place, "lines": lines})
        context.update(
            day=day,
            rows=rows,
            everything=scope.everything,
            may_issue=user.has_action(Movement, "add"),
            may_export=user.has_action(Stock, "export"),
        )
        return context


# --- requests -------------------------------------------------------------------------------


class RequestListView(ObjectListView):
    model = SupplyRequest
    queryset = SupplyRequest.objects.select_related("place", "item")
    filterset_class = SupplyRequestFilterSet
    table_class = SupplyRequestTable
    title = gettext_lazy("Supply requests")


class RequestDetailView(ObjectDetailView):
    model = SupplyRequest
    queryset = SupplyRequest.objects.select_related("place", "item", "patrol_visit")
    template_name = "supplies/request_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            may_decide=self.object.status == RequestStatus.OPEN
            and user.has_action(SupplyRequest, "change"),
            refuse_form=RefuseForm(user=user, instance=self.object),
            movements=list(self.object.movements.select_related("item", "place")),
        )
        return context


class RequestAddView(_CommunityForm):
    form_class = RequestForm
    model = SupplyRequest
    title = gettext_lazy("Ask for supplies")
    success_message = gettext_lazy("The request is sent to the office.")

    def get_cancel_url(self) -> str:
        return reverse("supplies:request_list")

    def perform(self, form: Any) -> str:
        data = form.service_data()
        request = services.do_request_supplies(
            place=data["place"],
            item=data.get("item"),
            quantity=data.get("quantity"),
            unit=data.get("unit") or "",
            note=data.get("note") or "",
            by=self.request.user,
        )
        return request.get_absolute_url()


class RequestIssueView(ServiceFormView):
    form_class = IssueRequestForm
    model = SupplyRequest
    action = "change"
    title = gettext_lazy("Issue the request")
    success_message = gettext_lazy("The supplies are sent.")

    def prepare(self) -> None:
        self.supply_request: SupplyRequest = get_restricted_object(
            SupplyRequest.objects.select_related("place", "item"),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )
        if self.supply_request.status != RequestStatus.OPEN:
            raise Http404

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "community": self.supply_request.community,
            "instance": self.supply_request,
        }

    def get_initial(self) -> dict[str, Any]:
        req = self.supply_request
        initial: dict[str, Any] = {"day": req.community.local_today()}
        if req.item_id:
            assert req.item is not None
            initial.update(item=req.item, quantity=req.quantity, unit=req.item.base_unit)
        return initial

    def get_cancel_url(self) -> str:
        return self.supply_request.get_absolute_url()

    def perform(self, form: Any) -> str:
        data = form.service_data()
        services.do_issue_request(
            self.supply_request,
            expected_version=form.expected_version,
            by=self.request.user,
            **{k: v for k, v in data.items() if k != "note"},
        )
        return self.supply_request.get_absolute_url()


class RequestRefuseView(ServiceActionView):
    model = SupplyRequest
    form_class = RefuseForm
    success_message = gettext_lazy("The request is refused.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}

    def act(self, obj: SupplyRequest, data: dict[str, Any]) -> Any:
        return services.do_refuse_request(
            obj, reason=data["reason"], expected_version=data.get("version"), by=self.request.user
        )


# --- exports --------------------------------------------------------------------------------


class _ExportView(LoggedInView):
    """A list as .xlsx (``supplies.exports``): the page's filters, the ``export`` right."""

    what = ""

    def get(self, request: Any) -> HttpResponse:
        exporter = EXPORTERS[f"supplies.{self.what}"]
        if not request.user.has_action(exporter.model, "export"):
            raise PermissionDeniedError("export", _("Your role does not export the supplies."))
        data = request.GET.copy()
        data.pop("page", None)
        day = data.pop("day", [""])[-1]
        stamp = timezone.localtime(timezone.now())
        return start_export(
            request,
            exporter.name,
            {
                "format": "xlsx",
                "filters": filter_params(data),
                "day": day if len(day) == 10 else "",
                "at": stamp.replace(tzinfo=None).isoformat(),
            },
        )


class ItemExportView(_ExportView):
    what = "items"


class DonationExportView(_ExportView):
    what = "donations"


class MovementExportView(_ExportView):
    what = "movements"


class BalanceExportView(_ExportView):
    what = "balances"
