"""The A4 page the paper version is drawn on (fpdf), apart so fpdf loads only when a PDF is made."""

from __future__ import annotations

from fpdf import FPDF

from consent_kit import FONTS


class Paper(FPDF):
    """An A4 page with the bundled Unicode font, at a chosen text size (12 pt, 16 pt large)."""

    def __init__(self, size: int):
        super().__init__(format="A4")
        self.size = size
        fonts = FONTS
        self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, 20)
        self.set_creator("consent-kit")
        # Joined letters and reading order for Arabic and other scripts that need shaping.
        self.set_text_shaping(True)

    def _step(self) -> float:
        return self.size * 0.55

    def heading(self, words: str, scale: float) -> None:
        self.ln(2)
        self.set_font("DejaVu", "B", self.size * scale)
        self.multi_cell(0, self._step() * scale, words, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def text(self, words: str) -> None:
        if not words:
            return
        self.set_font("DejaVu", "", self.size)
        self.multi_cell(0, self._step(), words, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def box_line(self, words: str) -> None:
        """A tick box, then the words beside it."""
        self.set_font("DejaVu", "", self.size)
        side = self.size * 0.4
        y = self.get_y()
        if y + side + 4 > self.page_break_trigger:
            self.add_page()
            y = self.get_y()
        self.rect(self.l_margin, y + 0.5, side, side)
        self.set_x(self.l_margin + side + 3)
        self.multi_cell(0, self._step(), words, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def write_lines(self, label: str, count: int) -> None:
        """Lines to write on, with a small label above them."""
        self.set_font("DejaVu", "", self.size * 0.8)
        self.cell(0, self._step(), label, new_x="LMARGIN", new_y="NEXT")
        for _ in range(count):
            self.ln(self._step() * 1.6)
            if self.get_y() > self.page_break_trigger:
                self.add_page()
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
