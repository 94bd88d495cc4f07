"""E-participation: proposals, polls and anonymous votes (see models.py and docs/voting.md)."""
