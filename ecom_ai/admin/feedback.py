"""Admin of the feedback feature."""
