"""How long each thing typed may be: one place, read by the services that refuse longer text
and by the screens that stop typing there. Plain constants, cheap to import before the
data layer is loaded (the sign-in screen paints first).
"""

USERNAME_MAX = 64
PASSWORD_MAX = 1024
NAME_MAX = 200  # names of people, teams, organisations, list items
SUMMARY_MAX = 200  # a note's summary, a task's name, an addendum's reason, a subject
DETAILS_MAX = 20_000  # a note's details, a communication's body
TAG_MAX = 40
CASE_NUMBER_MAX = 40
REASON_MAX = 500  # why a locked note is overridden
AUDIT_ACTION_MAX = 60  # the audit trail's action filter
DATE_WORDS_MAX = 40  # a date as typed: 2026-11-03, today, -3d, next monday
SEARCH_MAX = 100  # what the global search box takes
NOTICE_MAX = 500  # the confidentiality notice in a printed page's footer
# The most cases one bulk note or bulk communication may go to; the caseload's "select all"
# stops here too.
BULK_MAX_CASES = 5000
