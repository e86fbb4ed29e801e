"""The doorway to the data: every write rule (who may, note locking, versions, audit) and every
read the screens and the command line need.

Each public service function takes the database handle and the acting staff member, opens its
own unit of work (``work.writing`` / ``work.reading``), checks the rules, does the work,
records the audit event, commits, and returns plain read models. See ARCHITECTURE.md.
"""
