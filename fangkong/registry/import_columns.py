"""The resident register's columns and what its cells say: the header names and their aliases,
the template, the Chinese labels of sex, relation, residency and tags, and the reading of one
cell (an ID number Excel mangled, a phone, a label). Data and pure functions: the import
(``fangkong.registry.imports``) and the template export use them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.core.imports.places import compact
from fangkong.core.imports.rows import RowProblem
from fangkong.core.personal_data import (
    mask_id_number,
    mask_phone,
)
from fangkong.core.validators import (
    validate_phone,
    validate_resident_id,
)
from fangkong.registry.choices import PersonTag, Relation, Residency, Sex
from fangkong.registry.models import Person

# --- Columns --------------------------------------------------------------------------------

#: Each field's header in the template first, then the other names registers use for it.
HEADERS: dict[str, tuple[str, ...]] = {
    "building": ("楼栋", "楼号", "楼栋号", "楼栋名称", "楼栋编号", "楼宇", "楼", "栋", "building"),
    "unit": ("单元", "单元号", "unit"),
    "room": ("房号", "房间号", "门牌号", "室", "房间", "房屋号", "room"),
    "name": ("姓名", "居民姓名", "人员姓名", "name"),
    "sex": ("性别", "sex", "gender"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "证件号码",
        "公民身份号码",
        "身份证",
        "证件号",
        "id number",
        "id",
    ),
    "phone": ("手机号", "联系电话", "手机号码", "电话", "手机", "电话号码", "联系方式", "phone"),
    "relation": ("与户主关系", "户主关系", "关系", "与户主的关系", "relation to head", "relation"),
    "residency": ("居住类型", "人员类型", "居住情况", "居住状态", "人口类型", "residency"),
    "tags": ("标签", "人员标签", "重点人群", "特殊人群", "tags"),
    "notes": ("备注", "notes"),
}
#: The template's columns, in order (备注 is read when present but not in the template).
TEMPLATE_FIELDS = (
    "building",
    "unit",
    "room",
    "name",
    "sex",
    "id_number",
    "phone",
    "relation",
    "residency",
    "tags",
)
TEMPLATE_HEADERS = tuple(HEADERS[f][0] for f in TEMPLATE_FIELDS)
REQUIRED_FIELDS = ("building", "room", "name")
#: The template's example row is recognised by this name and skipped.
EXAMPLE_NAME = "示例张三（导入前请删除此行）"
#: The template's second sheet: each column explained for the worker filling it in.
TEMPLATE_GUIDE_HEADER = ("列名", "必填", "说明", "也认得的列名")
TEMPLATE_GUIDE = (
    (
        "楼栋",
        "是",
        "本社区的楼号。1、01、1号楼、1栋、1#、东园1号楼 都指同一栋楼。"
        "楼栋须已在系统中登记；系统中没有的楼栋，该行不导入。",
        "楼号、楼栋号",
    ),
    (
        "单元",
        "多单元楼必填",
        "单元号，如 2 或 2单元。也可以写在房号里：2-502、2单元502。",
        "单元号",
    ),
    (
        "房号",
        "是",
        "如 502（5 楼）。该房间还没有住户时，导入时自动建立住户。",
        "房间号、门牌号、室",
    ),
    ("姓名", "是", "居民姓名。", "居民姓名"),
    ("性别", "否", "男 或 女。填了身份证号的，以身份证号为准。", ""),
    (
        "身份证号",
        "否",
        "18 位居民身份证号码。本列已设为文本格式，请勿改为数字，"
        "否则 Excel 会把号码变成 1.10101E+17 并丢掉末几位。"
        "同一号码在文件中只导入第一次出现的那一行。",
        "身份证号码、证件号码、公民身份号码",
    ),
    (
        "手机号",
        "否",
        "11 位手机号，或带区号的固定电话，如 024-23456789。",
        "联系电话、手机号码、电话",
    ),
    (
        "与户主关系",
        "否",
        "户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、儿媳/女婿、租户、其他。"
        "住户还没有户主时，关系为户主的人成为户主。",
        "户主关系、关系",
    ),
    ("居住类型", "否", "常住、租户、流动、人户分离。不填为常住。", "人员类型、居住情况"),
    ("标签", "否", "独居老人、慢性病、孕产妇、残疾、退役军人、低保，多个用顿号隔开。", "人员标签"),
    ("备注", "否", "不在模板中；有这一列时一并导入。", ""),
    (
        "",
        "",
        "同一文件可以重复导入：已登记的人（按身份证号，没有身份证号的按住户和姓名）"
        "不会重复建立，变化的内容会更新；空白单元格不会清除已登记的内容。",
        "",
    ),
    ("", "", "第 2 行是示例，导入时自动跳过，也可以删除。", ""),
)

# --- Labels: what the cells say --------------------------------------------------------------

SEX_LABELS: dict[str, str] = {
    "男": Sex.MALE,
    "女": Sex.FEMALE,
    "未知": Sex.UNKNOWN,
    "不详": Sex.UNKNOWN,
    "m": Sex.MALE,
    "f": Sex.FEMALE,
    "male": Sex.MALE,
    "female": Sex.FEMALE,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
}
RELATION_LABELS: dict[str, str] = {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "长子": Relation.CHILD,
    "次子": Relation.CHILD,
    "长女": Relation.CHILD,
    "次女": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "父": Relation.PARENT,
    "母": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD,
    "外孙子": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "祖父": Relation.GRANDPARENT,
    "祖母": Relation.GRANDPARENT,
    "外祖父": Relation.GRANDPARENT,
    "外祖母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "兄": Relation.SIBLING,
    "弟": Relation.SIBLING,
    "姐": Relation.SIBLING,
    "妹": Relation.SIBLING,
    "哥哥": Relation.SIBLING,
    "弟弟": Relation.SIBLING,
    "姐姐": Relation.SIBLING,
    "妹妹": Relation.SIBLING,
    "儿媳/女婿": Relation.CHILD_IN_LAW,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "媳妇": Relation.CHILD_IN_LAW,
    "租户": Relation.TENANT,
    "租客": Relation.TENANT,
    "其他": Relation.OTHER,
    "其他亲属": Relation.OTHER,
    "保姆": Relation.OTHER,
}
RESIDENCY_LABELS: dict[str, str] = {
    "常住": Residency.PERMANENT,
    "常住人口": Residency.PERMANENT,
    "户籍": Residency.PERMANENT,
    "户籍人口": Residency.PERMANENT,
    "本地": Residency.PERMANENT,
    "租户": Residency.TENANT,
    "租住": Residency.TENANT,
    "租房": Residency.TENANT,
    "流动": Residency.FLOATING,
    "流动人口": Residency.FLOATING,
    "外来": Residency.FLOATING,
    "外来人口": Residency.FLOATING,
    "人户分离": Residency.LIVES_ELSEWHERE,
    "户在人不在": Residency.LIVES_ELSEWHERE,
}
TAG_LABELS: dict[str, str] = {
    "独居老人": PersonTag.ELDERLY_ALONE,
    "慢性病": PersonTag.CHRONIC,
    "慢病": PersonTag.CHRONIC,
    "孕产妇": PersonTag.PREGNANT,
    "孕妇": PersonTag.PREGNANT,
    "产妇": PersonTag.PREGNANT,
    "残疾": PersonTag.DISABLED,
    "残疾人": PersonTag.DISABLED,
    "退役军人": PersonTag.VETERAN,
    "复员军人": PersonTag.VETERAN,
    "低保": PersonTag.LOW_INCOME,
    "低保户": PersonTag.LOW_INCOME,
}
#: The label an export writes for each code (the first Chinese label above).
SEX_NAMES: dict[str, str] = {Sex.MALE: "男", Sex.FEMALE: "女", Sex.UNKNOWN: ""}
RELATION_NAMES: dict[str, str] = {code: label for label, code in reversed(RELATION_LABELS.items())}
RESIDENCY_NAMES: dict[str, str] = {
    code: label for label, code in reversed(RESIDENCY_LABELS.items())
}
TAG_NAMES: dict[str, str] = {code: label for label, code in reversed(TAG_LABELS.items())}
TAG_SEPARATORS = re.compile(r"[,，、;；/|\s]+")


def _with_codes(labels: dict[str, str], choices: Iterable[str]) -> dict[str, str]:
    """Labels, plus each code itself (``tenant``) and its English name (``Tenant``)."""
    table = {compact(k): v for k, v in labels.items()}
    for code in choices:
        table.setdefault(compact(code), code)
        table.setdefault(compact(code.replace("_", " ")), code)
    return table


_SEX = _with_codes(SEX_LABELS, Sex.values)
_RELATION = _with_codes(RELATION_LABELS, Relation.values)
_RESIDENCY = _with_codes(RESIDENCY_LABELS, Residency.values)
_TAG = _with_codes(TAG_LABELS, PersonTag.values)

#: What Excel leaves of a long number: 1.10105E+17, 110101199003071000.0.
FLOAT_RE = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$|^\d+\.\d+$")
MAX_REPORTED_ERRORS = 10_000


# --- Reading cells --------------------------------------------------------------------------


def _excel_number_message(what: str) -> str:
    return _(
        "Excel turned this %(what)s into a number and lost its last digits. Format the "
        "column as text (or type an apostrophe ' before the number) and enter it again."
    ) % {"what": what}


def parse_id_number(text: str, numeric: bool) -> str:
    """A valid, normalised resident ID number from a cell, or RowProblem saying what is wrong."""
    text = text.strip().lstrip("'")
    if not text:
        return ""
    if numeric or FLOAT_RE.match(text):
        raise RowProblem("id_excel", _excel_number_message(_("ID number")), mask_id_number(text))
    try:
        return validate_resident_id(text)
    except ValidationError as exc:
        code = exc.code or "id_invalid"
        digits = unicodedata.normalize("NFKC", text).replace(" ", "")
        if code == "id_checksum" and digits.isdigit() and digits.endswith("000"):
            # 110101199003071234 shown by Excel as a number: 110101199003071000.
            raise RowProblem(
                "id_excel", _excel_number_message(_("ID number")), mask_id_number(text)
            ) from None
        if code == "id_format" and digits.isdigit() and len(digits) == 15:
            raise RowProblem(
                "id_old",
                _(
                    "This is an old 15-digit ID number: enter the 18-digit number of "
                    "the current card."
                ),
                mask_id_number(text),
            ) from None
        raise RowProblem(code, exc.messages[0], mask_id_number(text)) from None


def parse_phone(text: str) -> str:
    text = text.strip().lstrip("'")
    if not text:
        return ""
    if FLOAT_RE.match(text):
        raise RowProblem("phone_excel", _excel_number_message(_("phone number")), mask_phone(text))
    try:
        return validate_phone(text)
    except ValidationError as exc:
        raise RowProblem("phone_invalid", exc.messages[0], mask_phone(text)) from None


def _label(text: str, table: dict[str, str], code: str, message: Callable[[], str]) -> str | None:
    key = compact(text)
    if not key:
        return None
    if key not in table:
        # The message is translated only when needed: most rows are fine.
        raise RowProblem(code, message() % {"value": text.strip()}, text.strip())
    return table[key]


def parse_sex(text: str) -> str | None:
    return _label(text, _SEX, "sex_label", lambda: _("%(value)s is not a sex: write 男 or 女."))


def parse_relation(text: str) -> str | None:
    return _label(
        text,
        _RELATION,
        "relation_label",
        lambda: _(
            "%(value)s is not a relation we know: write 户主, 配偶, 子女, 父母, "
            "孙子女, 祖父母, 兄弟姐妹, 儿媳/女婿, 租户 or 其他."
        ),
    )


def parse_residency(text: str) -> str | None:
    return _label(
        text,
        _RESIDENCY,
        "residency_label",
        lambda: _("%(value)s is not a residency we know: write 常住, 租户, 流动 or 人户分离."),
    )


def parse_tags(text: str) -> str | None:
    if not text.strip():
        return None
    codes = []
    for part in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if not part:
            continue
        code = _TAG.get(compact(part))
        if code is None:
            raise RowProblem(
                "tag_label",
                _(
                    "%(value)s is not a tag we know: write 独居老人, 慢性病, 孕产妇, 残疾, "
                    "退役军人 or 低保, separated by 、"
                )
                % {"value": part},
                part,
            )
        codes.append(code)
    return Person.encode_tags(codes)
