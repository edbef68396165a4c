"""The themes workbook (`--format themes`): the workshop's analysis as a spreadsheet.

Sheets: "Themes" (one row per theme: category, number, "I" statement, cards,
people, people by perspective and by segment, votes, dots, carried forward),
"Votes" (the "not working" themes, most votes first), "Cards" (every card with
its theme, or parked, or not called) for whoever wants to sort and filter.
Every text goes through `safe_cell` and `write_string`, as in the card export.
"""

from __future__ import annotations

import os
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]

from admin.exports.categories import LABELS
from admin.exports.cells import safe_cell
from admin.services.workshop_report import PERSPECTIVES, WorkshopReport
from bot.model import CATEGORIES


def write_themes(
    report: WorkshopReport, path_or_stream: str | os.PathLike[str] | IO[bytes]
) -> None:
    target: str | IO[bytes] = (
        os.fspath(path_or_stream)
        if isinstance(path_or_stream, str | os.PathLike)
        else path_or_stream
    )
    workbook = xlsxwriter.Workbook(
        target,
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    _themes_sheet(workbook.add_worksheet("Themes"), report, bold, wrap)
    _votes_sheet(workbook.add_worksheet("Votes"), report, bold, wrap)
    _cards_sheet(workbook.add_worksheet("Cards"), report, bold, wrap)
    workbook.close()


def _perspective_names() -> list[str]:
    return list(dict.fromkeys(PERSPECTIVES.values()))


def _themes_sheet(sheet: Any, report: WorkshopReport, bold: Any, wrap: Any) -> None:
    perspectives = _perspective_names()
    header = [
        "category", "number", "theme", "cards", "people",
        *[f"people: {p}" for p in perspectives],
        *[f"segment: {s}" for s in report.segments],
        "votes", "paper dots", "total votes", "carried forward",
    ]  # fmt: skip
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, bold)
    sheet.set_column(0, 0, 22)
    sheet.set_column(2, 2, 44, wrap)
    sheet.set_column(3, len(header) - 1, 12)
    sheet.freeze_panes(1, 3)
    r = 1
    for category in CATEGORIES:
        for theme in report.themes[category]:
            values: list[str | int] = [
                LABELS[category], theme.number, safe_cell(theme.name), theme.card_count,
                theme.people,
                *[theme.by_perspective.get(p, 0) for p in perspectives],
                *[theme.by_segment.get(s, 0) for s in report.segments],
            ]  # fmt: skip
            is_vote = category == "not_working"
            values += (
                [theme.votes, theme.dots, theme.total_votes, "yes" if theme.carried_forward else ""]
                if is_vote
                else ["", "", "", ""]
            )
            for col, value in enumerate(values):
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                elif value:
                    sheet.write_string(r, col, value, wrap)
            r += 1
    if r > 1:
        sheet.autofilter(0, 0, r - 1, len(header) - 1)


def _votes_sheet(sheet: Any, report: WorkshopReport, bold: Any, wrap: Any) -> None:
    header = ["rank", "number", "theme", "votes", "paper dots", "total", "carried forward"]
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, bold)
    sheet.set_column(2, 2, 44, wrap)
    sheet.write_string(0, len(header) + 1, f"ballots from phones and texts: {report.ballots}")
    for r, theme in enumerate(report.ranked_votes(), start=1):
        sheet.write_number(r, 0, r)
        sheet.write_number(r, 1, theme.number)
        sheet.write_string(r, 2, safe_cell(theme.name), wrap)
        sheet.write_number(r, 3, theme.votes)
        sheet.write_number(r, 4, theme.dots)
        sheet.write_number(r, 5, theme.total_votes)
        if theme.carried_forward:
            sheet.write_string(r, 6, "yes")


def _cards_sheet(sheet: Any, report: WorkshopReport, bold: Any, wrap: Any) -> None:
    header = ["reference", "category", "theme", "card_text", "perspective", "segment"]
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, bold)
    sheet.set_column(2, 3, 44, wrap)
    sheet.set_column(4, 5, 16)
    r = 1
    for category in CATEGORIES:
        placed = [(t.name, c) for t in report.themes[category] for c in t.cards]
        placed += [("(parked)", c) for c in report.parked[category]]
        placed += [("(not called)", c) for c in report.uncalled[category]]
        for theme, card in sorted(placed, key=lambda item: item[1].reference):
            s = card.statement
            sheet.write_string(r, 0, card.reference)
            sheet.write_string(r, 1, LABELS[category])
            sheet.write_string(r, 2, safe_cell(theme), wrap)
            sheet.write_string(r, 3, safe_cell(s.card_text), wrap)
            sheet.write_string(r, 4, PERSPECTIVES.get(s.perspective, s.perspective or ""))
            if s.segment:
                sheet.write_string(r, 5, safe_cell(s.segment))
            r += 1
    if r > 1:
        sheet.autofilter(0, 0, r - 1, len(header) - 1)
