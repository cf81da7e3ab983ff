"""The declared publication: every cell the app can show for a warehouse version, protected once, jointly, at load."""
