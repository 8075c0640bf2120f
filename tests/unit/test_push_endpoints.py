"""The push allow-list's syntax and matching (webapp/push/endpoints.py) and its setting."""

from __future__ import annotations

import pytest

from webapp.config import DEFAULT_PUSH_ENDPOINTS, from_env
from webapp.push.endpoints import Refused, allowed, check, origin, parse_rule

allowed_by_default = from_env({})["PUSH_ALLOWED_ENDPOINTS"]


def test_the_default_names_the_browsers_push_services_as_hosts():
    assert allowed_by_default == DEFAULT_PUSH_ENDPOINTS.split(",")
    assert "wns2-*.notify.windows.com" in allowed_by_default
    assert all("://" not in entry for entry in allowed_by_default)


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("wns2-par02p.notify.windows.com", True),
        ("WNS2-BL2P.Notify.Windows.com", True),
        ("wns2-.notify.windows.com", False),  # the * stands for at least one character
        ("wns2-a.b.notify.windows.com", False),  # ... of one label, never a dot
        ("a.wns2-x.notify.windows.com", False),
        ("wns2-x.notify.windows.com.evil.example", False),
        ("wns2-x.notify.windows.community", False),
        ("xwns2-x.notify.windows.com", False),
        ("wns2-x-.notify.windows.com", False),  # not a valid label
        ("notify.windows.com", False),
    ],
)
def test_a_pattern_matches_one_label_part(host, ok):
    assert allowed(f"https://{host}/w/?token=1", ["wns2-*.notify.windows.com"]) is ok


@pytest.mark.parametrize(
    "entry",
    [
        "https://wns2-",  # the old prefix syntax
        "https://fcm.googleapis.com/",
        "*.com",
        "wns2-*",
        "a.*.example.com",  # the * stands in the first label
        "a*b*.example.com",
        "localhost",
        "fcm.googleapis.com:443",
        "http://localhost:8025/",  # a name could resolve anywhere: loopback IPs only
        "http://10.0.0.1:8025/",
        "http://169.254.169.254/",
        "ftp://127.0.0.1:21/",
        "fcm googleapis com",
        "fcm.googleapis.com.",
        "ｆcm.googleapis.com",
    ],
)
def test_entries_that_are_not_hosts_patterns_or_loopback_urls_stop_the_start(entry):
    with pytest.raises(ValueError, match="ENLACE_PUSH_ALLOWED_ENDPOINTS"):
        from_env({"ENLACE_PUSH_ALLOWED_ENDPOINTS": f"fcm.googleapis.com,{entry}"})


def test_a_loopback_entry_matches_its_scheme_address_port_and_path_only():
    entries = ["http://127.0.0.1:8025/push/", "http://[::1]:8026"]
    assert parse_rule(entries[0]).loopback
    assert allowed("http://127.0.0.1:8025/push/abc", entries)
    assert allowed("http://[::1]:8026/anything", entries)
    assert not allowed("http://127.0.0.1:8025/other/abc", entries)
    assert not allowed("http://127.0.0.1:8026/push/abc", entries)
    assert not allowed("https://127.0.0.1:8025/push/abc", entries)
    assert not allowed("http://127.0.0.2:8025/push/abc", entries)
    assert not allowed("http://localhost:8025/push/abc", entries)
    assert not allowed("http://2130706433:8025/push/abc", entries)
    # A loopback entry lets no other host in on port 443 either.
    assert not allowed("https://fcm.googleapis.com/x", entries)


def test_characters_and_shape_are_told_apart():
    with pytest.raises(Refused) as refused:
        check("https://fcm.googleapis.com/\u202ex", allowed_by_default)
    assert refused.value.reason == "characters"
    with pytest.raises(Refused) as refused:
        check("https://fcm.googleapis.com:8443/x", allowed_by_default)
    assert refused.value.reason == "not_allowed"
    check("https://fcm.googleapis.com:443/x", allowed_by_default)


def test_the_vapid_audience_is_the_origin_without_a_default_port():
    assert origin("https://FCM.googleapis.com:443/fcm/send/x") == "https://fcm.googleapis.com"
    assert origin("http://127.0.0.1:8025/push/x") == "http://127.0.0.1:8025"
