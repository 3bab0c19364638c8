"""Admin of the recommendations feature."""
