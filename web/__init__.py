"""The web edge: who is asking, what they may open, security headers, limits and the log, around the Dash app."""
