"""Issue 13, item 4: the client address behind a configured number of trusted proxies."""

import pytest

from portal.accounts.client_ip import address_from


@pytest.mark.parametrize("meta,proxies,expected", [
    ({"REMOTE_ADDR": "198.51.100.1"}, 0, "198.51.100.1"),
    # Without a trusted proxy the header is the client's own writing: ignored.
    ({"REMOTE_ADDR": "198.51.100.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 0, "198.51.100.1"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 1, "203.0.113.9"),
    # A client that sends its own X-Forwarded-For: nginx appends the real peer; that one counts.
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}, 1, "203.0.113.9"),
    ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.1"}, 2, "203.0.113.9"),
    # Fewer entries than proxies: the request did not come through them all; keep the peer.
    ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 2, "10.0.0.2"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, 1, "127.0.0.1"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "[2001:db8::7]:443"}, 1, "2001:db8::7"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9:50123"}, 1, "203.0.113.9"),
    ({}, 0, None),
])
def test_address_from(meta, proxies, expected):
    assert address_from(meta, proxies) == expected


@pytest.mark.django_db
def test_the_middleware_puts_the_client_in_remote_addr_for_the_access_log(client, settings):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal.accounts.client_ip import ClientAddressMiddleware

    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    ClientAddressMiddleware(lambda r: HttpResponse())(request)
    # request.META is the WSGI environ, which gunicorn's access log (%(h)s) reads after the response.
    assert (request.META["REMOTE_ADDR"], request.client_ip, request.META["PORTAL_PEER_ADDR"]) == \
        ("203.0.113.9", "203.0.113.9", "127.0.0.1")
