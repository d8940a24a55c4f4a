"""Alerts: SMS backends, segment counting, weather sources, phone numbers."""
