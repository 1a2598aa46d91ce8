"""Configuration parsing, one row per value: each good value parses to its typed form, each bad one fails with a
message that names its key and never echoes the password (or the CA bundle)."""

from __future__ import annotations

import dataclasses

import pytest

from act.config import (
    ALL_KEYS,
    CONFIG_KEYS,
    DEFAULTS,
    REQUIRED_KEYS,
    SECRET_KEYS,
    ConfigurationError,
    ConnectorConfig,
    parse_configuration,
)
from act.tables import DEFAULT_TABLES

pytestmark = pytest.mark.unit

PASSWORD = "Pw-unit!Saffron-Gecko-5512"
BASE = {
    "protocol": "https",
    "hostname": "act.example.com",
    "api_path": "/act.web.api",
    "username": "svc",
    "password": PASSWORD,
    "database_name": "ActDemo",
}

GOOD = [
    # (key, text, field value)
    ("protocol", "HTTP", "http"),
    ("protocol", " https ", "https"),
    ("hostname", "192.168.7.27", "192.168.7.27"),
    ("hostname", "act.example.com.", "act.example.com."),
    ("hostname", "::1", "::1"),
    ("port", "", None),
    ("port", "8080", 8080),
    ("port", " 1 ", 1),
    ("port", "65535", 65535),
    ("api_path", "/act.web.api/", "/act.web.api"),
    ("api_path", "/", ""),
    ("username", "  chris.huffman ", "chris.huffman"),
    ("password", " spaces kept ", " spaces kept "),
    ("database_name", " ActDemo ", "ActDemo"),
    ("tables", "Contacts, companies,contacts", ("contacts", "companies")),
    ("tables", "opportunities,opportunity_products", ("opportunities", "opportunity_products")),
    ("tables", "", DEFAULT_TABLES),
    ("batch_size", "1", 1),
    ("batch_size", "100000", 100_000),
    ("batch_size", "", 10_000),
    ("rate_limit_pause", "0", 0.0),
    ("rate_limit_pause", "60", 60.0),
    ("default_start_date", "2020-01-02", "2020-01-02T00:00:00Z"),
    ("default_start_date", "2020-01-02T03:04:05.1234567+02:00", "2020-01-02T01:04:05.123456Z"),
    ("request_timeout", "1", 1.0),
    ("max_retries", "0", 0),
    ("max_retries", "50", 50),
    ("verify_tls", "FALSE", False),
    ("verify_tls", "yes", True),
    ("verify_tls", "off", False),
    ("ca_bundle", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", None),  # any PEM text
    ("cursor_overlap_seconds", "0", 0),
    ("cursor_overlap_seconds", "86400", 86_400),
    ("parallel_tables", "16", 16),
    ("delete_reconciliation_hours", "0", 0.0),
    ("delete_reconciliation_hours", "0.5", 0.5),
    ("full_resync_hours", "", 168.0),
    ("full_resync_hours", "0", 0.0),
    ("full_resync_hours", "8760", 8760.0),
    ("api_generation", "Legacy", "legacy"),
    ("api_generation", "", "auto"),
]

BAD = [
    # (key, text, fragment of the message)
    ("protocol", "ftp", "must be http or https"),
    ("protocol", "", "is empty"),
    ("hostname", "http://act.example.com", "without a scheme, credentials or path"),
    ("hostname", f"svc:{PASSWORD}@act.example.com", "without a scheme, credentials or path"),
    ("hostname", "act.example.com:8080", "must not contain a port"),
    ("hostname", "act example", "is not a valid host name"),
    ("hostname", "-act.example.com", "is not a valid host name"),
    ("port", "eighty", "whole number between 1 and 65535"),
    ("port", "0", "between 1 and 65535"),
    ("port", "65536", "between 1 and 65535"),
    ("port", "80.5", "whole number"),
    ("api_path", "act.web.api", "must start with '/'"),
    ("api_path", "/act web api", "plain URL path"),
    ("api_path", "/act.web.api#top", "plain URL path"),
    ("username", "  ", "is empty"),
    ("password", "", "is empty"),
    ("database_name", "", "is empty"),
    ("tables", " , ", "names no table"),
    ("tables", "contact", "did you mean 'contacts'?"),
    ("tables", "widgets", "unknown table 'widgets'"),
    ("tables", "activity_groups", "without 'activities'"),
    ("tables", "opportunity_products", "without 'opportunities'"),
    ("batch_size", "0", "between 1 and 100000"),
    ("batch_size", "1e3", "whole number"),
    ("rate_limit_pause", "nan", "between 0 and 60"),
    ("rate_limit_pause", "61", "between 0 and 60"),
    ("rate_limit_pause", "soon", "must be a number"),
    ("default_start_date", "yesterday", "ISO 8601"),
    ("default_start_date", "2024-02-30", "ISO 8601"),
    ("default_start_date", "2999-01-01T00:00:00Z", "in the future"),
    ("request_timeout", "0", "between 1 and 3600"),
    ("request_timeout", "inf", "between 1 and 3600"),
    ("max_retries", "51", "between 0 and 50"),
    ("verify_tls", "maybe", "true or false"),
    ("ca_bundle", f"secret {PASSWORD}", "-----BEGIN CERTIFICATE-----"),
    ("cursor_overlap_seconds", "5m", "whole number"),
    ("cursor_overlap_seconds", "86401", "between 0 and 86400"),
    ("parallel_tables", "0", "between 1 and 16"),
    ("delete_reconciliation_hours", "-1", "between 0 and 8760"),
    ("full_resync_hours", "-0.5", "between 0 and 8760"),
    ("full_resync_hours", "8761", "between 0 and 8760"),
    ("full_resync_hours", "weekly", "must be a number"),
    ("api_generation", "newest", "must be auto, current"),
]


@pytest.mark.parametrize(("key", "text", "expected"), GOOD, ids=[f"{k}={t!r}" for k, t, _ in GOOD])
def test_a_good_value_parses_to_its_typed_field(key, text, expected):
    config = parse_configuration({**BASE, key: text})
    value = getattr(config, key)
    if expected is None and key == "ca_bundle":
        assert value == text.strip()
    else:
        assert value == expected


@pytest.mark.parametrize(("key", "text", "fragment"), BAD, ids=[f"{k}={t!r}" for k, t, _ in BAD])
def test_a_bad_value_fails_naming_its_key_and_never_echoing_a_secret(key, text, fragment):
    with pytest.raises(ConfigurationError) as raised:
        parse_configuration({**BASE, key: text})
    message = str(raised.value)
    assert fragment in message
    assert f"'{key}'" in message
    assert "\n" not in message
    assert PASSWORD not in message and PASSWORD not in repr(raised.value)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ([], "must be a JSON object"),
        ({**BASE, "batchsize": "10"}, "did you mean 'batch_size'?"),
        ({**BASE, "api_key": "x"}, "valid keys are: protocol, hostname"),
        ({**BASE, "port": 443}, "'port' must be a string"),
        ({**BASE, "password": None}, "'password' must be a string"),
        ({key: value for key, value in BASE.items() if key != "username"}, "Missing required configuration key"),
    ],
    ids=["not an object", "misspelt key", "unknown key", "number", "null password", "missing key"],
)
def test_the_shape_of_the_configuration_is_checked_first(raw, fragment):
    with pytest.raises(ConfigurationError) as raised:
        parse_configuration(raw)
    assert fragment in str(raised.value)


