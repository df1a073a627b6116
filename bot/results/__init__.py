"""Results for the ELP team: CSV/JSON exports, the XLSX workbook and the board report, read through `Store`."""
