"""Every write rule lives here: who may, note locking, versions, audit.

Each service function takes a unit of work and the acting staff member, checks the rules,
does the work, records the audit event, commits, and returns plain read models.
"""
