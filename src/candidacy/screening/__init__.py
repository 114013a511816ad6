"""The screening-test day: the protocol as data, the worksheet, and the result with its basis.

protocol.py   what criteria/screening/*.yaml may say (doses, times, measures, definitions)
loader.py     reading protocols and worksheets with FILE:LINE errors
worksheet.py  the worksheet and the ward's changes to it (choose, give, record, confirm)
result.py     per dose, whether the chosen definition is met, and the next step
chart.py      the series drawn on screen and in the PDF, and the table beside them
pdf.py        the printable worksheet
"""
