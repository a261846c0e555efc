"""The fault harness: a whole production-like installation (PostgreSQL, Redis, a Celery
worker and beat, a web server, an SMTP sink), loaded through the three doors while the
worker, the web server and Redis are killed, then checked from the outside: HTTP answers,
the database's records, cases, tasks and outbox, and the mail the SMTP sink received.

Run it with ``python -m tests.faults.run`` (``--help``); see docs/reliability.md.
"""
