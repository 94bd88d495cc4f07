"""Citizen reception (Vətəndaş Qəbulu): meeting requests with local executives, their reception calendars and staff.

``calendar`` (hours, officials, free slots), ``requests`` (the citizen's side), ``desk`` (the executive's moves and
figures), ``ics`` (a meeting as an iCalendar file), ``reminders`` (the day before), ``common`` (views, reading rules,
events), ``models``.
"""
