"""Decision documents as a county bureau stamps and files them: the serif font embedded, no
system footer (the generation time is in the PDF's metadata), the number of the numbering
service, no doubled brackets or unresolved alternatives, the seal and 签收 blocks where an
official document (公文) has them. Read back with pdftotext, pdffonts and pdfinfo."""

from __future__ import annotations

import html
import os
import re
import subprocess
from datetime import UTC, datetime

import pytest

from corrections import clock
from corrections.extensions import db
from corrections.paperwork import documents
from tests.helpers import user
from tests.paperwork.test_documents import _case, _sanction, _setup, pdf_text

UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PDF_OUT = os.environ.get("DOCUMENTS_PDF_OUT")  # set to keep the PDFs for looking at
GENERATED = datetime(2026, 11, 25, 10, 30, 5, tzinfo=UTC)  # 18:30:05 in Beijing
DOUBLED = re.compile(r"〔〔|〕〕|（（|））|\(\(|\)\)|（\s*）|〔\s*〕")


def _run(args: list[str], pdf: bytes) -> str:
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def _fonts(pdf: bytes) -> list[list[str]]:
    return [line.split() for line in _run(["pdffonts", "-"], pdf).splitlines()[2:]]


def _info(pdf: bytes) -> dict[str, str]:
    out = _run(["pdfinfo", "-isodates", "-"], pdf)
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


def _words(pdf: bytes) -> list[tuple[str, float, float, float, float, int]]:
    """(text, xMin, yMin, xMax, yMax, page) of every word pdftotext finds (points, y down)."""
    out = _run(["pdftotext", "-bbox", "-", "-"], pdf)
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if match:
            x0, y0, x1, y1 = (float(match.group(i)) for i in range(1, 5))
            words.append((html.unescape(match.group(5)), x0, y0, x1, y1, page))
    return words


def _find(words, text: str):
    hits = [w for w in words if text in w[0]]
    assert hits, (text, [w[0] for w in words])
    return hits[-1]


@pytest.fixture
def fixed_time(monkeypatch):
    monkeypatch.setattr(clock, "now_utc", lambda: GENERATED)


