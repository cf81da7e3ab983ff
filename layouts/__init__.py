"""Page and component layouts: functions that build Dash components, with IDs kept in ids.py."""
