"""Deterministic, streaming generation of Act! records that follow the Swagger models exactly.

Why it is built this way:
- One `random.Random` per table (seeded from seed + table name), so one table's count never changes another
  table's records; names, e-mails and companies of a record are a pure hash of (seed, table, index) so that
  references (`contacts[]`, `companyID`, `opportunityID`, ...) can show the referenced record's real id and name
  without generating it.
- Records are yielded one at a time; the server may hold a million per table, so nothing here keeps a list.
- Timestamps are int ticks formatted like .NET (`dotnet_time`); `fmt` caches the date part to halve the cost.
- Cursor values come from a timeline with bulk-import runs (hundreds of records sharing one `edited`) and small
  mass-edit ties, the cases an incremental sync has to get right.
"""

from __future__ import annotations

import functools
import hashlib
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from . import custom_fields as cf
from . import spec
from .dotnet_time import TICKS_PER_SECOND, UNIX_EPOCH_TICKS, format_ticks, parse_ticks
from .tables import TABLES

GENERATED_FROM_TICKS = parse_ticks("2018-01-01T00:00:00Z")
GENERATED_UNTIL_TICKS = parse_ticks("2026-01-01T00:00:00Z")  # every generated timestamp is strictly before this
_BIRTHDAYS_FROM = parse_ticks("1950-01-01T00:00:00Z")
_LAST_FIELDS = ("lastEmail", "lastAttempt", "lastReach", "lastMeeting", "lastLetterSent")
_NO_PHONE = (None, None, None)
_EMPTY_ADDRESS = dict.fromkeys(
    ("line1", "line2", "line3", "city", "state", "postalCode", "country", "latitude", "longitude")
)
SECOND, MINUTE, DAY = TICKS_PER_SECOND, 60 * TICKS_PER_SECOND, 86_400 * TICKS_PER_SECOND
_M64 = (1 << 64) - 1

# Which visible field edited_record changes, per table (besides the cursor and editedBy-style fields).
EDIT_FIELDS = {
    "contacts": "jobTitle",
    "companies": "industry",
    "opportunities": "competitor",
    "activities": "subject",
    "activity_types": "description",
    "products": "price",
    "groups": "description",
    "notes": "noteText",
    "histories": "regarding",
    "users": "lastLogOnDate",
    "opportunity_products": "quantity",
}

