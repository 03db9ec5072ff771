"""Files for and from the money side: the finance export (CSV, XLSX) and voucher code uploads.

The finance export lists every ledger entry, corrections included, so finance
can follow each change; it never holds contact details (claims are not in the
ledger, only what they cost). Cells that a spreadsheet would run as formulas
are neutralised. No Flask here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from consent_kit.incentives.ledger import N_, LedgerEntry, current, export_text, finance_order
from consent_kit.results.export import neutralise

COLUMNS = ("entry", "date", "category", "amount", "currency", "status", "note", "recorded_by",
           "recorded_at", "corrects", "standing", "source", "survey", "person", "hours", "rate")
#: The most codes one upload may hold, and the longest code (a voucher code is short).
MAX_CODES, MAX_CODE_LENGTH = 20000, 200


class VoucherFileError(ValueError):
    """A voucher file that can't be used; the message names the line and the fix.

    ``template`` (marked with ``N_``) and ``params`` let the page translate it.
    """

    def __init__(self, template: str, **params):
        super().__init__(template % params)
        self.template, self.params = template, params


def _rows(entries: Iterable[LedgerEntry]) -> Iterable[list]:
    entries = finance_order(entries)  # never claims in the order they were made
    standing = {entry.id for entry in current(entries)}
    for e in entries:
        yield [e.id, e.date, e.category, e.amount, e.currency, e.status, e.note, e.recorded_by,
               e.recorded_at, e.replaces, "yes" if e.id in standing else "no", e.source,
               e.survey_id, e.person, e.hours, e.rate]


def ledger_csv(entries: Iterable[LedgerEntry]) -> bytes:
    """The ledger as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in _rows(entries):
        writer.writerow([str(v) if isinstance(v, Decimal) else neutralise(export_text(str(v)))
                         for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def ledger_xlsx(entries: Iterable[LedgerEntry]) -> bytes:
    """The ledger as an Excel workbook; amounts are numbers with the currency's decimal places."""
    from openpyxl import Workbook  # here, not at start-up: only this download needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "Ledger"
    sheet.append(list(COLUMNS))
    for row in _rows(entries):
        cells = [v if isinstance(v, Decimal) else neutralise(export_text(str(v))) for v in row]
        sheet.append(cells)
        amount = sheet.cell(row=sheet.max_row, column=COLUMNS.index("amount") + 1)
        places = max(0, -row[3].as_tuple().exponent)
        amount.number_format = "0." + "0" * places if places else "0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_voucher_codes(data: bytes, filename: str = "the file") -> list[str]:
    """The codes in an uploaded file: one per line, or the first column of a CSV.

    A first line such as "code" or "voucher" is taken as a heading. Blank
    lines are skipped; a code twice in the file is an error naming both lines,
    so the researchers can check the file they were sent.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VoucherFileError(N_("%(file)s isn't saved as UTF-8 text. Save it again as "
                                  "'CSV UTF-8' and upload it again."), file=filename) from None
    # Old Macs ended lines with "\r" alone: the csv reader would refuse them.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:  # e.g. a quote left open: say so, never a server error
        raise VoucherFileError(N_("%(file)s can't be read as a list of codes. Put one code on "
                                  "each line, with no quote marks."), file=filename) from None
    codes: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        code = row[0].strip() if row else ""
        if not code or (number == 1 and code.lower() in ("code", "codes", "voucher", "vouchers",
                                                          "voucher code", "voucher codes")):
            continue
        if len(code) > MAX_CODE_LENGTH:
            raise VoucherFileError(N_("%(file)s, line %(line)s: this is too long for a voucher "
                                      "code. Put one code on each line, in the first column."),
                                   file=filename, line=number)
        if code in codes:
            raise VoucherFileError(N_("%(file)s, line %(line)s: the code %(code)s is also on "
                                      "line %(first)s. Each code can be given out only once: "
                                      "remove one and upload the file again."),
                                   file=filename, line=number, code=code, first=codes[code])
        codes[code] = number
        if len(codes) > MAX_CODES:
            raise VoucherFileError(N_("%(file)s has more than %(most)s codes. Split it into "
                                      "smaller files."), file=filename, most=MAX_CODES)
    if not codes:
        raise VoucherFileError(N_("%(file)s has no codes in it. Put one code on each line."),
                               file=filename)
    return list(codes)
