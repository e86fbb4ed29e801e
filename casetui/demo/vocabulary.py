"""The words demo data is made of: names, places, and how caseworkers phrase a note.

Organisation lists (activity types, pathways, ...) are read from the database instead;
the phrases below are keyed by the default list values and fall back to generic ones.
"""

from __future__ import annotations

import unicodedata

# Many cultures, as a caseload in a British city has them; accents kept on purpose.
FIRST_NAMES: tuple[str, ...] = tuple(
    """
Oliver Amelia Jack Isla Harry Sophie George Emily Thomas Grace James Chloe William Lucy Daniel
Hannah Liam Aoife Ciarán Siobhán Niamh Seán Callum Eilidh Rhys Cerys Dylan Megan Gareth Bethan
Łukasz Agnieszka Piotr Katarzyna Tomasz Zofia Marek Ewa Andrei Ioana Mihai Elena Dmitri Olena
Oleksandr Yulia Bogdan Milena Priya Arjun Aisha Mohammed Fatima Ravi Sunita Imran Nadia
Harpreet Gurpreet Sanjay Anjali Rahul Deepa Farhan Ayesha Zainab Bilal Tariq Sadia Kiran Chidi
Ngozi Oluwaseun Adaeze Kwame Ama Kofi Abena Tendai Thandiwe Amara Emeka Folasade Yusuf Halima
Abdi Hodan Faisal Amina Segun Zuri Marcus Shanice Tyrone Keisha Jermaine Aaliyah Omar Layla
Hassan Mariam Karim Noor Ali Yasmin Reza Shirin Dara Leila Wei Mei Jun Hui Hiroshi Yuki
Min-jun Ji-woo Thanh Linh Minh Mai José María Carlos Lucía Javier Camila Diego Valentina João
Ana Pedro Beatriz Giulia Marco Francesca Luca Chloé Mathieu Zoë Lena Jonas Anja Sven Ingrid
Eleni Nikos Emre Elif Mehmet Ayşe Selin Alex Sam Jordan Taylor Robin Jamie Charlie Morgan
Rowan Frankie Kai Noah Mia Ella Leo Ruby Freya Theo Ivy Arlo Esme Finley Poppy Archie Rosie
Alfie Evie Oscar Daisy Maya Ethan Zara Adam Sara Joseph Rebecca Michael Sarah David Laura Paul
Claire Mark Karen Stephen Julie Andrew Helen Peter Susan Brian Margaret Kevin Patricia Colin
Janet Derek Maureen Trevor Pauline Gary Denise Lee Tracey Wayne Kerry Dean Gemma Craig Stacey
Ben Alexander Elizabeth
""".split()  # noqa: SIM905 - a block of names reads better than a list of quoted strings
)

# Written with "_" for a space inside one surname.
LAST_NAMES: tuple[str, ...] = tuple(
    name.replace("_", " ")
    for name in """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner
Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter
Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson
Ellis Adams Singh Begum Ahmed Hussain Ali Rahman Islam Chowdhury Sharma Kaur Gill Shah Mistry
Joshi Kumar Das Iqbal Malik Akhtar Butt Qureshi Okafor Adeyemi Mensah Boateng Owusu Nwosu
Okonkwo Abubakar Mohamed Hassan Osman Warsame Farah Mwangi Otieno Dlamini Moyo Ndlovu Diallo
Traoré Kowalski Nowak Wiśniewski Wójcik Kamińska Lewandowski Zieliński Popescu Ionescu Horvat
Kovács Novák Petrov Ivanova Shevchenko Kovalenko Bondarenko García Rodríguez Fernández López
Martínez González Pérez Sánchez Silva Santos Ferreira Pereira Oliveira Costa Rossi Russo
Esposito Bianchi Romano Müller Schmidt Schneider Fischer Weber Dubois Lefèvre Moreau Laurent
Jansen de_Vries Andersson Nilsson Hansen Papadopoulos Yılmaz Kaya Demir Çelik Nguyen Tran Pham
Le Chen Wang Li Zhang Liu Huang Wong Chan Kim Park Choi Sato Tanaka Suzuki Cohen Levy Haddad
Karimi Hosseini Rezaei Mahmoud Ibrahim Abdullah O'Brien O'Connor Murray Byrne Doyle McCarthy
MacDonald Campbell Stewart Fraser Reid Ross Sinclair Llewellyn Pritchard Powell Jenkins
Campbell-Reid Ahmed-Khan Brown-Okafor Da_Silva
""".split()  # noqa: SIM905
)