# ---------------------------------------------------------------------------------------------------------------
# Small fast helpers
_DAY_PREFIX: dict[int, str] = {}
_HMS = [f"T{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


def fmt(ticks: int) -> str:
    """`dotnet_time.format_ticks`, several times faster (cached dates); the tests check they agree."""
    seconds, fraction = divmod(ticks - UNIX_EPOCH_TICKS, TICKS_PER_SECOND)
    days, sod = divmod(seconds, 86_400)
    prefix = _DAY_PREFIX.get(days)
    if prefix is None:
        prefix = _DAY_PREFIX[days] = format_ticks(UNIX_EPOCH_TICKS + days * DAY)[:10]
    if fraction:
        return (prefix + _HMS[sod] + ".%07d" % fraction).rstrip("0") + "Z"
    return prefix + _HMS[sod] + "Z"


def _digest(text: str, size: int) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def _salt(seed: int, name: str) -> int:
    return int.from_bytes(_digest(f"{seed}/{name}", 8), "big")


def _mix(salt: int, index: int) -> int:
    """splitmix64 of (salt, index): a cheap, well-spread hash for index-derived identities."""
    z = (salt + (index + 1) * 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _guid(key: str) -> str:
    """A lower-case version-4-shaped GUID derived from `key` (SQL Server uniqueidentifier look)."""
    b = bytearray(_digest(key, 16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_M122 = (1 << 122) - 1
_LOW62 = (1 << 62) - 1
_VERSION_BITS = (0x4 << 76) | (0x2 << 62)


@functools.cache
def _id_keys(table: str, seed: int) -> tuple[int, int, bool]:
    digest = _digest(f"{seed}/{table}/ids", 32)
    return int.from_bytes(digest[:16], "big") | 1, int.from_bytes(digest[16:], "big"), TABLES[table].id_type == "int"


def id_for(table: str, index: int, seed: int) -> str | int:
    """Id of the index-th record of a table (generated ones first, then inserts): GUID, or index+1 for int ids.

    The GUID's 122 free bits are a bijective scramble of the index (multiply by an odd key, add, xor-shift, mod
    2^122) around the fixed version/variant bits, so ids of one table never collide, at ~1 us instead of a hash."""
    mul, add, is_int = _id_keys(table, seed)
    if is_int:
        return index + 1
    z = (index * mul + add) & _M122
    z = ((z ^ (z >> 61)) * mul) & _M122
    z ^= z >> 59
    h = "%032x" % ((z >> 74) << 80 | ((z >> 62) & 0xFFF) << 64 | (z & _LOW62) | _VERSION_BITS)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ascii(text: str) -> str:
    text = text.replace("Æ", "Ae").replace("æ", "ae").replace("Ø", "O").replace("ø", "o").replace("ß", "ss")
    text = text.replace("Ł", "L").replace("ł", "l").replace("Ð", "D").replace("ð", "d").replace("Þ", "Th")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum() or c == "-")


def _distinct(items: list[dict]) -> list[dict]:
    """Embedded link items without a repeated id (Act! links a record once; the draws may repeat one)."""
    if len(items) < 2:
        return items
    seen: set = set()
    return [item for item in items if not (item["id"] in seen or seen.add(item["id"]))]


def _pick(r: Callable[[], float], pool):
    return pool[int(r() * len(pool))]


# ---------------------------------------------------------------------------------------------------------------
# Pools
FIRST = [
    "Zoë",
    "José",
    "Ægir",
    "Björk",
    "François",
    "Siobhán",
    "Łukasz",
    "Søren",
    "Chloé",
    "Jürgen",
    "Mary-Kate",
    "Ana",
    "Michael",
    "Sarah",
    "David",
    "Jennifer",
    "James",
    "Emily",
    "Robert",
    "Olivia",
    "Mohammed",
    "Priya",
    "Wei",
    "Yuki",
    "Aoife",
    "Thandiwe",
    "Renée",
    "Nuño",
    "Ines",
    "Lars",
    "Maëlle",
    "Dmitri",
    "Fatima",
    "Chris",
    "Emma",
    "Liam",
    "Noah",
    "Ava",
    "Sophia",
    "Lucas",
    "Mia",
    "Henrik",
    "Ólafur",
    "Željko",
    "Katarzyna",
    "Tomás",
]
LAST = [
    "O'Brien",
    "Núñez",
    "D'Angelo",
    "Müller",
    "Øvergaard",
    "Guðmundsdóttir",
    "García",
    "Smith",
    "Johnson",
    "van der Berg",
    "MacDonald",
    "Nakamura",
    "Kowalski",
    "Dubois",
    "Ó Súilleabháin",
    "Fitzgerald-Hughes",
    "Schröder",
    "Lindqvist",
    "Rossi",
    "Silva",
    "Novák",
    "Brown",
    "Williams",
    "Jones",
    "Miller",
    "Davis",
    "Martínez",
    "Hernández",
    "Lefèvre",
    "Nguyen",
    "Patel",
    "Kim",
    "Chen",
    "Andersson",
    "Jensen",
    "Walsh",
    "Byrne",
    "Łapiński",
    "Ibáñez",
    "Çelik",
    "Yılmaz",
    "Papadopoulos",
    "Kristjánsson",
    "DeLuca",
    "St. John",
]
FIRST_A = [_ascii(n) for n in FIRST]
LAST_A = [_ascii(n) for n in LAST]
PREFIXES = ["Mr.", "Ms.", "Mrs.", "Dr.", "Mx.", "Prof."]
SUFFIXES = ["Jr.", "Sr.", "III", "PhD", "MBA", "Esq."]
MIDDLE = ["A.", "J.", "Marie", "Lee", "Ann", "Þór", "K.", "de la"]
COMPANY_HEAD = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Müller",
    "O'Hara",
    "Café Olé",
    "Nørdisk",
    "Blue Harbor",
    "Zeta",
    "Åland",
    "Bright",
    "Sørensen",
    "Lumière",
    "Adventure Works",
    "Tailspin",
    "Wingtip",
    "Litware",
    "Proseware",
    "Fourth Coffee",
    "Alpine Ski",
    "Vík",
    "São Jorge",
    "Kōbe",
    "D'Arcy",
    "Bäckerei Schmidt",
    "Żabka",
    "Ibérica",
    "Gaelic",
    "Maple Leaf",
    "Southridge",
]
COMPANY_TAIL = [
    "Traders",
    "Logistik AB",
    "GmbH",
    "S.L.",
    "Ltd.",
    "Inc.",
    "& Co.",
    "Consulting LLC",
    "Holdings plc",
    "S.A.R.L.",
    "Pty Ltd",
    "K.K.",
    "ehf.",
    "Group",
    "& Sons",
    "Solutions",
    "Ltda.",
]
COMPANY_HEAD_A = [_ascii(n) for n in COMPANY_HEAD]
INDUSTRIES = [
    "Manufacturing",
    "Retail",
    "Software",
    "Healthcare",
    "Financial Services",
    "Construction",
    "Hospitality",
    "Education",
    "Non-profit",
    "Logistics",
    "Agriculture",
    "Legal",
    "Real Estate",
]
TITLES = [
    "CEO",
    "CFO",
    "Sales Manager",
    "Account Executive",
    "Office Manager",
    "IT Director",
    "Purchasing Agent",
    "Marketing Coordinator",
    "VP, Operations",
    "Owner",
    "Directeur général",
    "Geschäftsführerin",
    "Head of R&D",
    "Consultant",
    "Controller",
    "Project Lead – EMEA",
]
DEPARTMENTS = ["Sales", "Marketing", "Finance", "IT", "Operations", "Purchasing", "HR", "R&D", "Support"]
ID_STATUS = ["Customer", "Prospect", "Vendor", "Former Customer", "Partner", "Lead", "Hot Lead"]
LAST_RESULTS = [
    "Left message",
    "Meeting held",
    "Call completed",
    "Sent proposal",
    "No answer",
    "E-mail sent",
    "Appointment set",
    "Not interested",
]
REFERRED = ["Web Search", "Trade Show", "Partner", "Zoë O'Brien", "Newsletter", "LinkedIn"]
MASKS = {
    1: "(###) ###-####",
    44: "#### ### ####",
    49: "#### #######",
    33: "## ## ## ## ##",
    353: "## ### ####",
    354: "### ####",
    46: "##-### ## ##",
    34: "### ### ###",
    81: "##-####-####",
    61: "(##) #### ####",
    55: "(##) #####-####",
    52: "## #### ####",
}
# (city, state, country, postal codes, latitude, longitude, dial code, area codes, street templates)
LOCATIONS = [
    (
        "Seattle",
        "WA",
        "United States",
        ("98101", "98109", "98121"),
        47.6062,
        -122.3321,
        1,
        ("206",),
        ("{n} Pine St", "{n} 1st Ave"),
    ),
    (
        "Scottsdale",
        "AZ",
        "United States",
        ("85251", "85260"),
        33.4942,
        -111.9261,
        1,
        ("480",),
        ("{n} N Scottsdale Rd", "{n} E Camelback Rd"),
    ),
    ("Boston", "MA", "United States", ("02108", "02116"), 42.3601, -71.0589, 1, ("617",), ("{n} Boylston St",)),
    ("Austin", "TX", "United States", ("78701", "78704"), 30.2672, -97.7431, 1, ("512",), ("{n} Congress Ave",)),
    ("Toronto", "ON", "Canada", ("M5V 2T6", "M4W 1A8"), 43.6532, -79.3832, 1, ("416",), ("{n} King St W",)),
    (
        "Montréal",
        "QC",
        "Canada",
        ("H2Y 1C6", "H3B 4W8"),
        45.5019,
        -73.5674,
        1,
        ("514",),
        ("{n}, rue Sainte-Catherine O.",),
    ),
    (
        "London",
        "Greater London",
        "United Kingdom",
        ("EC1A 1BB", "SW1A 2AA", "W1D 3QF"),
        51.5074,
        -0.1278,
        44,
        ("20",),
        ("{n} King's Road", "{n} St Mary's Lane"),
    ),
    (
        "Dublin",
        "Co. Dublin",
        "Ireland",
        ("D02 X285", "D08 VF8H"),
        53.3498,
        -6.2603,
        353,
        ("1",),
        ("{n} O'Connell Street", "{n} Baggot St"),
    ),
    ("München", "Bayern", "Germany", ("80331", "80802"), 48.1351, 11.5820, 49, ("89",), ("Königstraße {n}",)),
    (
        "Paris",
        "Île-de-France",
        "France",
        ("75001", "75011"),
        48.8566,
        2.3522,
        33,
        ("1",),
        ("{n} rue de l'Église", "{n} boulevard Haussmann"),
    ),
    ("Reykjavík", None, "Iceland", ("101", "105"), 64.1466, -21.9426, 354, ("5",), ("Laugavegur {n}",)),
    ("Stockholm", None, "Sweden", ("111 22", "114 35"), 59.3293, 18.0686, 46, ("8",), ("Drottninggatan {n}",)),
    (
        "Madrid",
        "Comunidad de Madrid",
        "Spain",
        ("28013", "28001"),
        40.4168,
        -3.7038,
        34,
        ("91",),
        ("Calle de Alcalá {n}",),
    ),
    ("Tokyo", "Tōkyō-to", "Japan", ("100-0005", "150-0002"), 35.6762, 139.6503, 81, ("3",), ("Chiyoda {n}-1-2",)),
    ("Sydney", "NSW", "Australia", ("2000", "2010"), -33.8688, 151.2093, 61, ("2",), ("{n} George St",)),
    ("São Paulo", "SP", "Brazil", ("01310-100", "04538-133"), -23.5505, -46.6333, 55, ("11",), ("Av. Paulista, {n}",)),
    (
        "Ciudad de México",
        "CDMX",
        "Mexico",
        ("06600", "11000"),
        19.4326,
        -99.1332,
        52,
        ("55",),
        ("Paseo de la Reforma {n}",),
    ),
]
LINE2 = ["Suite 200", "Floor 3", "c/o Accounts Payable", "Unit 4B", "2. OG", "Bâtiment C", "Apt. 12"]
SUBJECTS = [
    "Follow up on proposal",
    "Quarterly business review",
    "Demo: Act! Premium",
    "Call re: renewal",
    "Lunch with Zoë",
    "Send contract – revised",
    "Kick-off meeting",
    "Prepare quote for José",
    "Check in after trade show",
    "Vacation",
    "Réunion de suivi",
    "Budget sign-off",
    "Site visit",
    "Reminder: invoice #4411 overdue",
]
LOCATIONS_TEXT = [
    "Conference Room B",
    "Zoom",
    "Microsoft Teams",
    "Client office",
    "Café Olé, 5th Ave",
    "Phone",
    "Head office – 3rd floor",
]
DETAILS = [
    "Discussed pricing for 25 seats.\r\nNext step: send revised quote by Friday.",
    "Agenda:\r\n1. Status\r\n2. Open issues\r\n3. Renewal (due Q3)",
    "Left a voicemail; she'll call back after 3 pm.",
    'Customer asked about the "Premium" tier & API access.\r\nCC\'d Łukasz.',
    "Wants a demo for the team in München.\r\n\r\nBring laptop + adapter.",
    "Kontaktaufnahme nach der Messe – Interesse an 10 Lizenzen.",
    "",
]
RTF = (
    "{\\rtf1\\ansi\\ansicpg1252\\deff0\\deflang1033{\\fonttbl{\\f0\\fnil\\fcharset0 Segoe UI;}}\r\n"
    "\\viewkind4\\uc1\\pard\\f0\\fs18 <A>\\par\r\n\\b Next step:\\b0  <B>\\par\r\n}\r\n"
)
RTF_BODIES = [
    ("Met with Zo\\'eb O'Brien", "send the proposal"),
    ("Call with Jos\\'e9 N\\'fa\\'f1ez", "quote"),
    ("Demo for M\\'fcller GmbH", "follow up in two weeks"),
]
NOTES = [
    "Prefers e-mail over phone.",
    "Met at the trade show in Las Vegas.\r\nVery interested in the add-ons.",
    "Budget approved for FY2025 – see attached PO.",
    "Don't call before 10 am (time zone: CET).",
    "Spouse: Renée. Kids: 2.\r\nLoves golf ⛳.",
    "Asked to be removed from the newsletter.",
    "Contract renewal discussed; 5% discount agreed.\r\n\r\n— Chris",
]
REGARDING = [
    "Call completed",
    "Meeting held – product demo",
    "E-mail sent: Angebot",
    "Letter sent",
    "Field changed",
    "Quote sent",
    "Voicemail left",
    "Contract signed!",
]
HISTORY_TYPES = [  # (id, name, activityTypeId, activityTypeName, description)
    (1, "Call Completed", 1, "Call", "The call was completed."),
    (2, "Call Attempted", 1, "Call", "The call was attempted."),
    (3, "Meeting Held", 2, "Meeting", "The meeting was held."),
    (4, "To-do Done", 3, "To-Do", "The to-do was done."),
    (5, "E-mail Sent", 7, "E-mail", "An e-mail was sent."),
    (6, "Letter Sent", 8, "Letter", "A letter was sent."),
    (7, "Field Changed", None, None, "A tracked field changed."),
]
GROUP_NAMES = [
    "VIP Customers",
    "Trade Show 2024 Leads",
    "Newsletter – EMEA",
    "Partners",
    "Q3 Campaign",
    "Board & Advisors",
    "Churn risk",
    "Beta testers",
    "Golf Day '25",
    "Kunden München",
    "Webinar: API",
]
OPP_NAMES = [
    "Renewal",
    "Upgrade to Premium",
    "New licences",
    "Consulting package",
    "Hardware refresh",
    "Expansion – EMEA",
    "Pilot project",
    "Support contract",
]
PRODUCT_NAMES = [
    "Act! Premium Subscription",
    "Onboarding Package",
    "Widget – Größe L",
    "Consulting hour",
    "Support Plan Gold",
    "Training Day (on-site)",
    "Café Machine Pro",
    "Licence Add-on",
    "Data Migration",
    "Custom Report",
]
PRODUCT_VARIANTS = ["", " (annual)", " (monthly)", " v2", " – EU", " XL", " Plus"]
DESCRIPTIONS = [
    "Key accounts only.",
    "Updated by the administrator.",
    "Billable",
    "Internal use\r\nDo not export.",
    "Descripción actualizada",
    "See the wiki for details.",
]
COMPETITORS = ["Salesforce", "HubSpot", "Zoho", "Pipedrive", "Microsoft Dynamics", "SugarCRM", "In-house"]
LOST_REASONS = ["Price too high", "Chose competitor", "No budget", "Project cancelled", "No decision"]
PROCESSES = [
    (
        "Act! Sales Process",
        [
            ("Initial Communication", 10),
            ("Needs Assessment", 25),
            ("Presentation", 40),
            ("Proposal", 60),
            ("Negotiation", 80),
            ("Commitment", 90),
            ("Closed", 100),
        ],
    ),
    ("Partner Onboarding", [("Qualification", 20), ("Contract", 60), ("Enablement", 90)]),
]
ATTACHMENTS = [
    ("Proposal_v2", ".pdf", "Adobe Acrobat Document"),
    ("Angebot Müller", ".docx", "Microsoft Word Document"),
    ("pricing", ".xlsx", "Microsoft Excel Worksheet"),
    ("photo", ".jpg", "JPEG image"),
]
USER_NAMES = [
    ("Chris", "Huffman"),
    ("Allison", "Mikola"),
    ("Betty", "Browser"),
    ("Fred", "Mendez"),
    ("Juliette", "Rosseux"),
    ("Sarah", "Whiting"),
]
ROLES = ["Administrator", "Manager", "Standard", "Standard", "Restricted", "Browse"]
TASK_TYPES = [  # (name, description, color, history types [(name, clearType)])
    (
        "Call",
        "Phone call",
        "#00b19e",
        [
            ("Call Completed", "COMPLETED"),
            ("Call Attempted", "OTHER"),
            ("Call Left Message", "OTHER"),
            ("Call Not Completed", "NOTCOMPLETED"),
        ],
    ),
    ("Meeting", "Meeting", "#fe5000", [("Meeting Held", "COMPLETED"), ("Meeting Not Held", "NOTCOMPLETED")]),
    ("To-Do", "To-do", "#566bee", [("To-do Done", "COMPLETED"), ("To-do Not Done", "NOTCOMPLETED")]),
    ("Personal Activity", "Personal activity", "#9d04b8", [("Personal Activity Completed", "COMPLETED")]),
    ("Vacation", "Time off", "#03b3ff", [("Vacation Taken", "COMPLETED")]),
    ("Marketing Call", "Marketing call", "#e5cd48", [("Marketing Call Completed", "COMPLETED")]),
    ("E-mail", "E-mail", "#be2951", [("E-mail Sent", "COMPLETED")]),
    ("Letter", "Letter", "#26906f", [("Letter Sent", "COMPLETED")]),
    ("Fax", "Fax", "#008cc5", [("Fax Sent", "COMPLETED")]),
    ("Demo", "Product demo", "#263690", [("Demo Given", "COMPLETED"), ("Demo Cancelled", "ERASED")]),
    ("Site Visit", "Visit at the customer's site", "#00b19e", [("Site Visit Done", "COMPLETED")]),
    ("Follow-up", "Follow-up (custom)", "#fe5000", [("Follow-up Done", "COMPLETED")]),
    ("Webinar", "Webinar attendance", "#566bee", [("Webinar Attended", "COMPLETED")]),
    ("Lunch", "Business lunch", "#9d04b8", [("Lunch Held", "COMPLETED")]),
]
BUILTIN_TASK_TYPES = 9
PRIORITIES = [(0, "Low"), (1, "Medium"), (2, "High")]
DURATIONS = [("00:15:00", 15), ("00:30:00", 30), ("01:00:00", 60), ("01:30:00", 90), ("02:00:00", 120)]
CF_MEMOS = ["Call after 2 pm.\r\nAsk for the purchasing dept.", "Renewal risk – see notes.", "Línea directa."]


def _size_display(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size // 1024:,} KB" if size < 1_048_576 else f"{size / 1_048_576:.1f} MB"


def _timeline(rng: random.Random, n: int) -> Iterator[tuple[int, int, int | None]]:
    """(created, edited, import ticks or None) for n records: spread over 2018-2025, with one bulk-import run of
    150-800 records sharing a cursor per 2,500 records, and small mass-edit ties of 2-12 records."""
    r = rng.random
    span = GENERATED_UNTIL_TICKS - GENERATED_FROM_TICKS
    index = 0
    while index < n:
        segment_end = min(n, index + 2_500)
        run_start = index + int(r() * (segment_end - index))
        while index < segment_end:
            if index == run_start:  # a bulk import: created = edited = importDate for (nearly) all of them
                stamp = GENERATED_FROM_TICKS + int(r() * (span - 30 * DAY))
                length = min(n - index, 150 + int(r() * 650))
                for _ in range(length):
                    if r() < 0.03:  # edited by hand after the import
                        yield stamp, stamp + 1 + int(r() * (GENERATED_UNTIL_TICKS - stamp - 1)), stamp
                    else:
                        yield stamp, stamp, stamp
                index += length
                continue
            if r() < 0.01:  # a mass edit: several records share one edited value
                edited = GENERATED_FROM_TICKS + DAY + int(r() * (span - DAY))
                room = (run_start if index < run_start else segment_end) - index  # never skip the import run
                for _ in range(min(room, 2 + int(r() * 11))):
                    yield edited - int(r() * r() * (edited - GENERATED_FROM_TICKS)), edited, None
                    index += 1
                continue
            created = GENERATED_FROM_TICKS + int((r() ** 0.7) * span)
            u = r()
            edited = created if u < 0.3 else created + int((u - 0.3) / 0.7 * r() * (GENERATED_UNTIL_TICKS - created))
            if u > 0.85:
                edited -= edited % SECOND  # some clients write whole seconds
            elif u > 0.75:
                edited -= edited % 10_000  # ... or milliseconds
            yield min(created, edited), edited, None
            index += 1


class RecordGenerator:
    """Records for the emulator: `generate(table)` streams the initial ones, `new_record`/`edited_record` make the
    inserts and updates the control API asks for."""

    def __init__(self, seed: int, counts: dict[str, int]):
        self.seed = seed
        self.counts = {name: max(0, int(counts.get(name, 0))) for name in TABLES}
        self._salts = {name: _salt(seed, name) for name in list(TABLES) + ["cf", "edit"]}
        self._inserted = {name: 0 for name in TABLES}
        self._insert_rng = {name: random.Random(f"{seed}/{name}/insert") for name in TABLES}
        self._edit_rng = random.Random(f"{seed}/edit")
        self.custom_fields = {rt: list(fields) for rt, fields in cf.CUSTOM_FIELDS.items()}
        self._cf_pools: dict[str, list[dict]] = {}
        self._stages = self._make_stages()
        self._templates = {name: dict.fromkeys(spec.properties_of(t.definition)) for name, t in TABLES.items()}
        self._address_pool, self._phone_pool = self._make_location_pools()
        self._ref_names = {
            "companies": lambda k: self._company_identity(k)[0],
            "groups": self._group_name,
            "opportunities": self._opportunity_name,
        }
        self._user_cache: dict[int, tuple] = {}
        self._company_cache: dict[int, tuple] = {}
        self._group_members: list[list[int]] | None = None
        self._association_rng = random.Random(f"{seed}/company_contacts")
        self._builders: dict[str, Callable[..., dict]] = {
            "contacts": self._contact,
            "companies": self._company,
            "opportunities": self._opportunity,
            "activities": self._activity,
            "activity_types": self._activity_type,
            "products": self._product,
            "groups": self._group,
            "notes": self._note,
            "histories": self._history,
            "users": self._user,
            "opportunity_products": self._opportunity_product,
        }

    # -- public interface ---------------------------------------------------------------------------------------
    def generate(self, table: str) -> Iterator[dict]:
        n = self.counts[table]
        rng = random.Random(f"{self.seed}/{table}")
        build = self._builders[table]
        for index, (created, edited, imported) in enumerate(_timeline(random.Random(f"{self.seed}/{table}/t"), n)):
            yield build(index, rng, created, edited, imported)

    def new_record(self, table: str, ticks: int, created_ticks: int | None = None) -> dict:
        """A record inserted now: edited at `ticks`, created at `created_ticks` (default the same; a server whose
        clocks disagree stamps them apart)."""
        index = self.counts[table] + self._inserted[table]
        self._inserted[table] += 1
        created = ticks if created_ticks is None else created_ticks
        return self._builders[table](index, self._insert_rng[table], created, ticks, None)

    def edited_record(self, table: str, record: dict, ticks: int) -> dict:
        out = dict(record)
        cursor = TABLES[table].cursor_field
        if cursor:
            out[cursor] = fmt(ticks)
        if table == "opportunity_products":
            out["editDate"] = out["edited"]
        r = self._edit_rng.random
        user = self._user_ref(r)
        for key in ("editedBy", "editUserName"):
            if key in out and user:
                out[key] = user[1]
        if "editUserID" in out and user:
            out["editUserID"] = user[0]
        field = EDIT_FIELDS[table]
        old = out.get(field)
        if table == "products":
            out["price"] = round((old or 10.0) * (1.03 + r() * 0.2), 2)
        elif table == "opportunity_products":
            out["quantity"] = float((old or 0.0) + 1 + int(r() * 5))
            out["total"] = round((out["discountPrice"] or 0.0) * out["quantity"], 2)
        elif table == "users":
            out["lastLogOnDate"] = fmt(ticks) if fmt(ticks) != old else fmt(ticks + 1)
        else:
            pool = {
                "jobTitle": TITLES,
                "industry": INDUSTRIES,
                "competitor": COMPETITORS,
                "subject": SUBJECTS,
                "noteText": NOTES,
                "regarding": REGARDING,
                "description": DESCRIPTIONS,
            }[field]
            value = _pick(r, pool)
            out[field] = value if value != old else pool[(pool.index(value) + 1) % len(pool)]
        return out

    # -- many-to-many relations (served as associated-* lists, not embedded) -----------------------------------
    def group_memberships(self) -> list[list[int]]:
        """Contact indices of each generated group (seeded, computed once): a tenth of the groups are empty, one in
        twenty is a big list (up to 1,500 members), the rest have 1..300 (at most half the contacts each); members
        are drawn independently per group, so a contact is in 0..several groups. When groups are many for the
        contacts, sizes shrink so that a contact is in three groups on average, not dozens."""
        if self._group_members is None:
            rng = random.Random(f"{self.seed}/group_contacts")
            r = rng.random
            nc = self.counts["contacts"]
            usual, big = min(300, max(1, nc // 2)), min(1_500, max(1, nc // 2))
            sizes = []
            for _ in range(self.counts["groups"]):
                u = r()
                if u < 0.1 or not nc:
                    sizes.append(0)
                elif u > 0.95:
                    sizes.append(big // 4 + int(r() * (big - big // 4 + 1)))
                else:
                    sizes.append(1 + int(r() ** 2 * usual))
            total = sum(sizes)
            if total > 3 * nc:
                sizes = [max(1, size * 3 * nc // total) if size else 0 for size in sizes]
            self._group_members = [rng.sample(range(nc), min(size, nc)) for size in sizes]
        return self._group_members

    def company_associations(self, contact: dict) -> list[str]:
        """Ids of the companies a generated contact is associated with, called once per contact in generation
        order: its primary company (`companyID`) nearly always, and for one contact in sixteen one or two more
        (a consultant working for several clients)."""
        r = self._association_rng.random
        out = []
        primary = contact.get("companyID")
        if primary and r() < 0.97:
            out.append(primary)
        nc = self.counts["companies"]
        if nc > 1 and r() < 0.0625:
            for _ in range(1 + int(r() * 2)):
                company = id_for("companies", int(r() * nc), self.seed)
                if company not in out:
                    out.append(company)
        return out

    def custom_field_columns(self, record_type: str) -> list[dict]:
        """MetaData.Schema.Column dicts of the custom fields that records of `record_type` carry."""
        canonical = next((rt for rt in self.custom_fields if rt.lower() == record_type.lower()), None)
        if canonical is None:
            return []
        return [self._column(canonical, field) for field in self.custom_fields[canonical]]

    def add_custom_field(self, record_type: str, field: cf.CustomField) -> dict:
        """Add a custom field for records made from now on (control API); returns its Column."""
        canonical = self._record_type(record_type)
        self.custom_fields.setdefault(canonical, []).append(field)
        self._cf_pools.pop(canonical, None)
        return self._column(canonical, field)

    def find_custom_field(self, record_type: str, name: str) -> cf.CustomField | None:
        return next((f for f in self.custom_fields.get(self._record_type(record_type), []) if f.name == name), None)

    def rename_custom_field(self, record_type: str, name: str, new_name: str, ticks: int) -> dict:
        """Rename a field, keeping its identity (metadata id, column name, createDate); returns its new Column."""
        field = self._existing_field(record_type, name)
        return self._replace_field(
            record_type, field, replace(field, name=new_name, key=field.key or field.name, edited_ticks=ticks)
        )

    def retype_custom_field(self, record_type: str, name: str, data_type: str, ticks: int) -> tuple[str, dict]:
        """Change a field's Act! type, keeping its identity; returns (the old type, the new Column)."""
        field = self._existing_field(record_type, name)
        new = replace(
            field, data_type=data_type, key=field.key or field.name, edited_ticks=ticks, choices=(), drop_down=False
        )
        return field.data_type, self._replace_field(record_type, field, new)

    def delete_custom_field(self, record_type: str, name: str) -> dict:
        """Remove a field; returns the Column it had."""
        field = self._existing_field(record_type, name)
        canonical = self._record_type(record_type)
        self.custom_fields[canonical].remove(field)
        self._cf_pools.pop(canonical, None)
        return self._column(canonical, field)

    def _record_type(self, record_type: str) -> str:
        return next((rt for rt in self.custom_fields if rt.lower() == record_type.lower()), record_type)

    def _existing_field(self, record_type: str, name: str) -> cf.CustomField:
        field = self.find_custom_field(record_type, name)
        if field is None:
            raise ValueError(f"{record_type} has no custom field {name!r}")
        return field

    def _replace_field(self, record_type: str, old: cf.CustomField, new: cf.CustomField) -> dict:
        canonical = self._record_type(record_type)
        fields = self.custom_fields[canonical]
        fields[fields.index(old)] = new
        self._cf_pools.pop(canonical, None)
        return self._column(canonical, new)

    # -- identities: pure functions of (seed, table, index) ------------------------------------------------------
    def _user_identity(self, k: int) -> tuple[str, str, str, str, str]:
        """(id, first, last, display name, e-mail) of the k-th user."""
        if k < len(USER_NAMES):
            first, last = USER_NAMES[k]
        else:
            h = _mix(self._salts["users"], k)
            first, last = FIRST[h % len(FIRST)], LAST[(h >> 16) % len(LAST)]
        email = f"{_ascii(first)}.{_ascii(last)}@act-demo.example"
        return id_for("users", k, self.seed), first, last, f"{first} {last}", email

    def _user_ref(self, r) -> tuple[str, str] | None:
        n = self.counts["users"]
        if not n:
            return None
        k = int(r() * n)
        ref = self._user_cache.get(k)
        if ref is None:
            ident = self._user_identity(k)
            ref = (ident[0], ident[3])
            if len(self._user_cache) < 100_000:
                self._user_cache[k] = ref
        return ref

    def _company_identity(self, k: int) -> tuple[str, str]:
        """(name, e-mail domain) of the k-th company."""
        h = _mix(self._salts["companies"], k)
        head = h % len(COMPANY_HEAD)
        name = f"{COMPANY_HEAD[head]} {COMPANY_TAIL[(h >> 8) % len(COMPANY_TAIL)]}"
        return name, f"{COMPANY_HEAD_A[head]}{(h >> 20) % 100 if k >= 400 else ''}.example"

    def _company_ref(self, k: int) -> tuple[str, str, str]:
        """(id, name, domain) of the k-th company, cached: contacts point at the same companies over and over."""
        ref = self._company_cache.get(k)
        if ref is None:
            ref = (id_for("companies", k, self.seed), *self._company_identity(k))
            if len(self._company_cache) < 200_000:
                self._company_cache[k] = ref
        return ref

    def _contact_identity(self, k: int) -> tuple:
        """(first, last, full name, e-mail, company index or None, prefix, middle, suffix) of the k-th contact;
        the first contacts are the users' own records."""
        h = _mix(self._salts["contacts"], k)
        if k < self.counts["users"]:
            _, first, last, full, email = self._user_identity(k)
            return first, last, full, email, None, None, None, None
        fi, li = h % len(FIRST), (h >> 8) % len(LAST)
        nc = self.counts["companies"]
        company = (h >> 16) % nc if nc and (h >> 40) % 100 < 80 else None
        domain = self._company_ref(company)[2] if company is not None else "mail.example"
        extra = (h >> 47) % 1000
        prefix = PREFIXES[extra % len(PREFIXES)] if extra < 250 else None
        middle = MIDDLE[extra % len(MIDDLE)] if 250 <= extra < 400 else None
        suffix = SUFFIXES[extra % len(SUFFIXES)] if extra >= 960 else None
        first, last = FIRST[fi], LAST[li]
        full = (
            " ".join(p for p in (prefix, first, middle, last, suffix) if p)
            if extra < 400 or suffix
            else f"{first} {last}"
        )
        return first, last, full, f"{FIRST_A[fi]}.{LAST_A[li]}@{domain}", company, prefix, middle, suffix

    def _full_name(self, k: int) -> str:
        return self._contact_identity(k)[2]

    def _group_name(self, k: int) -> str:
        return GROUP_NAMES[k] if k < len(GROUP_NAMES) else f"{GROUP_NAMES[k % len(GROUP_NAMES)]} #{k}"

    def _opportunity_name(self, k: int) -> str:
        h = _mix(self._salts["opportunities"], k)
        nc = self.counts["companies"]
        who = self._company_identity(h % nc)[0] if nc else self._full_name(h % max(1, self.counts["contacts"]))
        return f"{OPP_NAMES[(h >> 20) % len(OPP_NAMES)]} – {who}"

    def _product_identity(self, k: int) -> tuple[str, str, float, float]:
        """(name, item number, cost, price) of the k-th product."""
        h = _mix(self._salts["products"], k)
        name = PRODUCT_NAMES[h % len(PRODUCT_NAMES)] + PRODUCT_VARIANTS[(h >> 8) % len(PRODUCT_VARIANTS)]
        price = round(5 + (h >> 16) % 500_000 / 100, 2)
        return name, f"SKU-{10_000 + k}", round(price * (0.35 + (h >> 40) % 40 / 100), 2), price

    def _task_type_name(self, k: int) -> str:
        return TASK_TYPES[k][0] if k < len(TASK_TYPES) else f"Custom Type {k + 1}"

    # -- embedded references -----------------------------------------------------------------------------------
    def _emb_contacts(self, r, most: int, activity: bool = False) -> tuple[list[dict], tuple | None]:
        """(embedded contacts, identity of the first one) for the `contacts` array of a record."""
        n = self.counts["contacts"]
        out, first_identity = [], None
        for _ in range(min(n, int(r() * (most + 1)))):
            k = int(r() * n)
            ident = self._contact_identity(k)
            first_identity = first_identity or ident
            if activity:
                out.append(
                    {
                        "id": id_for("contacts", k, self.seed),
                        "displayName": ident[2],
                        "emailAddress": ident[3],
                        "isInvited": r() < 0.2,
                    }
                )
            else:
                out.append(
                    {
                        "id": id_for("contacts", k, self.seed),
                        "displayName": ident[2],
                        "company": self._company_identity(ident[4])[0] if ident[4] is not None else None,
                        "isInvited": False,
                    }
                )
        return _distinct(out), first_identity

    def _emb(self, r, table: str, most: int) -> list[dict]:
        """EmbeddedCompany / EmbeddedGroup / EmbeddedOpportunity items ({"id", "name"}) of existing records."""
        n = self.counts[table]
        name = self._ref_names[table]
        return _distinct(
            [
                {"id": id_for(table, k, self.seed), "name": name(k)}
                for k in (int(r() * n) for _ in range(min(n, int(r() * (most + 1)))))
            ]
        )

    # -- shared pieces -----------------------------------------------------------------------------------------
    def _make_location_pools(self) -> tuple[list[list[dict]], list[list[tuple]]]:
        """Per location, 128 addresses and 256 phone numbers; records copy one (drawing them is too slow)."""
        rng = random.Random(f"{self.seed}/locations")
        r = rng.random
        addresses, phones = [], []
        for city, state, country, postals, lat, lon, dial, areas, streets in LOCATIONS:
            pool = []
            for _ in range(128):
                geo = r() < 0.3
                pool.append(
                    {
                        "line1": _pick(r, streets).format(n=1 + int(r() * 999)),
                        "line2": _pick(r, LINE2) if r() < 0.2 else None,
                        "line3": "Attn: Receiving" if r() < 0.03 else None,
                        "city": city,
                        "state": state,
                        "postalCode": _pick(r, postals),
                        "country": country,
                        "latitude": round(lat + r() * 0.1 - 0.05, 6) if geo else None,
                        "longitude": round(lon + r() * 0.1 - 0.05, 6) if geo else None,
                    }
                )
            addresses.append(pool)
            numbers = []
            for _ in range(256):
                n, area = int(r() * 10_000_000), _pick(r, areas)
                text = f"({area}) {n // 10_000 % 1000:03d}-{n % 10_000:04d}" if dial == 1 else f"{area} {n:07d}"
                numbers.append((text, dial, MASKS[dial]))
            phones.append(numbers)
        return addresses, phones

    def _address(self, r, empty_share: float = 0.1, li: int | None = None) -> dict:
        if r() < empty_share:
            return dict(_EMPTY_ADDRESS)
        pool = self._address_pool[int(r() * len(LOCATIONS)) if li is None else li]
        return dict(pool[int(r() * 128)])

    def _phone(self, r, li: int | None = None) -> tuple[str, int, str]:
        return self._phone_pool[int(r() * len(LOCATIONS)) if li is None else li][int(r() * 256)]

    def _custom_values(self, record_type: str, r) -> dict:
        pool = self._cf_pools.get(record_type)
        if pool is None:
            pool = self._cf_pools[record_type] = self._make_cf_pool(record_type)
        return dict(pool[int(r() * len(pool))])

    def _make_cf_pool(self, record_type: str) -> list[dict]:
        """1,024 customFields maps drawn per field type; records copy one (fast, and still varied)."""
        rng = random.Random(f"{self.seed}/cf/{record_type}")
        r = rng.random
        span = GENERATED_UNTIL_TICKS - GENERATED_FROM_TICKS
        pool = []
        for _ in range(1024):
            values: dict[str, Any] = {}
            for f in self.custom_fields[record_type]:
                if r() < f.null_share:
                    values[f.name] = None
                    continue
                kind = f.data_type
                if kind in ("Date", "AnnualEvent"):
                    value: Any = fmt(GENERATED_FROM_TICKS - 3650 * DAY + int(r() * 4700) * DAY)
                elif kind == "DateTime":
                    value = fmt(GENERATED_FROM_TICKS + int(r() * span))
                elif kind == "Number":
                    low, high = f.choices or (0, 1000)
                    value = low + int(r() * (high - low + 1))
                elif kind in ("Currency", "Decimal"):
                    low, high = f.choices or (0, 1000)
                    value = round(low + r() * (high - low), 2 if kind == "Currency" else f.scale)
                elif kind == "YesNo":
                    value = r() < 0.3
                elif kind == "Email":
                    value = f"{_pick(r, FIRST_A)}.{_pick(r, LAST_A)}@{_pick(r, COMPANY_HEAD_A)}.example"
                elif kind == "URL":
                    value = f"https://www.linkedin.com/in/{_pick(r, FIRST_A)}-{_pick(r, LAST_A)}-{int(r() * 999)}"
                elif kind == "Phone":
                    value = self._phone(r)[0]
                elif kind == "Memo":
                    value = _pick(r, CF_MEMOS)
                elif f.choices:
                    value = _pick(r, f.choices)
                else:
                    value = f"{int(r() * 1e9):09d}"
                values[f.name] = value
            pool.append(values)
        return pool

    def _column(self, record_type: str, field: cf.CustomField) -> dict:
        key = f"{self.seed}/field/{record_type}/{field.key or field.name}"
        h = int.from_bytes(_digest(key, 8), "big")
        created = field.created_ticks or GENERATED_FROM_TICKS - 400 * DAY + h % (300 * DAY)
        edited = field.edited_ticks or created + h % (900 * DAY)
        numeric = field.data_type in ("Number", "Currency", "Decimal")
        text = cf.python_type(field.data_type) is str and field.data_type not in ("Date", "AnnualEvent", "DateTime")
        return {
            "id": _guid(key),
            "name": field.name,
            "columnName": cf.column_name(field, h % 1_000_000),
            "recordType": record_type,
            "aliasName": field.name,
            "columnType": cf.column_type(field),
            "displayName": field.name,
            "tableName": cf.TABLE_NAMES.get(record_type, "TBL_" + record_type.upper()),
            "type": cf.dotnet_type(field),
            "dataType": field.data_type,
            "virtualId": None,
            "virtualType": None,
            "virtualObject": None,
            "virtualField": None,
            "length": (None if field.data_type == "Memo" else field.length) if text else None,
            "minimumLength": 0 if text else None,
            "precision": 18 if numeric else None,
            "scale": (2 if field.data_type == "Currency" else field.scale) if numeric else None,
            "minValue": None,
            "maxValue": None,
            "defaultValue": None,
            "fieldFormat": {"Currency": "C2", "Date": "d", "AnnualEvent": "d", "DateTime": "g"}.get(field.data_type),
            "formula": None,
            "calcDisplay": None,
            "isAllowBlank": True,
            "isCustom": True,
            "isDefinedField": False,
            "isDisplayed": True,
            "isNullable": True,
            "isPrimary": False,
            "isProtected": False,
            "isReadOnly": False,
            "isTracked": field.tracked,
            "isVirtual": False,
            "createDate": fmt(created),
            "editDate": fmt(edited),
            "changeEvent": None,
            "enterEvent": None,
            "leaveEvent": None,
            "picklist": cf.picklist_info(field, _guid(key + "/picklist")),
        }

    def _make_stages(self) -> list[list[dict]]:
        out = []
        for p, (pname, stages) in enumerate(PROCESSES):
            process = {
                "id": _guid(f"{self.seed}/process/{p}"),
                "name": pname,
                "description": f"{pname} (default)",
                "status": "Active",
                "stagesCount": len(stages),
                "stages": None,
            }
            out.append(
                [
                    {
                        "id": _guid(f"{self.seed}/stage/{p}/{s}"),
                        "name": name,
                        "description": f"{name} – {prob}%",
                        "probability": prob,
                        "number": s + 1,
                        "process": process,
                    }
                    for s, (name, prob) in enumerate(stages)
                ]
            )
        return out

    def _between(self, r, low: int, high: int) -> int:
        return low + int(r() * (high - low)) if high > low else low

    def _hierarchy(self, table: str, index: int, every: int) -> tuple[str | None, bool, int]:
        """(parentID, has children, level): records 1 and 2 of every `every` are children of record 0."""
        pos = index % every
        if pos in (1, 2) and index < self.counts[table]:
            return id_for(table, index - pos, self.seed), False, 2
        return None, pos == 0 and index + 1 < self.counts[table], 1

    # -- builders: (index, rng, created ticks, edited ticks, import ticks or None) -> record ----------------------
    def _contact(self, i, rng, created, edited, imported):
        # Filling a copy of the all-null template is ~5x faster than a 70-key dict literal.
        r = rng.random
        first, last, full, email, company, prefix, middle, suffix = self._contact_identity(i)
        d = self._templates["contacts"].copy()
        d["id"] = id_for("contacts", i, self.seed)
        if r() < 0.7:
            d["idStatus"] = ID_STATUS[int(r() * len(ID_STATUS))]
        is_user = i < self.counts["users"]
        d["isUser"] = is_user
        if company is not None:
            d["companyID"], d["company"], domain = self._company_ref(company)
            if r() < 0.4:
                d["website"] = "https://www." + domain
        elif r() < 0.5:
            d["company"] = COMPANY_HEAD[int(r() * len(COMPANY_HEAD))] + " Freelance"
        if r() < 0.4:
            d["department"] = DEPARTMENTS[int(r() * len(DEPARTMENTS))]
        d["contactType"] = "User" if is_user else "Contact"
        d["namePrefix"], d["firstName"], d["middleName"] = prefix, first, middle
        d["lastName"], d["nameSuffix"], d["fullName"] = last, suffix, full
        d["isFavorite"] = r() < 0.1
        created_text = fmt(created)
        d["isImported"] = imported is not None
        if imported is not None:
            d["importDate"] = created_text if imported == created else fmt(imported)
        d["isPrivate"] = r() < 0.05
        if edited > created:
            span = edited - created
            if r() < 0.6:
                d["lastResults"] = LAST_RESULTS[int(r() * len(LAST_RESULTS))]
            for key in _LAST_FIELDS:
                if r() < 0.35:
                    d[key] = fmt(created + int(r() * span))
        local = email[: email.index("@")]
        if r() < 0.05:
            d["messengerID"] = f"{local.split('.')[0]}{int(r() * 97)}"
        if r() < 0.2:
            d["referredBy"] = REFERRED[int(r() * len(REFERRED))]
        d["salutation"] = first if r() < 0.85 else f"{prefix or 'Dr.'} {last}"
        if r() < 0.75:
            d["jobTitle"] = TITLES[int(r() * len(TITLES))]
        if r() < 0.4:
            d["amaScore"] = int(r() * 101)
        if r() < 0.9:
            d["emailAddress"] = email
        if r() < 0.1:
            d["altEmailAddress"] = f"{local}@{COMPANY_HEAD_A[int(r() * len(COMPANY_HEAD_A))]}.example"
        if r() < 0.3:
            d["personalEmailAddress"] = f"{local}{int(r() * 99)}@mail.example"
        if r() < 0.25:
            d["birthday"] = fmt(_BIRTHDAYS_FROM + int(r() * 18_000) * DAY)
        loc = int(r() * len(LOCATIONS))
        d["businessAddress"] = self._address(r, 0.1, loc)
        d["businessPhone"], d["businessCountryCode"], d["businessMaskFormat"] = self._phone(r, loc)
        if r() < 0.15:
            d["businessExtension"] = str(100 + int(r() * 900))
        if r() < 0.6:
            d["mobilePhone"], d["mobileCountryCode"], d["mobileMaskFormat"] = self._phone(r, loc)
        if r() < 0.15:
            d["faxPhone"], d["faxCountryCode"], d["faxMaskFormat"] = self._phone(r, loc)
        d["homeAddress"] = self._address(r, 0.7)
        if r() < 0.25:
            d["homePhone"], d["homeCountryCode"], d["homeMaskFormat"] = self._phone(r, loc)
        if r() < 0.03:
            d["alternatePhone"], d["alternateCountryCode"], d["alternateMaskFormat"] = self._phone(r)
        d["aemOptOut"] = r() < 0.05
        d["aemBounceBack"] = r() < 0.02
        user = self._user_ref(r)
        if user:
            d["recordManagerID"], d["recordManager"] = user
            d["editedBy"] = self._user_ref(r)[1]
        if r() < 0.03:
            d["quickbooksId"] = str(80000 + i)
        d["customFields"] = self._custom_values("Contact", r)
        d["created"] = created_text
        d["edited"] = created_text if edited == created else fmt(edited)
        return d

    def _company(self, i, rng, created, edited, imported):
        r = rng.random
        name, domain = self._company_identity(i)
        loc = int(r() * len(LOCATIONS))
        parent, has_children, level = self._hierarchy("companies", i, 10)
        user = self._user_ref(r)
        address = self._address(r, 0.05, loc)
        return {
            "id": id_for("companies", i, self.seed),
            "name": name,
            "address": address,
            "billingAddress": dict(address) if r() < 0.5 else self._address(r, 0.4),
            "description": _pick(r, DETAILS[:-1]) if r() < 0.3 else None,
            "division": _pick(r, ["EMEA", "Americas", "Retail", "Service"]) if parent else None,
            "fax": self._phone(r, loc)[0] if r() < 0.2 else None,
            "faxExtension": None,
            "hasDivisions": has_children,
            "hierarchyLevel": level,
            "idStatus": _pick(r, ID_STATUS) if r() < 0.7 else None,
            "importDate": fmt(imported) if imported is not None else None,
            "industry": _pick(r, INDUSTRIES) if r() < 0.8 else None,
            "isPrivate": r() < 0.03,
            "acl": None,
            "numberOfEmployees": int(r() ** 3 * 20_000) + 1 if r() < 0.6 else None,
            "rootParentID": parent,
            "parentID": parent,
            "phone": self._phone(r, loc)[0],
            "phoneExtension": None,
            "referredBy": _pick(r, REFERRED) if r() < 0.2 else None,
            "region": _pick(r, cf._REGIONS) if r() < 0.5 else None,
            "revenue": round(r() ** 2 * 50_000_000, 2) if r() < 0.5 else None,
            "shippingAddress": self._address(r, 0.6),
            "sicCode": str(1000 + int(r() * 8999)) if r() < 0.3 else None,
            "territory": _pick(r, ["North", "South", "East", "West", "Central"]) if r() < 0.4 else None,
            "tickerSymbol": name[:4].upper().replace(" ", "") if r() < 0.05 else None,
            "tollFreePhone": f"(800) {int(r() * 900) + 100}-{int(r() * 9000) + 1000}" if r() < 0.1 else None,
            "tollFreeExtension": None,
            "website": f"https://www.{domain}" if r() < 0.8 else None,
            "recordManagerID": user[0] if user else None,
            "customFields": self._custom_values("Company", r),
            "created": fmt(created),
            "edited": fmt(edited),
            "editedBy": self._user_ref(r)[1] if user else None,
            "recordManager": user[1] if user else None,
        }

    def _opportunity(self, i, rng, created, edited, imported):
        r = rng.random
        u = r()
        status = "Open" if u < 0.5 else "Won" if u < 0.75 else "Lost" if u < 0.9 else "Inactive"
        stages = _pick(r, self._stages)
        stage = stages[-1] if status == "Won" else _pick(r, stages[:-1])
        stage = {**stage, "process": dict(stage["process"])}
        probability = 100 if status == "Won" else 0 if status == "Lost" else stage["probability"]
        total = round(r() ** 2 * 250_000, 2)
        contacts = self._emb_contacts(r, 3)[0]
        companies, groups = self._emb(r, "companies", 2), self._emb(r, "groups", 1)
        closed = status in ("Won", "Lost")
        close = self._between(r, created, edited) if closed else None
        stage_start = self._between(r, created, edited)
        user = self._user_ref(r)
        return {
            "id": id_for("opportunities", i, self.seed),
            "name": self._opportunity_name(i),
            "actualCloseDate": fmt(close) if close else None,
            "companies": companies,
            "competitor": _pick(r, COMPETITORS) if r() < 0.3 else None,
            "contactNames": ", ".join(c["displayName"] for c in contacts) or None,
            "contacts": contacts,
            "creator": self._user_ref(r)[1] if user else None,
            "daysOpen": int(((close or edited) - created) // DAY),
            "daysInStage": int((edited - stage_start) // DAY),
            "estimatedCloseDate": fmt(self._between(r, created, GENERATED_UNTIL_TICKS - DAY) // DAY * DAY),
            "stageStartDate": fmt(stage_start),
            "grossMargin": round(total * (0.2 + r() * 0.5), 2),
            "groups": groups,
            "isPrivate": r() < 0.05,
            "acl": None,
            "openDate": fmt(created),
            "probability": probability,
            "productTotal": total,
            "product": _pick(r, PRODUCT_NAMES) if r() < 0.4 else None,
            "reason": _pick(r, LOST_REASONS) if status == "Lost" else None,
            "source": _pick(r, REFERRED) if r() < 0.3 else None,
            "sourceId": None,
            "stage": stage,
            "status": status,
            "statusName": status,
            "importDate": fmt(imported) if imported is not None else None,
            "totalPerCompany": round(total / len(companies), 2) if companies else None,
            "totalPerContact": round(total / len(contacts), 2) if contacts else None,
            "totalPerGroup": round(total / len(groups), 2) if groups else None,
            "weightedTotal": round(total * probability / 100, 2),
            "quickbooksInvoiceId": f"INV-{1000 + i}" if status == "Won" and r() < 0.1 else None,
            "relatedEntitiesResolver": False,
            "recordManagerID": user[0] if user else None,
            "customFields": self._custom_values("Opportunity", r),
            "created": fmt(created),
            "edited": fmt(edited),
            "editedBy": self._user_ref(r)[1] if user else None,
            "recordManager": user[1] if user else None,
        }

    def _attachment(self, r, at: int) -> dict | None:
        if r() > 0.08:
            return None
        stem, ext, kind = _pick(r, ATTACHMENTS)
        size = int(r() ** 2 * 5_000_000) + 200
        return {
            "displayName": stem + ext,
            "fileExtension": ext,
            "fileName": f"C:\\ACT\\Attachments\\{stem}{ext}",
            "fileSize": size,
            "fileSizeDisplay": _size_display(size),
            "fileType": kind,
            "lastModified": fmt(at),
            "personal": r() < 0.2,
        }

    def _details(self, r) -> str | None:
        u = r()
        if u < 0.25:
            return None
        if u < 0.35:
            first, second = _pick(r, RTF_BODIES)
            return RTF.replace("<A>", first).replace("<B>", second)
        return _pick(r, DETAILS)

    def _activity(self, i, rng, created, edited, imported):
        r = rng.random
        n_types = self.counts["activity_types"]
        type_k = int(r() * n_types) if n_types else None
        all_day, timeless = r() < 0.05, r() < 0.1
        duration, minutes = ("1.00:00:00", 1440) if all_day else _pick(r, DURATIONS)
        # generated activities end before GENERATED_UNTIL; inserted ones may be scheduled up to a month ahead
        latest = created + 30 * DAY if i >= self.counts["activities"] else GENERATED_UNTIL_TICKS - 3 * DAY
        start = self._between(r, min(created, latest), min(edited + 60 * DAY, latest))
        start -= start % (DAY if all_day or timeless else 15 * MINUTE)
        end = start + minutes * MINUTE
        alarmed = r() < 0.3
        recurring = r() < 0.1
        aid = id_for("activities", i, self.seed)
        contacts = self._emb_contacts(r, 3, activity=True)[0]
        companies = self._emb(r, "companies", 1)
        priority = _pick(r, PRIORITIES)
        by, to = self._user_ref(r), self._user_ref(r)
        recur = None
        if recurring:
            endless = r() < 0.3
            kind = _pick(r, ["Daily", "Weekly", "Weekly", "Monthly", "Yearly"])
            weekday = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][
                ((start - UNIX_EPOCH_TICKS) // DAY + 4) % 7
            ]
            recur = {
                "seriesStart": fmt(start),
                "day": {
                    "dayAsInt": ((start - UNIX_EPOCH_TICKS) // DAY + 4) % 7,
                    "daysOfWeek": [weekday],
                    "typedDay": "None",
                    "dayType": "Named" if kind == "Weekly" else "Numbered",
                    "ordinal": "None",
                },
                "seriesEnd": None if endless else fmt(min(start + int(r() * 300) * DAY, GENERATED_UNTIL_TICKS - DAY)),
                "isEndless": endless,
                "month": 0,
                "frequency": 1 + int(r() * 2),
                "recurType": kind,
            }
        return {
            "id": aid,
            "isCleared": start < edited and r() < 0.7,
            "isAlarmCleared": alarmed and r() < 0.5,
            "isAlarmed": alarmed,
            "leadMinutes": 15 if alarmed else 0,
            "alarmDue": fmt(start - 15 * MINUTE) if alarmed else None,
            "seriesID": _guid(f"{self.seed}/series/{i}") if recurring else aid,
            "originalTime": fmt(start),
            "startTime": fmt(start),
            "endTime": fmt(end),
            "duration": duration,
            "externalId": f"AAMkAD{_mix(self._salts['activities'], i):x}=" if r() < 0.1 else None,
            "calendarUid": f"{_guid(f'{self.seed}/uid/{i}')}@calendar.example" if r() < 0.1 else None,
            "accessorId": None,
            "location": _pick(r, LOCATIONS_TEXT) if r() < 0.4 else None,
            "isTimeless": timeless,
            "isAllDay": all_day,
            "isPrivate": r() < 0.1,
            "isRecurring": recurring,
            "activityPriorityId": priority[0],
            "activityPriorityName": priority[1],
            "activityTypeId": type_k + 1 if type_k is not None else None,
            "activityTypeName": self._task_type_name(type_k) if type_k is not None else None,
            "attachment": self._attachment(r, created),
            "bannerColor": None if r() < 0.7 else "#00b19e",
            "details": self._details(r),
            "subject": _pick(r, SUBJECTS),
            "recurSpec": recur,
            "created": fmt(created),
            "edited": fmt(edited),
            "scheduledById": by[0] if by else None,
            "scheduledBy": by[1] if by else None,
            "scheduledForId": to[0] if to else None,
            "scheduledFor": to[1] if to else None,
            "scheduledWithCompany": companies[0]["name"] if companies else None,
            "scheduledWithEmail": contacts[0]["emailAddress"] if contacts else None,
            "scheduledWithPhone": self._phone(r)[0] if contacts and r() < 0.5 else None,
            "scheduledWithPhoneExt": None,
            "companies": companies,
            "contacts": contacts,
            "groups": self._emb(r, "groups", 1),
            "opportunities": self._emb(r, "opportunities", 1),
        }

    def _activity_type(self, i, rng, created, edited, imported):
        r = rng.random
        name = self._task_type_name(i)
        spec = (
            TASK_TYPES[i]
            if i < len(TASK_TYPES)
            else (name, f"{name} (custom)", "#263690", [(f"{name} Done", "COMPLETED")])
        )
        history = [
            {"id": 100 * (i + 1) + j, "name": hname, "description": hname, "clearType": clear, "isDefault": j == 0}
            for j, (hname, clear) in enumerate(spec[3])
        ]
        return {
            "id": i + 1,
            "name": name,
            "description": spec[1],
            "isActive": r() < 0.95,
            "isCustom": i >= BUILTIN_TASK_TYPES,
            "isDeletable": i >= BUILTIN_TASK_TYPES,
            "taskTypeGuid": _guid(f"{self.seed}/activity_types/{i}"),
            "historyTypes": history,
            "defaultPreferences": {
                "priority": int(r() * 3),
                "reminder": _pick(r, [0, 5, 15, 30, 60]),
                "duration": _pick(r, [15, 30, 60]),
                "isAllDayEvent": name == "Vacation",
                "autoRollover": r() < 0.5,
                "color": spec[2],
                "taskDropDownFields": [{"code": "Priority", "value": True}, {"code": "Regarding", "value": r() < 0.5}],
            },
        }

    def _product(self, i, rng, created, edited, imported):
        name, item, cost, price = self._product_identity(i)
        return {
            "id": id_for("products", i, self.seed),
            "name": name,
            "cost": cost,
            "createDate": fmt(created),
            "editDate": fmt(edited),
            "itemNumber": item,
            "price": price,
        }

    def _group(self, i, rng, created, edited, imported):
        r = rng.random
        parent, has_children, level = self._hierarchy("groups", i, 4)
        user = self._user_ref(r)
        return {
            "id": id_for("groups", i, self.seed),
            "name": self._group_name(i),
            "description": _pick(r, DETAILS[:-1]) if r() < 0.4 else None,
            "contacts": self._group_size(i, r()),
            "parentID": parent,
            "hasSubgroups": has_children,
            "hierarchyLevel": level,
            "isPrivate": r() < 0.05,
            "acl": None,
            "importDate": fmt(imported) if imported is not None else None,
            "address": self._address(r, 0.8),
            "recordManagerID": user[0] if user else None,
            "customFields": self._custom_values("Group", r),
            "created": fmt(created),
            "edited": fmt(edited),
            "editedBy": self._user_ref(r)[1] if user else None,
            "recordManager": user[1] if user else None,
        }

    def _group_size(self, i: int, _draw: float) -> int:
        """A group's `contacts` (its number of members); `_draw` keeps the random sequence of older versions."""
        members = self.group_memberships()
        return len(members[i]) if i < len(members) else 0

    def _note(self, i, rng, created, edited, imported):
        r = rng.random
        user = self._user_ref(r)
        return {
            "id": id_for("notes", i, self.seed),
            "recordManager": user[1] if user else None,
            "recordManagerID": user[0] if user else None,
            "createUserID": self._user_ref(r)[0] if user else None,
            "isPrivate": r() < 0.1,
            "noteText": _pick(r, NOTES)
            if r() < 0.9
            else RTF.replace("<A>", "Zo\\'eb prefers e-mail").replace("<B>", "call in May"),
            "noteTypeID": _pick(r, [0, 0, 0, 1, 2]),
            "displayDate": fmt(self._between(r, created - 7 * DAY, created)),
            "created": fmt(created),
            "edited": fmt(edited),
            "companies": self._emb(r, "companies", 1),
            "contacts": self._emb_contacts(r, 2)[0],
            "groups": self._emb(r, "groups", 1),
            "opportunities": self._emb(r, "opportunities", 1),
            "attachment": self._attachment(r, created),
        }

    def _history(self, i, rng, created, edited, imported):
        r = rng.random
        user, editor = self._user_ref(r), self._user_ref(r)
        htype = _pick(r, HISTORY_TYPES)
        contacts, first_contact = self._emb_contacts(r, 2)
        minutes = _pick(r, DURATIONS)
        start = created - minutes[1] * MINUTE if created - minutes[1] * MINUTE > GENERATED_FROM_TICKS else created
        details = (
            f"ID/Status changed from 'Prospect' to 'Customer'\r\nChanged by: {user[1] if user else 'Admin'}"
            if htype[0] == 7
            else self._details(r)
        )
        return {
            "id": id_for("histories", i, self.seed),
            "recordManagerID": user[0] if user else None,
            "recordManager": user[1] if user else None,
            "createUserID": user[0] if user else None,
            "createUserName": user[1] if user else None,
            "editUserID": editor[0] if editor else None,
            "editUserName": editor[1] if editor else None,
            "contactEmail": first_contact[3] if first_contact else None,
            "contactPhone": self._phone(r)[0] if contacts and r() < 0.5 else None,
            "contactPhoneExt": None,
            "contactCompany": contacts[0]["company"] if contacts else None,
            "isPrivate": r() < 0.05,
            "details": details,
            "regarding": "Field changed" if htype[0] == 7 else _pick(r, REGARDING),
            "duration": minutes[0],
            "startTime": fmt(start),
            "endTime": fmt(start + minutes[1] * MINUTE),
            "outlookID": None,
            "historyTypeID": htype[0],
            "historyType": {
                "id": htype[0],
                "name": htype[1],
                "activityTypeId": htype[2],
                "activityTypeName": htype[3],
                "description": htype[4],
            },
            "created": fmt(created),
            "edited": fmt(edited),
            "companies": self._emb(r, "companies", 1),
            "contacts": contacts,
            "groups": self._emb(r, "groups", 1),
            "opportunities": self._emb(r, "opportunities", 1),
            "attachment": self._attachment(r, created),
        }

    def _user(self, i, rng, created, edited, imported):
        r = rng.random
        uid, first, last, display, email = self._user_identity(i)
        return {
            "id": uid,
            "username": f"{_ascii(first)[0]}{_ascii(last)}",
            "role": ROLES[i % len(ROLES)],
            "displayName": display,
            "email": email,
            "firstName": first,
            "lastLogOnDate": fmt(edited) if r() < 0.9 else None,
            "lastName": last,
            "status": "Active" if r() < 0.9 else "Inactive",
        }

    def _opportunity_product(self, i, rng, created, edited, imported):
        r = rng.random
        n_opp, n_prod = self.counts["opportunities"], self.counts["products"]
        k = int(r() * n_prod) if n_prod else None
        if k is not None:
            name, item, cost, price = self._product_identity(k)
        else:
            name, item, cost, price = "Ad-hoc service", None, None, round(50 + r() * 1000, 2)
        quantity = float(1 + int(r() ** 2 * 50)) if r() < 0.9 else round(0.5 + r() * 10, 2)
        discount = float(_pick(r, [0, 0, 0, 5, 10, 15, 12.5]))
        discount_price = round(price * (1 - discount / 100), 2)
        user = self._user_ref(r)
        return {
            "id": id_for("opportunity_products", i, self.seed),
            "name": name,
            "cost": cost,
            "createDate": fmt(created),
            "discount": discount,
            "discountPrice": discount_price,
            "editDate": fmt(edited),
            "itemNumber": item,
            "opportunityID": id_for("opportunities", int(r() * n_opp), self.seed) if n_opp else None,
            "price": price,
            "productID": id_for("products", k, self.seed) if k is not None else None,
            "quantity": quantity,
            "type": _pick(r, ["Product", "Service", "Subscription"]) if r() < 0.6 else None,
            "total": round(discount_price * quantity, 2),
            "isQuickbooksProduct": r() < 0.05,
            "customFields": self._custom_values("Product", r),
            "created": fmt(created),
            "edited": fmt(edited),
            "editedBy": self._user_ref(r)[1] if user else None,
            "recordManager": user[1] if user else None,
        }
