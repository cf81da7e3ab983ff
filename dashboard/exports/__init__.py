"""Files for board papers: every chart as PNG, SVG or PDF with its caption drawn in, its table as CSV or XLSX."""
