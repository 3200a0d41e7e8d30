"""Assessment reports: one read of everything a report shows (:mod:`.data`), rendered as PDF (:mod:`.pdf`,
WeasyPrint with an inline SVG chart from :mod:`.charts`) or as an XLSX workbook (:mod:`.xlsx`).

Reports never contain internal or working notes; the data layer does not even load them.
"""
