"""Data sharing with consent, and the tracker of who read a citizen's data."""
