"""``iotfake serve`` runs the broker: its line on stdout, the CA to trust, DescribeEndpoint naming it."""

from __future__ import annotations

import re
import socket
import ssl

import boto3
import pytest
import requests
from serve_process import serving

pytestmark = pytest.mark.e2e

MQTT_LINE = re.compile(
    r"iotfake mqtt on mqtt://127\.0\.0\.1:(\d+) and mqtts://127\.0\.0\.1:(\d+) "
    r"\(trust .*/_iotfake/ca\.pem\)\n"
)


def test_serve_listens_for_mqtt_and_names_its_endpoint() -> None:
    with serving() as served:
        line = served.process.stdout.readline()
        match = MQTT_LINE.fullmatch(line)
        assert match, line
        plain, tls = int(match.group(1)), int(match.group(2))
        ca = requests.get(f"{served.url}/_iotfake/ca.pem", timeout=10).text
        context = ssl.create_default_context(cadata=ca)
        with (
            socket.create_connection(("127.0.0.1", tls), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as tls_socket,
        ):
            assert tls_socket.version() in ("TLSv1.2", "TLSv1.3")
        with socket.create_connection(("127.0.0.1", plain), timeout=5):
            pass
        iot = boto3.client(
            "iot",
            endpoint_url=served.url,
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="x",
        )
        assert iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"] == "localhost"


def test_no_mqtt_serves_http_only() -> None:
    with serving("--no-mqtt") as served:
        assert requests.get(f"{served.url}/_iotfake/health", timeout=10).status_code == 200
    assert "mqtt" not in served.stderr
