"""Pure figure builders: DataFrame in, plotly Figure (or the parts a Patch replaces) out."""
