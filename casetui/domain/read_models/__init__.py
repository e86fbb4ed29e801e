"""Plain, frozen data the services and repositories hand to the CLI and the TUI.

Never live ORM objects: these can cross threads and outlive their session.

One module per part of the work, so that starting the app loads only what its first screen
shows (each frozen dataclass costs about a millisecond to create):

- ``people``: StaffView, TeamView, WorkloadRow
- ``cases``: CaseRow, CaseDetail, CaseEventView
- ``clients``: ClientView, ClientRecord, PossibleDuplicate, SearchHit
- ``notes``: AddendumView, NoteView, TaskView, BulkResult
- ``communications``: CommunicationView, ReminderRecipient, BulkCommunicationResult
- ``attachments``: AttachmentView, SavedAttachment
- ``supportive_services``: ServiceView, GrantTotal, ServiceTotals
- ``settings``: SettingsView, ListItemView, SettingsResult
- ``audit``: AuditEventView
- ``imports``: ImportRefusal, ImportDuplicate, ImportLine, ImportReport
- ``inbox``: NotificationView, InboxPage
"""
