"""The figures that work reports cite, the monthly summary, the workbook."""
