"""Kabinet: a citizen e-government portal."""
