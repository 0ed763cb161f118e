"""Inquiries and FAQ entries made as the office makes them: through the services."""

from __future__ import annotations

from typing import Any

import factory

from fangkong.inquiries.choices import Category, Channel
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.services import do_create_faq_entry, do_record_inquiry


class InquiryFactory(factory.django.DjangoModelFactory):
    """A question taken down by phone in ``community`` (by the system unless ``by``)."""

    class Meta:
        model = Inquiry

    community: Any = None
    channel = Channel.PHONE
    category = Category.PASSES
    question = "出入证丢了怎么办？"

    @classmethod
    def _create(cls, model_class: type[Inquiry], *args: Any, **kwargs: Any) -> Inquiry:
        community = kwargs.pop("community")
        by = kwargs.pop("by", None)
        return do_record_inquiry(community, by=by, **kwargs)


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    area: Any = None
    category = Category.PASSES
    question = "每户每天能出去几次？"
    answer = "每户每两天可安排一人外出采购一次。"
    published = True

    @classmethod
    def _create(cls, model_class: type[FaqEntry], *args: Any, **kwargs: Any) -> FaqEntry:
        area = kwargs.pop("area")
        by = kwargs.pop("by", None)
        return do_create_faq_entry(area, by=by, **kwargs)
