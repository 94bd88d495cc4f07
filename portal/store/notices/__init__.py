"""Notifications: the catalogue of notice types, the outbox, delivery, reminders and preferences."""