# The name a person may ask to be called by.
SHORT_NAMES: dict[str, str] = {
    "Mohammed": "Mo", "Oluwaseun": "Seun", "Katarzyna": "Kasia", "Oleksandr": "Sasha",
    "Thandiwe": "Thandi", "Folasade": "Sade", "Margaret": "Maggie", "Rebecca": "Becky",
    "Michael": "Mike", "Stephen": "Steve", "Andrew": "Andy", "Patricia": "Trish",
    "Joseph": "Joe", "Daniel": "Dan", "William": "Will", "Thomas": "Tom", "Gurpreet": "Preet",
    "Adaeze": "Ada", "Dmitri": "Dima", "Agnieszka": "Aga", "Francesca": "Fran",
    "Jermaine": "Jay", "Valentina": "Vale", "Alexander": "Alex", "Oliver": "Ollie",
    "Elizabeth": "Liz", "Harpreet": "Harp", "Tomasz": "Tomek", "Aaliyah": "Ali",
}  # fmt: skip

TEAM_NAMES = (
    "North Team", "South Team", "East Team", "West Team", "Central Team", "Outreach Team",
    "Housing Team", "Employment Team", "Youth Team", "Families Team", "Riverside Team",
    "Hillside Team",
)  # fmt: skip

# Reserved for fiction (RFC 2606 domains, Ofcom drama numbers), so no demo message reaches a person.
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
PHONE_STEMS = ("07700 900", "020 7946 0", "0113 496 0", "0161 496 0", "0117 496 0", "0121 496 0")

# Lower case, as the case service stores tags.
TAGS = (
    "housing", "rent-arrears", "esol", "veteran", "care-leaver", "dv", "youth", "carer",
    "homeless", "debt", "benefits", "mental-health", "substance-use", "refugee", "disability",
    "lone-parent", "ex-offender", "digital-skills", "food-insecurity", "employment",
)  # fmt: skip

THIRD_PARTIES = (
    "Citizens Advice", "Jobcentre Plus", "GP surgery", "Housing association",
    "Council housing team", "Food bank", "Community mental health team", "Probation service",
    "StepChange", "Adult social care", "Children's services", "Shelter", "DWP",
    "Local college", "Women's Aid", "Turning Point",
)  # fmt: skip

TOPICS_BY_PATHWAY: dict[str, tuple[str, ...]] = {
    "Housing Support": (
        "housing benefit claim", "rent arrears", "tenancy sustainment", "Section 21 notice",
        "housing register application", "temporary accommodation", "repairs with the landlord",
        "deposit for a new flat", "council tax reduction",
    ),
    "Employment Pathway": (
        "CV update", "job applications", "interview preparation", "warehouse job offer",
        "CSCS card course", "work search commitments", "forklift training", "references",
    ),
    "Mental Health": (
        "low mood", "GP appointment", "talking therapies referral", "medication review",
        "crisis plan", "sleep problems", "anxiety about leaving the house",
    ),
    "Substance Use": (
        "recovery plan", "drug and alcohol service referral", "relapse prevention",
        "group attendance", "script review", "detox waiting list",
    ),
    "Family Support": (
        "school attendance", "childcare costs", "parenting course", "child protection plan",
        "contact arrangements", "nursery place",
    ),
    "Benefits and Debt": (
        "Universal Credit claim", "PIP assessment", "sanction appeal", "debt repayment plan",
        "food bank voucher", "energy arrears", "budgeting plan", "hardship payment",
    ),
}  # fmt: skip
GENERAL_TOPICS = (
    "support plan", "ID documents", "GP registration", "bus pass application",
    "ESOL class enrolment", "bank account", "phone top-up", "appointment reminder",
)  # fmt: skip

