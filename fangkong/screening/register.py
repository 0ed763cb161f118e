"""The screening register (排查登记表) that ships with fangkong, as data.

A community gets its own copy on first use (``services.default_questionnaire``) and edits it
freely from there; the copy starts at version 1 of these questions. The questions follow
the registers communities kept in early 2020: travel and return, transport and train or
flight number, contact with cases in the last 14 days, fever and other symptoms, today's
temperature, quarantine status, and special needs. Question text is data (in Chinese, as
residents are asked); the codes are what answers are stored under.
"""

from __future__ import annotations

from typing import TypedDict

from fangkong.screening.choices import AlertKind, AlertLevel, QuestionKind
from fangkong.screening.questionnaires import QuestionSpec

NAME = "排查登记表"
DESCRIPTION = "社区电话排查标准登记表：行程、接触史、症状、体温、隔离状态与特殊需求。"


def _choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


class _Condition(TypedDict):
    show_if_code: str
    show_if_values: list[str]


def default_questions() -> list[QuestionSpec]:
    """A fresh list each call: callers may change what they get."""
    travelled: _Condition = {"show_if_code": "travelled", "show_if_values": ["yes"]}
    return [
        QuestionSpec("travelled", "近14天是否离开过本市？", QuestionKind.YES_NO, required=True),
        QuestionSpec("return_date", "返回本市日期", QuestionKind.DATE, required=True, **travelled),
        QuestionSpec(
            "origin", "从何地返回（省、市）", QuestionKind.TEXT, required=True, **travelled
        ),
        QuestionSpec(
            "high_risk_area",
            "是否到过或途经中高风险地区？",
            QuestionKind.YES_NO,
            required=True,
            alert_values=["yes"],
            alert_kind=AlertKind.TRAVEL,
            alert_level=AlertLevel.HIGH,
            **travelled,
        ),
        QuestionSpec(
            "transport",
            "返回交通方式",
            QuestionKind.SINGLE,
            required=True,
            choices=_choices(
                ("car", "自驾"),
                ("train", "火车/高铁"),
                ("plane", "飞机"),
                ("coach", "长途客车"),
                ("other", "其他"),
            ),
            **travelled,
        ),
        QuestionSpec(
            "trip_number",
            "车次/航班号",
            QuestionKind.TEXT,
            help_text="如 G1234、CZ6101",
            show_if_code="transport",
            show_if_values=["train", "plane"],
        ),
        QuestionSpec(
            "contact",
            "近14天是否接触过确诊或疑似病例？",
            QuestionKind.YES_NO,
            required=True,
            alert_values=["yes"],
            alert_kind=AlertKind.CONTACT,
            alert_level=AlertLevel.URGENT,
        ),
        QuestionSpec(
            "fever",
            "家中是否有人发热？",
            QuestionKind.YES_NO,
            required=True,
            alert_values=["yes"],
            alert_kind=AlertKind.FEVER,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec(
            "symptoms",
            "其他症状",
            QuestionKind.MULTIPLE,
            choices=_choices(
                ("cough", "咳嗽"),
                ("fatigue", "乏力"),
                ("sore_throat", "咽痛"),
                ("breath", "呼吸困难"),
                ("diarrhoea", "腹泻"),
                ("smell", "嗅觉味觉减退"),
                ("none", "无"),
            ),
            alert_values=["breath"],
            alert_kind=AlertKind.SYMPTOMS,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec(
            "temperature",
            "今日体温（℃）",
            QuestionKind.TEMPERATURE,
            required=True,
            help_text="家中最高体温",
            alert_kind=AlertKind.FEVER,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec(
            "quarantine",
            "隔离状态",
            QuestionKind.SINGLE,
            required=True,
            choices=_choices(
                ("none", "未隔离"),
                ("home", "居家隔离中"),
                ("centralised", "集中隔离中"),
                ("released", "已解除隔离"),
            ),
        ),
        QuestionSpec(
            "special_needs",
            "特殊需求",
            QuestionKind.MULTIPLE,
            choices=_choices(
                ("elderly_alone", "独居老人"),
                ("chronic", "慢性病需长期用药"),
                ("pregnant", "孕产妇"),
                ("disabled", "残疾"),
                ("food", "缺少食物"),
                ("medicine", "缺少药品"),
                ("none", "无"),
            ),
            alert_values=["food", "medicine"],
            alert_kind=AlertKind.NEEDS,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec("notes", "备注", QuestionKind.TEXT),
    ]