@pytest.mark.parametrize("kind", list(documents.KINDS))
def test_every_paper_is_fit_to_stamp_and_file(app, ctx, person_id, fixed_time, kind):
    """Given any kind of paper, then its fonts are embedded (AR PL UMing when installed, no
    unembedded Helvetica), it prints no footer, header or generation time, its metadata holds
    the generation time, it carries the number the numbering service issued, and no doubled
    brackets or unresolved alternatives like 判决（裁定、决定）."""
    case_id, record_id, _name = _setup(kind, person_id)
    db.session.commit()
    document, pdf = documents.generate(user("off1"), kind, case_id, record_id)
    db.session.commit()
    if PDF_OUT:
        os.makedirs(PDF_OUT, exist_ok=True)
        with open(os.path.join(PDF_OUT, f"{kind}.pdf"), "wb") as fh:
            fh.write(pdf)
    fonts = _fonts(pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # emb
    assert not any("Helvetica" in row[0] for row in fonts)
    if os.path.isfile(UMING):
        assert all("UMing" in row[0] for row in fonts), fonts
    text = pdf_text(pdf)
    flat = "".join(text.split())
    assert "生成时间" not in flat and "北京时间" not in flat and "矫正帮教管理系统" not in flat
    assert not re.search(r"第\d+页", flat) and not re.search(r"共\d+页", flat)
    assert document.number in flat
    from corrections import numbering

    issued = {n.number for n in numbering.issued_for("generated_document", document.id)}
    issued |= {n.number for n in numbering.issued_for("sanction", record_id or 0)}
    assert document.number in issued  # the numbering service's, not a second scheme
    assert not DOUBLED.search(flat), flat
    assert "裁定、决定" not in flat and "判决（" not in flat and "、假释、" not in flat
    assert "撤销缓刑、撤销假释" not in flat and "对判处管制的" not in flat
    info = _info(pdf)
    assert info["CreationDate"].startswith("2026-11-25T18:30:05+08")
    assert "2026-11-25 18:30" in info["Keywords"]
    assert info["Title"] == f"{documents.KINDS[kind].title} {document.number}"


def _generate(kind: str, case_id: int, record_id: int | None = None) -> bytes:
    db.session.commit()
    return documents.generate(user("off1"), kind, case_id, record_id)[1]


@pytest.mark.parametrize(
    "ctype, sentence, decision_document, expected",
    [
        (
            "probation",
            "有期徒刑一年六个月，缓刑二年",
            "（2026）示0101刑初12号",
            "经示范县人民法院以（2026）示0101刑初12号刑事判决书判处有期徒刑一年六个月，缓刑二年，",
        ),
        (
            "control",
            "管制一年",
            "",
            "经示范县人民法院判处管制一年，",
        ),
        (
            "parole",
            "有期徒刑五年，假释",
            "（（2026）浙01刑更88号）",  # typed with a second pair of brackets
            "经示范县人民法院以（2026）浙01刑更88号刑事裁定书裁定假释（原判有期徒刑五年），",
        ),
        (
            "temporary_release",
            "有期徒刑三年",
            "",
            "经示范县人民法院决定暂予监外执行（原判有期徒刑三年），",
        ),
    ],
)
def test_the_sentencing_verb_is_the_one_of_the_case(
    ctx, person_id, ctype, sentence, decision_document, expected
):
    """Given a case of each type, the papers name the document that sentenced the person
    and its verb (判处 / 裁定假释 / 决定暂予监外执行), the notice the duty of that document,
    and the announcement the last step of that type's ladder only."""
    extra = {"grounds": "medical"} if ctype == "temporary_release" else {}
    case = _case(
        person_id,
        correction_type=ctype,
        sentence=sentence,
        decision_body="示范县人民法院",
        decision_document=decision_document,
        **extra,
    )
    flat = "".join(pdf_text(_generate("announcement", case.id)).split())
    assert expected in flat
    assert not DOUBLED.search(flat)
    duty = documents.sentencing_document(case)
    assert f"履行{duty}等法律文书确定的义务" in flat
    steps = {"probation": "撤销缓刑", "parole": "撤销假释", "temporary_release": "收监执行"}
    for other, step in steps.items():
        assert (f"提请{step}" in flat) is (other == ctype), (other, flat)
    notice = "".join(pdf_text(_generate("notice", case.id)).split())
    assert f"履行{duty}确定的义务" in notice and expected.replace("经", "", 1) in notice


def test_the_seal_block_is_bottom_right_with_the_receipt_under_it(ctx, person_id):
    """Given a 警告决定书, the issuing organ and the date are in the right half of the page,
    the date four characters from the right margin and the organ centred over it, with room
    for the seal above them; the 签收 lines for the person come after them, on the left."""
    case = _case(person_id)
    sanction = _sanction(case, "warning")
    pdf = _generate("warning_decision", case.id, sanction.id)
    words = _words(pdf)
    page_width = 595.3
    right_margin = _find(words, "〔2026〕")[3]  # the number ends at the text's right edge
    date_word = _find(words, "2026年11月20日")
    organ = [w for w in words if w[0] == "本县司法局"][-1]
    assert date_word[1] > page_width / 2 and organ[1] > page_width / 2
    gap = right_margin - date_word[3]
    assert 4 * 12 - 3 <= gap <= 4 * 12 + 3  # 右空四字
    centre = (organ[1] + organ[3]) / 2
    assert abs(centre - (date_word[1] + date_word[3]) / 2) < 3
    last_body = _find(words, "严格遵守")
    assert organ[2] - last_body[4] > 40  # at least ~15 mm of room for the seal above
    receipt = _find(words, "签收")
    person = _find(words, "签名、捺印")
    assert receipt[2] > date_word[4] and person[2] > receipt[4]
    assert receipt[1] < page_width / 3


def test_requests_put_the_copy_line_under_the_seal_block(ctx, person_id):
    case = _case(person_id)
    sanction = _sanction(case, "police_penalty_request")
    words = _words(_generate("police_penalty_request", case.id, sanction.id))
    date_word = _find(words, "2026年11月")
    assert _find(words, "附件")[2] < date_word[2] < _find(words, "抄送")[2]
    assert not any("签收" in w[0] for w in words)  # served on the police, not the person


@pytest.mark.skipif(not os.path.isfile(WQY), reason="fonts-wqy-zenhei is not installed")
def test_without_the_serif_font_papers_print_in_the_reports_font(app, ctx, person_id, tmp_path):
    """Given CJK_SERIF_FONT_PATH names no file, the paper prints (embedded) in the font of
    every other paper."""
    old = app.config["CJK_SERIF_FONT_PATH"], app.config["CJK_FONT_PATH"]
    app.config["CJK_SERIF_FONT_PATH"] = str(tmp_path / "missing.ttc")
    app.config["CJK_FONT_PATH"] = WQY
    try:
        pdf = _generate("announcement", _case(person_id).id)
    finally:
        app.config["CJK_SERIF_FONT_PATH"], app.config["CJK_FONT_PATH"] = old
    fonts = _fonts(pdf)
    assert fonts and all("WenQuanYi" in r[0] and r[-5] == "yes" for r in fonts), fonts
    assert "社区矫正宣告书" in "".join(pdf_text(pdf).split())


@pytest.mark.parametrize(
    "raw, tidy",
    [
        ("示范县矫警〔〔2026〕〕1号", "示范县矫警〔2026〕1号"),
        ("以（（2026）示刑初1号）", "以（2026）示刑初1号"),  # a pair around a number
        ("（（2026））", "（2026）"),
        ("（（（2026）））", "（2026）"),
        ("居住地（）。", "居住地。"),
        ("〔 〕", ""),
        ("((a))", "(a)"),
        ("判处（有期徒刑一年）", "判处（有期徒刑一年）"),
        ("", ""),
    ],
)
def test_tidy_makes_doubled_brackets_single(raw, tidy):
    assert documents.tidy(raw) == tidy


@pytest.mark.parametrize(
    "kind, sanction_kind, ctype",
    [
        ("admonition_decision", "admonition", "probation"),
        ("warning_decision", "warning", "probation"),
        ("police_penalty_request", "police_penalty_request", "control"),
        ("revocation_probation", "revocation_request", "probation"),
        ("revocation_parole", "revocation_request", "parole"),
        ("custody_request", "custody_request", "temporary_release"),
    ],
)
def test_a_sanctions_paper_and_the_sanction_share_one_series(kind, sanction_kind, ctype):
    """One numbering scheme: the series a sanction is numbered in is the series (code and
    abbreviation) of the paper that prints it."""
    from corrections.supervision.services import sanction_series

    series = sanction_series(sanction_kind, ctype)
    assert (series.code, series.abbrev) == (kind, documents.KINDS[kind].abbrev)
