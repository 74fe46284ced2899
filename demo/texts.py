"""What the demo's incidents say: scenarios, replies, work notes, resolutions, survey comments."""

from core.models import Channel
from incidents.models import OnHoldReason, ResolutionCode

# title, category, subcategory, service index, CI name or None, team, impact, urgency
SCENARIOS = [
    ("Cannot connect to VPN from home", "Network", "VPN", 1, "vpn-gw-01", "Network", 3, 2),
    ("Wi-Fi drops every few minutes in meeting room B", "Network", "Wi-Fi", 1, "wifi-ctrl-01", "Network", 3, 3),
    ("Outlook keeps asking for the password", "Software", "E-mail", 0, "mail-exch-01", "Applications", 3, 2),
    ("Shared calendar not updating on phones", "Software", "E-mail", 0, "mail-exch-01", "Applications", 3, 3),
    ("ERP order screen times out", "Software", "ERP", 2, "erp-app-01", "Applications", 2, 2),
    ("Invoice run failed overnight", "Software", "ERP", 2, "erp-db-01", "Applications", 2, 1),
    ("Printer on floor 3 prints blank pages", "Hardware", "Printer", 3, "prn-hq-floor3", "Service Desk", 3, 3),
    ("Receipt printer in shop 12 offline", "Hardware", "Printer", 3, "prn-shop-12", "Service Desk", 2, 2),
    ("Laptop will not boot after update", "Hardware", "Laptop", 3, None, "Service Desk", 3, 2),
    ("Second monitor not detected", "Hardware", "Monitor", 3, None, "Service Desk", 3, 3),
    ("Desk phone has no dial tone", "Hardware", "Phone", 3, None, "Service Desk", 3, 2),
    ("Account locked after holiday", "Access", "Account locked", None, None, "Service Desk", 3, 2),
    ("Need access to the finance share", "Access", "Permissions", None, None, "Service Desk", 3, 3),
    ("Password reset for a new starter", "Access", "Password reset", None, None, "Service Desk", 3, 3),
    ("Spreadsheet macros disabled", "Software", "Office suite", None, None, "Applications", 3, 3),
    ("Slow internet at the warehouse", "Network", "Internet access", 1, "core-sw-hq-01", "Network", 2, 3),
    ("Network port dead at desk 4.12", "Network", "LAN", 1, "core-sw-hq-01", "Network", 3, 3),
    ("ERP stock levels wrong after import", "Software", "ERP", 2, "erp-app-01", "Applications", 2, 2),
]

FIRST_REPLIES = [
    "Thanks for reporting this, we are looking into it now.",
    "Could you tell us when this started and whether colleagues see the same?",
    "We have picked this up and will update you within the hour.",
]
WORK_NOTES = [
    "Checked the event log: nothing obvious, escalating to the owning team.",
    "Reproduced on a test machine. Known issue in the last update.",
    "Vendor ticket opened, reference VND-{n}.",
    "Remote session done; collected logs attached to the vendor case.",
]
RESOLUTIONS = [
    (ResolutionCode.SOLVED_PERMANENTLY, "Replaced the faulty part and tested with the caller."),
    (ResolutionCode.SOLVED_WORKAROUND, "Cleared the cached credentials; permanent fix tracked as a problem."),
    (ResolutionCode.RESOLVED_BY_CALLER, "Caller restarted the device and it works again."),
    (ResolutionCode.NOT_REPRODUCIBLE, "Could not reproduce after several tests; caller will call back."),
    (ResolutionCode.RESOLVED_BY_CHANGE, "Fixed by the configuration change deployed last night."),
]
HOLD_REASONS = [
    (OnHoldReason.AWAITING_CALLER, "Waiting for the caller to be back at their desk."),
    (OnHoldReason.AWAITING_VENDOR, "Waiting for the vendor to ship a replacement."),
    (OnHoldReason.AWAITING_CHANGE, "Waiting for the change window on Saturday."),
]

# (channel, weight): how incidents reach the desk
CHANNELS = [(Channel.PORTAL, 45), (Channel.EMAIL, 25), (Channel.PHONE, 22), (Channel.WALK_IN, 5), (Channel.API, 3)]
SCENARIO_WEIGHTS = [6, 4, 7, 4, 5, 2, 5, 3, 5, 4, 3, 8, 5, 7, 3, 2, 3, 2]

CANCEL_NOTES = ["Please ignore this, it was a mistake on my side.", "Sorted itself out after a restart, sorry.",
                "Duplicate of the call I made this morning."]
RESUME_NOTES = ["I'm back, you can continue.", "Here are the details you asked for.",
                "The vendor's part arrived this morning."]
REOPEN_NOTES = ["It happened again this morning, please have another look.",
                "Still not working for me after all."]
SURVEY_COMMENTS = {1: ["Took far too long, I could not work for two days.", "Nobody told me what was going on."],
                   2: ["Fixed in the end, but slowly.", "I had to chase twice."],
                   3: ["OK.", ""],
                   4: ["Quick and friendly.", "", "Good, thanks."],
                   5: ["Excellent, fixed within minutes!", "Great service, thank you.", ""]}

# title, service index, CI name, team, (category, subcategory), description
MAJOR_INCIDENTS = [
    ("Head office network outage", 1, "core-sw-hq-01", "Network", ("Network", "LAN"),
     "Core switch at head office down; all floors without network."),
    ("ERP unavailable for all users", 2, "erp-db-01", "Applications", ("Software", "ERP"),
     "ERP database cluster failed over and did not come back; orders and invoicing stopped."),
    ("E-mail not delivered", 0, "mail-exch-01", "Applications", ("Software", "E-mail"),
     "Inbound and outbound mail queues stuck since the certificate renewal."),
    ("VPN down for remote staff", 1, "vpn-gw-01", "Network", ("Network", "VPN"),
     "VPN gateway rejects every login after the firmware upgrade."),
]
MAJOR_CHILD_TITLES = ["Cannot work, system down", "Nothing loads since this morning", "Is there an outage?",
                      "Whole team affected"]
