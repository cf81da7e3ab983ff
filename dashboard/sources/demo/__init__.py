"""The synthetic demo borough, shaped like Walsall, written as extracts and loaded with the ordinary ingest."""
