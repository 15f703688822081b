"""Webhooks: private targets refused, signed bodies, retries, a pinned address."""

from __future__ import annotations

import ipaddress
import json

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pairwatch.notify.webhooks import (
    SIGNATURE_HEADER,
    WebhookError,
    WebhookRefusedError,
    check_target,
    is_public,
    post_webhook,
    sign,
    verify,
)

SECRET = "webhook-secret-0123456789-0123456789"
PRIVATE_URLS = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]:9000/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://localhost/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_targets_are_refused_without_the_setting(url: str) -> None:
    with pytest.raises(WebhookRefusedError, match="PAIRWATCH_ALLOW_PRIVATE_WEBHOOKS"):
        check_target(url, allow_private=False)
    assert check_target(url, allow_private=True).port > 0


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost", "http://u:p@8.8.8.8/"]
)
def test_only_plain_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(WebhookRefusedError):
        check_target(url, allow_private=True)


def test_public_address_is_pinned_with_the_original_host() -> None:
    target = check_target("https://93.184.215.14:8443/hooks/a?x=1", allow_private=False)
    assert target.pinned_url == "https://93.184.215.14:8443/hooks/a?x=1"
    assert target.host_header == "93.184.215.14:8443"
    v6 = check_target("http://[2606:4700::1111]/h", allow_private=False)
    assert (
        v6.pinned_url == "http://[2606:4700::1111]:80/h" and v6.host_header == "[2606:4700::1111]"
    )
    assert is_public(ipaddress.ip_address("8.8.8.8"))
    assert not is_public(ipaddress.ip_address("::ffff:10.0.0.1"))


def test_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"a":1}'
    signature = sign(body, SECRET)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(body, SECRET, signature)
    assert not verify(body + b" ", SECRET, signature)
    assert not verify(body, SECRET + "x", signature)


def test_post_is_signed_and_retried_after_a_server_error(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_response(
        Response("busy", status=503)
    )
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("ok")
    waits: list[float] = []
    payload = {"event": "alert", "value": 2.5}
    status = post_webhook(
        httpserver.url_for("/hook"), payload, SECRET, allow_private=True, sleep=waits.append
    )
    assert status == 200 and len(waits) == 1
    request = httpserver.log[-1][0]
    body = request.get_data()
    assert json.loads(body) == payload
    assert verify(body, SECRET, request.headers[SIGNATURE_HEADER])
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Host"].startswith("localhost:")


def test_client_errors_are_not_retried_and_redirects_not_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_response(Response("no", status=410))
    with pytest.raises(WebhookError) as caught:
        post_webhook(httpserver.url_for("/gone"), {}, SECRET, allow_private=True, sleep=print)
    assert caught.value.permanent and len(httpserver.log) == 1
    httpserver.expect_request("/moved").respond_with_response(
        Response("", status=302, headers={"Location": "http://169.254.169.254/"})
    )
    with pytest.raises(WebhookError, match="302"):
        post_webhook(httpserver.url_for("/moved"), {}, SECRET, allow_private=True, attempts=1)


def test_local_server_is_refused_with_the_setting_off(httpserver: HTTPServer) -> None:
    with pytest.raises(WebhookRefusedError):
        post_webhook(httpserver.url_for("/hook"), {}, SECRET, allow_private=False)
    assert httpserver.log == []
