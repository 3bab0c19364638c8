"""Admin of the training feature."""
