"""Scheduled jobs: plain ``async def job(now)`` functions listed in ``jobs.scheduler.SCHEDULE``."""
