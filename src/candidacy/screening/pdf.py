"""The printable screening worksheet (fpdf2, A4 landscape), drawn without network or system fonts.

Per dose: the result sentence and its numbers, function lost, adverse events and deviations; a chart
of tone, spasms and function against time drawn with fpdf2's own lines and circles, with a table of
the same numbers beside it; then every measurement typed in. The plan with the chosen definition
(and any later change with its reason) comes first, the team's confirmation block last. The font is
the one the record PDF ships (Source Sans Pro, OFL, from a PyPI package), so µ and ≥ render.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from candidacy.screening.chart import chart_points, series_names, table
from candidacy.screening.protocol import Protocol
from candidacy.screening.result import DoseResult, ScreeningResult, compute_result
from candidacy.screening.worksheet import DoseEntry, Worksheet
from candidacy.typeface import FAMILY, FIXED_DATE, add_typeface

__all__ = ["render_worksheet_pdf"]

#: Colour-blind-safe palette (Okabe-Ito); function series are also dashed.
_COLOURS = [(0, 114, 178), (86, 180, 233), (213, 94, 0), (0, 158, 115), (204, 121, 167), (230, 159, 0), (0, 0, 0)]


class _Sheet(FPDF):
    def __init__(self, label: str, protocol: Protocol) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.label = label or "(no case label)"
        self.protocol = protocol
        add_typeface(self)
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(f"Screening worksheet: case {self.label}")
        self.set_creator("candidacy")

    def header(self) -> None:
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, f"Case {self.label}  ·  {self.protocol.id} {self.protocol.version}")
        self.cell(0, 5, "Decision support for clinician review, not a decision", align="R")
        self.ln(7)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, f"Screening worksheet, case {self.label}", new_x=XPos.LMARGIN)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 35:
            self.add_page()
        self.ln(1.5)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)

    def para(self, text: str, size: float = 10, style: str = "", indent: float = 0) -> None:
        self.set_font(FAMILY, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.47, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def labelled(self, label: str, text: str, indent: float = 0) -> None:
        self.set_x(self.l_margin + indent)
        self.set_font(FAMILY, "B", 10)
        width = self.get_string_width(f"{label}: ") + 0.5
        self.cell(width, 4.7, f"{label}: ")
        self.set_font(FAMILY, "", 10)
        self.multi_cell(0, 4.7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_worksheet_pdf(protocol: Protocol, ws: Worksheet, result: ScreeningResult | None = None) -> bytes:
    """The worksheet as PDF bytes; the same worksheet gives the same bytes (no wall-clock time)."""
    result = result or compute_result(protocol, ws)
    pdf = _Sheet(ws.case.label, protocol)
    pdf.set_creation_date(ws.started or FIXED_DATE)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 17)
    pdf.cell(0, 8, "Screening test worksheet", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(protocol.title, size=12)
    pdf.ln(1)
    pdf.set_fill_color(232, 240, 254)
    pdf.set_font(FAMILY, "B", 9.5)
    pdf.multi_cell(0, 4.6, protocol.notice.strip(), fill=True, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    pdf.labelled("Case", ws.case.label or "(no label)")
    pdf.labelled("Protocol", f"{protocol.id}, version {protocol.version}, sha256 {protocol.sha256}")
    _plan(pdf, protocol, ws, result)
    pdf.heading("Result")
    pdf.labelled("Computed outcome", f"{result.computed_label}. {result.outcome_sentence}")
    pdf.labelled("Next step", result.next_step)
    if result.confirmed:
        pdf.labelled("Team's outcome", result.confirmed)
    for dose, dose_result in zip(ws.doses, result.doses, strict=True):
        _dose(pdf, protocol, dose, dose_result)
    _sign_off(pdf, result)
    _sources(pdf, protocol)
    return bytes(pdf.output())


def _plan(pdf: _Sheet, protocol: Protocol, ws: Worksheet, result: ScreeningResult) -> None:
    plan = ws.plan
    pdf.heading("Plan, agreed before the first dose")
    pdf.labelled("Response definition", result.definition_sentence)
    if result.definition is not None:
        pdf.para(result.definition.description.strip(), size=9, style="I", indent=4)
        if result.definition.caveat:
            pdf.para(f"Caveat: {result.definition.caveat.strip()}", size=9, style="I", indent=4)
    for line in result.amendments:
        pdf.labelled("Changed after the test started", line)
    start = f"{plan.start_dose} micrograms"
    if plan.low_start_reason:
        reasons = {r.id: r.label for r in protocol.dosing.low_start.considered_for}
        start += f" (low first dose: {reasons.get(plan.low_start_reason, plan.low_start_reason)})"
    pdf.labelled("First dose", start)
    sequence = ", ".join(str(s) for s in protocol.dosing.steps(plan.start_dose))
    pdf.labelled("Sequence", f"{sequence} micrograms, at least {protocol.dosing.min_interval_hours} h apart")
    groups = ", ".join(
        protocol.muscle_group(g).label for g in plan.muscle_groups if g in {m.id for m in protocol.tone.muscle_groups}
    )
    pdf.labelled("Muscle groups", groups or "as measured")
    pdf.labelled("Affected side", plan.affected_side)
    pdf.labelled("Walks", "yes (timed walk measured)" if plan.walks else "no")
    for number, goal in enumerate(plan.goals, 1):
        pdf.labelled(f"Goal {number}", goal)
    if plan.note:
        pdf.labelled("Note", plan.note)


def _dose(pdf: _Sheet, protocol: Protocol, dose: DoseEntry, result: DoseResult) -> None:
    pdf.add_page()
    pdf.heading(f"Dose {result.number}: {dose.micrograms} micrograms, {result.status_label}")
    given = (
        f"Given {dose.given_at:%Y-%m-%d %H:%M} UTC by {dose.given_by.describe()}."
        if dose.given_at is not None and dose.given_by is not None
        else "Not given yet."
    )
    pdf.para(given, size=9.5, style="I")
    pdf.para(result.sentence, size=10.5, style="B")
    for label, value in result.numbers:
        pdf.labelled(label, value, indent=4)
    if result.function_lost:
        pdf.para("Function lost during this dose (shown on its own, never offset by tone):", size=10, style="B")
        for loss in result.function_lost:
            pdf.para(f"• {loss.sentence()}", indent=4)
    else:
        pdf.para("No loss of the function measured during this dose.", size=9.5, style="I")
    for event in result.adverse_events:
        pdf.labelled("Adverse event", event, indent=0)
    for deviation in result.deviations:
        pdf.labelled("Deviation from the protocol", deviation)
    for correction in result.corrections:
        pdf.labelled("Correction", correction)
    if dose.note:
        pdf.labelled("Note", dose.note)
    if pdf.get_y() > pdf.h - 95:
        pdf.add_page()
    top = pdf.get_y() + 2
    bottom = _chart(pdf, protocol, dose, pdf.l_margin, top, 130, 72)
    table_bottom = _table_beside(pdf, protocol, dose, pdf.l_margin + 136, top)
    pdf.set_y(max(bottom, table_bottom) + 3)
    _measurements(pdf, protocol, dose)


def _chart(pdf: _Sheet, protocol: Protocol, dose: DoseEntry, x: float, y: float, w: float, h: float) -> float:
    """Axes, grid, one line per series, and a legend below; returns the y below the legend."""
    left, right, top, bottom = x + 9, x + w - 3, y + 4, y + h - 8
    hours = protocol.observation.times_hours
    last = max([*hours, *(p.hour for p in dose.observations)])

    def px(hour: float) -> float:
        return left + (right - left) * hour / last

    def py(value: float) -> float:
        return bottom - (bottom - top) * value / 4

    pdf.set_draw_color(120)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, w, h)
    pdf.set_font(FAMILY, "", 7)
    pdf.set_text_color(60)
    for value in range(5):
        pdf.set_draw_color(220)
        pdf.line(left, py(value), right, py(value))
        pdf.set_xy(x + 1, py(value) - 2)
        pdf.cell(7, 4, str(value), align="R")
    for hour in hours:
        pdf.set_draw_color(230)
        pdf.line(px(hour), top, px(hour), bottom)
        pdf.set_xy(px(hour) - 5, bottom + 0.5)
        pdf.cell(10, 4, f"{hour} h", align="C")
    pdf.set_draw_color(60)
    pdf.line(left, bottom, right, bottom)
    pdf.line(left, top, left, bottom)
    points = chart_points(protocol, dose)
    names = series_names(protocol)
    shown = [n for n in names if any(p.series == n for p in points)]
    for name in shown:
        colour = _COLOURS[names.index(name) % len(_COLOURS)]
        line = sorted((p.hour, p.value) for p in points if p.series == name)
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.6)
        if names.index(name) >= 3:
            pdf.set_dash_pattern(dash=1.5, gap=1)
        if len(line) > 1:
            pdf.polyline([(px(hr), py(v)) for hr, v in line])
        pdf.set_dash_pattern()
        for hr, v in line:
            pdf.circle(px(hr), py(v), 0.9, style="F")
    pdf.set_line_width(0.2)
    pdf.set_text_color(0)
    legend_y = y + h + 1
    cursor = x
    for name in shown:
        colour = _COLOURS[names.index(name) % len(_COLOURS)]
        pdf.set_fill_color(*colour)
        pdf.rect(cursor, legend_y + 1.3, 3, 1.6, style="F")
        width = pdf.get_string_width(name) + 7
        if cursor + width > x + w:
            cursor, legend_y = x, legend_y + 4
            pdf.rect(cursor, legend_y + 1.3, 3, 1.6, style="F")
        pdf.set_xy(cursor + 3.5, legend_y)
        pdf.cell(width - 3.5, 4, name)
        cursor += width
    pdf.set_font(FAMILY, "I", 7)
    pdf.set_xy(x, legend_y + 4.5)
    pdf.cell(w, 4, "Scale 0-4 against hours after the dose. Function: levels counted from the worst.")
    return legend_y + 9


def _table_beside(pdf: _Sheet, protocol: Protocol, dose: DoseEntry, x: float, y: float) -> float:
    header, rows = table(protocol, dose)
    saved = pdf.l_margin
    pdf.set_left_margin(x)
    pdf.set_xy(x, y)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_fill_color(238)
    pdf.set_draw_color(150)
    width = pdf.w - pdf.r_margin - x
    with pdf.table(width=width, align="LEFT", text_align="LEFT", line_height=4, first_row_as_headings=True) as grid:
        for cells in [header, *rows]:
            row = grid.row()
            for text in cells:
                row.cell(text)
    end = pdf.get_y()
    pdf.set_left_margin(saved)
    return end


def _measurements(pdf: _Sheet, protocol: Protocol, dose: DoseEntry) -> None:
    if not dose.observations:
        return
    pdf.heading("Every measurement typed in", size=11)
    keys = sorted({(g, s) for p in dose.observations for g, sides in p.tone.items() for s in sides})
    vitals = [v for v in protocol.vital_signs.items if any(v.id in p.vitals for p in dose.observations)]
    header = ["Hour"] + [f"{protocol.muscle_group(g).label} {s[0].upper()}" for g, s in keys]
    header += [f"{v.label} ({v.unit})" for v in vitals] + ["Note"]
    pdf.set_font(FAMILY, "", 7)
    pdf.set_fill_color(238)
    pdf.set_draw_color(150)
    with pdf.table(text_align="LEFT", line_height=3.6, first_row_as_headings=True) as grid:
        row = grid.row()
        for text in header:
            row.cell(text)
        for point in dose.observations:
            row = grid.row()
            row.cell(f"{point.hour} h")
            for g, s in keys:
                row.cell(point.tone.get(g, {}).get(s, ""))
            for v in vitals:
                value = point.vitals.get(v.id)
                row.cell("" if value is None else f"{value:g}")
            row.cell(point.note)


def _sign_off(pdf: _Sheet, result: ScreeningResult) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.heading("Team's confirmation of the outcome")
    if result.confirmed:
        pdf.para(result.confirmed)
        return
    pdf.para(
        "Outcome (tick one): positive response with function kept / tone reduced but function lost / "
        "no response at 100 micrograms / unclear. The decision rests with the treating team.",
        size=9.5,
    )
    pdf.ln(2)
    for label in ("Name", "Role", "Date", "Signature"):
        pdf.set_font(FAMILY, "", 10)
        pdf.cell(28, 9, f"{label}:")
        y = pdf.get_y() + 7
        pdf.line(pdf.l_margin + 28, y, pdf.l_margin + 160, y)
        pdf.ln(10)


def _sources(pdf: _Sheet, protocol: Protocol) -> None:
    pdf.heading("Sources", size=11)
    for source in protocol.sources:
        note = f" ({source.note})" if source.note else ""
        pdf.para(f"[{source.id}] {source.citation.strip()}{note}", size=8.5, indent=2)
