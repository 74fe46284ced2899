"""EMAIL_URL parsing (itsm.settings.parse_email_url)."""

import pytest

from itsm.settings import parse_email_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_plain_smtp():
    config = parse_email_url("smtp://mail.example.com:25")
    assert config["EMAIL_BACKEND"] == SMTP
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.com", 25)
    assert not config["EMAIL_USE_TLS"] and not config["EMAIL_USE_SSL"]
    assert config["EMAIL_HOST_USER"] == "" and config["EMAIL_TIMEOUT"] == 10


def test_smtps_is_implicit_tls_with_credentials():
    config = parse_email_url("smtps://desk%40example.com:p%40ss%3Aword@smtp.example.com:465")
    assert config["EMAIL_USE_SSL"] is True and config["EMAIL_USE_TLS"] is False
    assert config["EMAIL_HOST_USER"] == "desk@example.com" and config["EMAIL_HOST_PASSWORD"] == "p@ss:word"
    assert config["EMAIL_PORT"] == 465


def test_smtp_tls_is_starttls_on_587_by_default():
    config = parse_email_url("smtp+tls://smtp.example.com?timeout=3")
    assert config["EMAIL_USE_TLS"] is True and config["EMAIL_USE_SSL"] is False
    assert config["EMAIL_PORT"] == 587 and config["EMAIL_TIMEOUT"] == 3


def test_console_and_locmem():
    assert parse_email_url("console://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert parse_email_url("locmem://")["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown scheme"):
        parse_email_url("pigeon://roof")


def test_tests_use_locmem(settings):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
