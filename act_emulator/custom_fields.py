"""Act! custom fields, per record type, as one data table: the keys of `customFields` and their field metadata.

Names are deliberately awkward, like real Act! databases: spaces, punctuation, accents, a leading digit, and two
names that collide once normalised ("Ship-To" / "Ship To"). Extend `CUSTOM_FIELDS` (or call
`RecordGenerator.add_custom_field`) to add one; records and `/api/metadata/{recordType}/fields` follow.

Act! field type (`Column.dataType`) -> value in `customFields` / `Column.type` (.NET) / `Column.columnType` (SQL):

    Character    str (one line)                     String    nvarchar(length)   drop-down: `picklist` set
    Memo         str, lines joined by CRLF          String    nvarchar(max)
    Email, URL, Phone   str                         String    nvarchar(length)
    Date         .NET timestamp at 00:00:00Z        DateTime  datetime
    AnnualEvent  .NET timestamp at 00:00:00Z        DateTime  datetime
    DateTime     .NET timestamp, 7-digit fraction   DateTime  datetime2
    Number       int                                Int32     int
    Decimal      float (`scale` decimals)           Decimal   decimal(18,scale)
    Currency     float (2 decimals)                 Decimal   money
    YesNo        bool                               Boolean   bit
Any value may be null (an empty field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# dataType -> (Column.type, Column.columnType template, Python type of values)
DATA_TYPES: dict[str, tuple[str, str, type]] = {
    "Character": ("String", "nvarchar({length})", str),
    "Memo": ("String", "nvarchar(max)", str),
    "Email": ("String", "nvarchar({length})", str),
    "URL": ("String", "nvarchar({length})", str),
    "Phone": ("String", "nvarchar({length})", str),
    "Date": ("DateTime", "datetime", str),
    "AnnualEvent": ("DateTime", "datetime", str),
    "DateTime": ("DateTime", "datetime2", str),
    "Number": ("Int32", "int", int),
    "Decimal": ("Decimal", "decimal(18,{scale})", float),
    "Currency": ("Decimal", "money", float),
    "YesNo": ("Boolean", "bit", bool),
}

TABLE_NAMES = {
    "Contact": "TBL_CONTACT",
    "Company": "TBL_COMPANY",
    "Group": "TBL_GROUP",
    "Opportunity": "TBL_OPPORTUNITY",
    "Product": "TBL_PRODUCT",
}


@dataclass(frozen=True)
class CustomField:
    name: str  # key in customFields, Column.name and displayName
    data_type: str  # Act! field type, a key of DATA_TYPES
    null_share: float = 0.5  # share of records where the field is empty
    choices: tuple = ()  # Character: drop-down items (or free-text pool); numbers: (low, high)
    drop_down: bool = False  # Character with a drop-down list (Column.picklist)
    length: int = 64
    scale: int = 0
    tracked: bool = False  # Act! "generate history" on change
    key: str = ""  # what the metadata id and column name derive from (kept across renames); the name when empty
    created_ticks: int = 0  # Column.createDate of a field added at run time (0: derived from the key)
    edited_ticks: int = 0  # Column.editDate after a run-time change (0: derived from the key)


_REFERRAL = (
    "Web Search",
    "Trade Show",
    "Partner",
    "Customer Referral",
    "LinkedIn",
    "Cold Call",
    "Webinar",
    "Word of mouth",
)
_REGIONS = ("North America", "EMEA", "APAC", "LATAM", "DACH", "Nordics", "UK & Ireland")
_SHIP = (
    "Dock 4, 12 Harbour Rd",
    "c/o Müller GmbH, Tor 2",
    "Warehouse B – Rue de l'Église 9",
    "PO Box 1182",
    "Suite 300, 55 O'Connell St",
    "Same as billing",
)

CUSTOM_FIELDS: dict[str, list[CustomField]] = {
    "Contact": [
        CustomField("Referral Source", "Character", 0.4, _REFERRAL, drop_down=True),
        CustomField("Contract Value ($)", "Currency", 0.5, (500, 250_000)),
        CustomField("Next Review Date", "Date", 0.6),
        CustomField("VIP?", "YesNo", 0.1, tracked=True),
        CustomField("Region/Territory", "Character", 0.2, _REGIONS, drop_down=True),
        CustomField("# of Seats", "Number", 0.5, (1, 500)),
        CustomField("Customer Since", "Date", 0.4),
        CustomField("Ship-To", "Character", 0.7, _SHIP, length=128),
        CustomField("Ship To", "Character", 0.8, _SHIP, length=128),
        CustomField("Last Survey Score", "Decimal", 0.6, (0, 10), scale=1),
        CustomField("LinkedIn Profile", "URL", 0.6, length=256),
        CustomField("Assistant's Phone", "Phone", 0.8, length=32),
        CustomField("Billing E-mail", "Email", 0.7, length=128),
        CustomField("Notes (internal)", "Memo", 0.7),
        CustomField("Préférence de contact", "Character", 0.7, ("E-mail", "Téléphone", "Courrier"), drop_down=True),
        CustomField("2nd Language", "Character", 0.8, ("Deutsch", "Español", "Français", "Íslenska", "日本語")),
        CustomField("Last Webinar Attended", "DateTime", 0.7),
        CustomField("Anniversary", "AnnualEvent", 0.85),
    ],
    "Company": [
        CustomField("Referral Source", "Character", 0.4, _REFERRAL, drop_down=True),
        CustomField("Contract Value ($)", "Currency", 0.4, (1_000, 2_500_000)),
        CustomField("Credit Limit", "Currency", 0.6, (0, 500_000)),
        CustomField("Region/Territory", "Character", 0.2, _REGIONS, drop_down=True),
        CustomField("# of Seats", "Number", 0.5, (1, 5_000)),
        CustomField("Customer Since", "Date", 0.4),
        CustomField("Next Review Date", "Date", 0.6),
        CustomField("VIP?", "YesNo", 0.1, tracked=True),
        CustomField("Ship-To", "Character", 0.6, _SHIP, length=128),
        CustomField("Ship To", "Character", 0.8, _SHIP, length=128),
        CustomField("D-U-N-S Number", "Character", 0.7, length=16),
    ],
    "Group": [
        CustomField("Campaign Code", "Character", 0.3, ("Q1-EMEA", "SPRING/24", "TS#2025", "NL-WEB"), length=32),
        CustomField("Budget (€)", "Currency", 0.5, (0, 50_000)),
        CustomField("Active?", "YesNo", 0.1),
        CustomField("Launch Date", "Date", 0.4),
        CustomField("Owner E-mail", "Email", 0.5, length=128),
    ],
    "Opportunity": [
        CustomField("Lead Source", "Character", 0.3, _REFERRAL, drop_down=True),
        CustomField(
            "Forecast Category", "Character", 0.2, ("Pipeline", "Best Case", "Commit", "Omitted"), drop_down=True
        ),
        CustomField("Contract Value ($)", "Currency", 0.4, (500, 900_000)),
        CustomField("Decision Date", "Date", 0.5),
        CustomField("Budget Confirmed?", "YesNo", 0.2, tracked=True),
        CustomField("# of Seats", "Number", 0.5, (1, 2_000)),
        CustomField("Win Probability %", "Decimal", 0.5, (0, 100), scale=2),
        CustomField("Next Step", "Memo", 0.5),
        CustomField("Ship-To", "Character", 0.7, _SHIP, length=128),
        CustomField("Ship To", "Character", 0.8, _SHIP, length=128),
    ],
    "Product": [
        CustomField("Contract Term (months)", "Number", 0.3, (1, 60)),
        CustomField("Billing Frequency", "Character", 0.3, ("Monthly", "Quarterly", "Annually"), drop_down=True),
        CustomField("Renewal?", "YesNo", 0.2),
        CustomField("Service Start Date", "Date", 0.5),
        CustomField(
            "Discount Reason", "Character", 0.8, ("Volume", "Multi-year", "Partner – 15%", "Loyalty"), length=128
        ),
    ],
}


def python_type(data_type: str) -> type:
    """The Python type of non-null values of an Act! field type (consistency checks, the connector's tests)."""
    return DATA_TYPES[data_type][2]


def column_type(field: CustomField) -> str:
    return DATA_TYPES[field.data_type][1].format(length=field.length, scale=field.scale)


def dotnet_type(field: CustomField) -> str:
    return DATA_TYPES[field.data_type][0]


def column_name(field: CustomField, suffix: int) -> str:
    """The physical column, e.g. `CUST_SHIP_TO_081234`; the suffix keeps colliding display names apart. A renamed
    field keeps its column (from its first name)."""
    word = "".join(c if c.isascii() and c.isalnum() else " " for c in (field.key or field.name)).split()
    return "CUST_" + "_".join(word).upper() + f"_{suffix:06d}"


def picklist_info(field: CustomField, picklist_id: str) -> dict[str, Any] | None:
    """MetaData.Schema.PickListInfo of a drop-down field, None for other fields."""
    if not field.drop_down:
        return None
    return {
        "id": picklist_id,
        "name": field.name,
        "description": f"Items for {field.name}",
        "isLimitToList": field.name != "Referral Source",
        "isMultiSelect": False,
        "isTypeAhead": True,
        "showDescription": False,
    }


def convert(value: Any, old_type: str, new_type: str) -> Any:
    """A field value carried over when a field changes type (Define Fields keeps what converts: a number's text,
    a numeric text's number, a date kept as a date); None when it does not convert (a new value is drawn)."""
    if value is None:
        return None
    new_python = python_type(new_type)
    dates = ("Date", "AnnualEvent", "DateTime")
    if new_type in dates:
        return value if old_type in dates else None
    if new_python is str:
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)
    if old_type in dates or isinstance(value, bool) != (new_python is bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if new_python is int:
        return round(number)
    if new_python is float:
        return round(number, 2)
    return None
