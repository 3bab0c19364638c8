"""Admin of the campaigns feature."""
