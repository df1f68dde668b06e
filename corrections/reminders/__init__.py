"""Scheduled jobs, notifications and their delivery (inbox, e-mail, webhook)."""
