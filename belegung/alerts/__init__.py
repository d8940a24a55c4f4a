"""Alerts: capacity rules, SMS recipients, the outbox and its dispatcher (Twilio or the
log), crews' SMS commands, Twilio's webhooks, and the winter emergency from the forecast.

Entry points: `api.py` (rules, recipients, outbox), `webhooks.py` (`/sms/…`), `tasks.py`
(scheduler jobs), `hooks.py` (evaluated before every commit).
"""
