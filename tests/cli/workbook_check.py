#!/usr/bin/python3
"""Reads a workbook dxledger exported with openpyxl, as an independent
reader would, and checks what HQ sees in Excel; or edits one cell, as HQ
would in Excel.

  workbook_check.py check FILE.xlsx
  workbook_check.py set FILE.xlsx OUT.xlsx SHEET CELL VALUE
"""
import sys
import unicodedata

import openpyxl

SHEETS = ["主な目標", "全目標", "出力情報"]
HEADER = ["No.", "部局名", "目標", "評価", "成果指標", "取組内容", "今後の課題等"]
RATING_RGB = {"A": "1A7F37", "B": "2F6FDD", "C": "D4A017", "D": "CF222E"}
MOST_WIDTH = [6, 16, 36, 6, 44, 56, 40, 12]


def width(line):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def check_table(sheet, header, problems):
    def problem(what):
        problems.append(f"{sheet.title}: {what}")

    cells = [c.value for c in sheet[1]]
    if cells != header:
        problem(f"header {cells}")
    if sheet.freeze_panes != "A2":
        problem(f"frozen at {sheet.freeze_panes}, not below the header row")
    last = openpyxl.utils.get_column_letter(len(header))
    if sheet.auto_filter.ref != f"A1:{last}{sheet.max_row}":
        problem(f"autofilter {sheet.auto_filter.ref}")
    for cell in sheet[1]:
        if not cell.font.b or cell.fill.fgColor.rgb[-6:].upper() != "EAEEF2":
            problem(f"header cell {cell.coordinate} is not bold on grey")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            column = cell.column - 1
            if column == 3:
                letter = cell.value or ""
                if letter and (cell.fill.fgColor.rgb[-6:].upper() != RATING_RGB[letter]
                               or cell.font.color.rgb[-6:].upper() != "FFFFFF"):
                    problem(f"{cell.coordinate} rating {letter} is not coloured as on the page")
            elif isinstance(cell.value, str) and not cell.alignment.wrap_text:
                problem(f"{cell.coordinate} does not wrap")
            if cell.alignment.vertical != "top":
                problem(f"{cell.coordinate} is not aligned to the top")
    for index in range(len(header)):
        letter = openpyxl.utils.get_column_letter(index + 1)
        lines = [line for row in sheet.iter_rows(min_col=index + 1, max_col=index + 1)
                 for line in str(row[0].value or "").split("\n")]
        needed = min(max(width(line) for line in lines), MOST_WIDTH[index])
        got = sheet.column_dimensions[letter].width
        if not needed <= got <= MOST_WIDTH[index] + 2:
            problem(f"column {letter} is {got} wide for content {needed} wide")
    setup = sheet.page_setup
    # One page wide (fitToWidth defaults to 1 in the XML), as many long.
    fit = sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and \
        str(setup.fitToHeight) == "0"
    if setup.orientation != "landscape" or str(setup.paperSize) != "9" or not fit or \
            sheet.print_title_rows != "$1:$1":
        problem(f"prints {setup.orientation} on paper {setup.paperSize}, "
                f"{setup.fitToWidth} page wide, titles {sheet.print_title_rows}")


def check(path):
    workbook = openpyxl.load_workbook(path)
    problems = []
    if workbook.sheetnames != SHEETS:
        problems.append(f"sheets {workbook.sheetnames}")
    else:
        check_table(workbook["主な目標"], HEADER, problems)
        check_table(workbook["全目標"], HEADER + ["主な目標No."], problems)
        about = {row[0]: row[1] for row in workbook["出力情報"].iter_rows(values_only=True)}
        if about.get("年度") != 2021 or about.get("年度（和暦）") != "令和3年度":
            problems.append(f"出力情報: year {about.get('年度')} {about.get('年度（和暦）')}")
        if not isinstance(about.get("ログ位置"), int) or about["ログ位置"] <= 0:
            problems.append(f"出力情報: log position {about.get('ログ位置')}")
        note = (about.get("チェックポイント") or "").split("\n")
        if len(note) < 5 or note[1] != str(about.get("ログ位置")) or not note[4].startswith("— "):
            problems.append(f"出力情報: checkpoint {note}")
        if not str(about.get("時点", "")).endswith(" JST"):
            problems.append(f"出力情報: as of {about.get('時点')}")
    for problem in problems:
        print(problem)
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


def edit(path, out, sheet, cell, value):
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(out)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    sys.exit(edit(*sys.argv[2:7]))