# Relative weights of the activities that fit each contact type.
ACTIVITY_WEIGHTS: dict[str, dict[str, int]] = {
    "Client": {
        "Phone call": 10, "Office appointment": 6, "Home visit": 4, "Email": 3, "SMS": 4,
        "Letter": 1, "Workshop": 3, "Job fair": 1, "Education or training": 1, "Job search": 2,
        "Assessment": 1, "Support plan review": 2, "Advocacy": 1,
    },
    "3rd Party": {
        "Phone call": 6, "Email": 5, "Letter": 1, "Referral": 3, "Advocacy": 2,
        "Multi-agency meeting": 1,
    },
    "Internal/Partner Support": {"Phone call": 2, "Email": 3, "Multi-agency meeting": 1},
    "Case Management/Supervision": {"Support plan review": 2, "Assessment": 1},
}  # fmt: skip

# Summaries with a client contact, by activity; {activity} stands in for any other.
CLIENT_SUMMARIES: dict[str, tuple[str, ...]] = {
    "Phone call": (
        "Phone call with {first} re: {topic}", "Call with {first} about {topic}",
        "{first} rang in re: {topic}",
    ),
    "Office appointment": (
        "Office appointment with {first} re: {topic}", "{first} attended appointment: {topic}",
    ),
    "Home visit": ("Home visit to {first}: {topic}", "Home visit, {topic} discussed"),
    "Email": ("Emailed {first} about {topic}", "Email from {first} re: {topic}"),
    "SMS": ("Text to {first}: appointment reminder", "Text from {first} asking about {topic}"),
    "Letter": ("Letter sent to {first} re: {topic}",),
    "Job search": ("Job search session with {first}", "Went through job applications with {first}"),
    "Job fair": ("Met {first} at the job fair",),
    "Education or training": ("{first} enrolled on a course", "Training update from {first}"),
    "Assessment": ("Needs assessment with {first}", "Risk assessment reviewed with {first}"),
    "Support plan review": ("Support plan reviewed with {first}",),
    "Advocacy": ("Advocated for {first} re: {topic}", "Supported {first} at meeting re: {topic}"),
}  # fmt: skip
CLIENT_SUMMARY_FALLBACK = ("{activity} with {first} re: {topic}",)
# Contacts attempted that did not happen, and what the caseworker did about it.
MISSED_CONTACTS: dict[str, str] = {
    "Phone call": "Tried to call {first}, no answer, left voicemail",
    "Office appointment": "{first} did not attend appointment",
    "Home visit": "Home visit, no answer at the door",
}
MISSED_DETAILS = (
    "", "Will try again tomorrow.", "Sent a text asking {first} to call back.",
    "Second missed contact this month; will raise it in supervision.",
    "Left a card with the office number.",
)  # fmt: skip
THIRD_PARTY_SUMMARIES = (
    "Call with {org} re: {topic}", "Email to {org} about {topic}",
    "{org} confirmed update on {topic}", "Referral sent to {org}",
    "Chased {org} for a decision on {topic}", "{org} called re: {first}",
)  # fmt: skip
INTERNAL_SUMMARIES = (
    "Handover with {colleague} re: {first}", "Discussed {topic} with {colleague}",
    "Partner update: {topic}", "{colleague} covering while I am on leave",
)  # fmt: skip
SUPERVISION_SUMMARIES = (
    "Supervision: case reviewed", "Case discussed in supervision: {topic}",
    "Case file audit: notes up to date", "Supervision: agreed to keep case open",
)  # fmt: skip

