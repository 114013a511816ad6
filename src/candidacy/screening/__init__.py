"""The screening-test day: the protocol as data, the worksheet, and the result with its basis.

protocol.py   what criteria/screening/*.yaml may say (doses, times, measures, definitions)
loader.py     reading protocols and worksheets with FILE:LINE errors
worksheet.py  the worksheet models (plan, doses, time points, adverse events, confirmation)
checks.py     a worksheet checked against its protocol
ward.py       the ward's changes (choose, prepare, give, record, confirm, reopen)
rules.py      the response definitions read from one dose's measurements
result.py     per dose, whether the chosen definition is met; function lost; the next step
chart.py      the series drawn on screen and in the PDF, and the table beside them
render.py     the result as text and JSON (the command line)
pdf.py        the printable worksheet
"""