def test_every_key_is_declared_once_with_a_field_of_the_same_name():
    names = [key.name for key in CONFIG_KEYS]
    assert len(names) == len(set(names)) == len(ALL_KEYS)
    assert names == [field.name for field in dataclasses.fields(ConnectorConfig)]
    assert set(REQUIRED_KEYS) == {"protocol", "hostname", "api_path", "username", "password", "database_name"}
    assert set(DEFAULTS) == set(ALL_KEYS) - set(REQUIRED_KEYS)
    assert {"password", "ca_bundle"} == SECRET_KEYS
    for key in CONFIG_KEYS:
        assert key.label and key.description.endswith("."), key.name
        assert (key.widget == "dropdown") == bool(key.choices), key.name
        if key.default is not None:
            parse_configuration({**BASE, key.name: key.default})  # every default is itself valid


def test_the_defaults_apply_to_absent_and_empty_optional_keys():
    absent = parse_configuration(BASE)
    empty = parse_configuration({**BASE, **dict.fromkeys(DEFAULTS, " ")})
    assert absent == empty
    assert absent.full_resync_hours == 168.0 and absent.delete_reconciliation_hours == 24.0
    assert absent.base_url == "https://act.example.com/act.web.api"


@pytest.mark.parametrize(
    ("protocol", "hostname", "port", "url"),
    [
        ("http", "192.168.7.27", "8080", "http://192.168.7.27:8080/act.web.api"),
        ("http", "act.example.com", "80", "http://act.example.com/act.web.api"),
        ("https", "act.example.com", "443", "https://act.example.com/act.web.api"),
        ("https", "act.example.com", "80", "https://act.example.com:80/act.web.api"),
        ("http", "::1", "8080", "http://[::1]:8080/act.web.api"),
    ],
)
def test_base_url_leaves_out_the_protocols_default_port(protocol, hostname, port, url):
    config = parse_configuration({**BASE, "protocol": protocol, "hostname": hostname, "port": port})
    assert config.base_url == url


def test_the_parsed_configuration_never_shows_the_password():
    config = parse_configuration(BASE)
    assert PASSWORD not in repr(config) and PASSWORD not in str(config) and PASSWORD not in f"{[config]}"