# Details, by contact type: what happened, then sometimes a concern and the next steps.
OBSERVATIONS = (
    "{first} was in good spirits today.", "{first} sounded anxious on the phone.",
    "{first} brought the letters we asked for.", "{first} has been struggling to sleep.",
    "{first} said the Jobcentre appointment went well.", "Discussed {topic} in detail.",
    "{first} is still waiting to hear back about {topic}.",
    "{first} had not opened the letters, went through them together.",
    "{first} said things are more settled at home.",
)  # fmt: skip
THIRD_PARTY_OBSERVATIONS = (
    "{org} said a decision on {topic} is still pending.",
    "{org} will write to {first} directly; gave them our reference.",
    "{org} need a signed consent form before they can discuss the case.",
    "Spoke to the duty worker at {org}, who had the referral on file.",
)  # fmt: skip
INTERNAL_OBSERVATIONS = (
    "{colleague} will cover the appointment on {weekday}.",
    "Shared the latest support plan with {colleague}.",
    "{colleague} knows {first} from a previous case and suggested a joint visit.",
)  # fmt: skip
SUPERVISION_OBSERVATIONS = (
    "Went through recent contacts with {worker}; actions agreed are realistic.",
    "Concern level discussed; it stays as it is for now.",
    "Asked {worker} to update the support plan by {weekday}.",
    "Case to be reviewed again next month.",
)  # fmt: skip
CONCERNS = (
    "Concern raised: {first} has not been eating properly.",
    "Concern: possible financial exploitation by a family member, discussed with supervisor.",
    "No safeguarding concerns today.",
    "{first} disclosed feeling isolated; signposted to the Tuesday drop-in.",
    "{first} worries about keeping up with bills this winter.",
)  # fmt: skip
NEXT_STEPS = (
    "Next steps: {first} to send payslips by Friday.", "Agreed to call again next week.",
    "I will chase {org} for a decision.", "Next appointment booked for {weekday}.",
    "Will complete the referral form and share it with {first}.",
    "Action: update the support plan after the review.",
    "{first} to bring photo ID next time.",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

WORKSHOPS = (
    "CV writing workshop", "budgeting workshop", "digital skills drop-in",
    "tenancy-ready course", "wellbeing group", "interview skills workshop", "job club",
    "cooking on a budget session", "ESOL conversation club",
)  # fmt: skip
WORKSHOP_DETAILS = (
    "Group session, {n} attendees. Good engagement; handouts given out.",
    "Group session, {n} attendees. Some were late; will resend the slides.",
    "Group session, {n} attendees. Next session in two weeks.",
)  # fmt: skip

STAFF_TASKS = (
    "Follow up on {topic}", "Call {first} to check in", "Book follow-up appointment",
    "Send {first} the referral form", "Chase {org} for an update", "Review support plan",
    "Update risk assessment", "Check {first} got the letter", "Complete referral to {org}",
)  # fmt: skip
CLIENT_TASKS = (
    "{first} to bring proof of address", "{first} to send three job applications",
    "{first} to call the GP surgery", "{first} to bring ID documents",
    "{first} to attend the budgeting workshop", "{first} to complete the housing register form",
)  # fmt: skip
TASK_DETAILS = (
    "Ring before 11, {first} works afternoons.", "Needs doing before the review.",
    "See the note for what was agreed.", "Ask {org} for a reference number.",
)  # fmt: skip
CUSTOM_RULES = (
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=MONTHLY;BYDAY=1TU",
    "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE",
)

ADDENDUM_REASONS = ("Late information", "Correction", "Clarification")
ADDENDA = (
    "{first} has since told me the appointment was moved, not missed.",
    "Correction: the letter was from the council, not the housing association.",
    "Adding that {org} confirmed this by email afterwards.",
    "The referral was sent the same day; I forgot to record it here.",
)  # fmt: skip

# Letters NFKD does not take apart into a base letter and an accent.
_PLAIN_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "ı": "i", "æ": "ae"})


def slug(name: str) -> str:
    """``Łukasz`` -> ``lukasz``, ``O'Brien`` -> ``obrien``: for usernames and email addresses."""
    plain = unicodedata.normalize("NFKD", name.translate(_PLAIN_LETTERS))
    return "".join(ch for ch in plain.lower() if ch.isascii() and ch.isalnum())
