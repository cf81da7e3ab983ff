"""Pure rules with no I/O: reference lists, measures, filters, statuses, statistics and disclosure arithmetic."""
