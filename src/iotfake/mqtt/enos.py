"""EnOS's device side: secret-based login, dynamic activation, status, measure points.

What the ``enos-mqtt-sdk-python`` client sends (its ``Profile``): the client id
``<deviceKey>|securemode=<2|3>,signmethod=<hmacsha256|hmacsha1|hmacmd5>,timestamp=<ms>|``, the
user name ``<deviceKey>&<productKey>``, and as password the digest of the sorted parameters
``clientId``, ``deviceKey``, ``productKey``, ``timestamp`` (name and value concatenated) followed
by the secret: the device secret (``securemode=2``, static login) or the product secret
(``securemode=3``, dynamic activation, only where the product has ``dynamicActivateEnabled``).
Dynamic activation pushes the device secret on ``/ext/session/<pk>/<dk>/thing/activate/info``.

A login moves the device ``inactive`` → ``online`` (``activeTime`` set once, ``lastOnlineTime``
every time); a disconnect makes it ``offline`` (``lastOfflineTime``), all through the registry,
so the Connect API's GetDevice shows it. A measure point post on
``/sys/<pk>/<dk>/thing/measurepoint/post`` is answered on ``…/post_reply`` and sets
``measurepointLastUpdate``.

Every other request a device publishes on its own topics is answered on ``<topic>_reply`` too,
so that the SDK's blocking ``publish`` never waits out its timeout: events and batch measure
points (200), attribute update and query (the device's attributes through the registry), its
topology (none: the fake has no gateways), and 1009 ("The MQTT topic is not supported") for
the rest, sub-device logins and TSL templates among them. A payload that is not JSON is 1220
("Payload format error"), an empty one 1251 ("Payload is empty"): EnOS's common return codes.

Choices where EnOS documents nothing ([I] in the README): a wrong signature or an unknown device
is CONNACK 4 (bad user name or password), a disabled device or a product without dynamic
activation CONNACK 5 (not authorised), as MQTT 3.1.1 defines the two; dynamic activation of a
device that was ever active is refused (5); a device may publish and subscribe only on topics
that name its own product and device key; reported attributes are not checked against a model.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from .. import jsonio
from ..providers.base import Call
from ..registry import Tenant
from ..registry.models import Device
from .packets import BAD_CREDENTIALS, NOT_AUTHORIZED, Publish
from .sides import Admitted, DeviceSide, Hello, Refused

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from .session import Session

CLIENT_ID = re.compile(
    r"(?P<id>[^|]+)\|securemode=(?P<mode>\d+),signmethod=(?P<method>\w+),timestamp=(?P<timestamp>[^|,]+)\|"
)
STATIC, DYNAMIC = 2, 3
#: what a device's request on ``/sys/<pk>/<dk>/thing/<what>`` is (the rest: not served, 1009)
REQUEST = re.compile(
    r"/sys/[^/]+/[^/]+/thing/(?:(?P<points>measurepoint/post(?:/batch)?)|(?P<event>event/[^/]+/post)"
    r"|attribute/(?P<attribute>update|query|delete)|(?P<topo>topo/get))"
)
SUCCESS = 200
#: EnOS's common return codes (Device Protocol for MQTT, "Common Parameters")
PAYLOAD_FORMAT, PAYLOAD_EMPTY, NOT_SUPPORTED = 1220, 1251, 1009


def static_login(
    device_key: str, product_key: str, device_secret: str, timestamp: str | None = None
) -> tuple[str, str, str]:
    """``(client id, username, password)`` of a static login (``securemode=2``), signed as
    enos-mqtt-sdk-python signs it: what a test device presents to the broker."""
    timestamp = timestamp or str(int(time.time() * 1000))
    client_id = f"{device_key}|securemode=2,signmethod=hmacsha256,timestamp={timestamp}|"
    params = {
        "productKey": product_key,
        "deviceKey": device_key,
        "clientId": device_key,
        "timestamp": timestamp,
    }
    password = signature(device_secret, params, "hmacsha256")
    assert password is not None  # hmacsha256 is a method signature() knows
    return client_id, f"{device_key}&{product_key}", password


def signature(secret: str, params: dict[str, str], method: str) -> str | None:
    """The SDK's ``SignUtil.sign``: sorted ``name + value`` pairs, then the secret, digested."""
    content = "".join(k + str(params[k]) for k in sorted(params)) + secret
    if method == "hmacsha256":
        return hashlib.sha256(content.encode()).hexdigest()
    if method == "hmacsha1":
        return hashlib.sha1(content.encode()).hexdigest().upper()
    if method == "hmacmd5":
        return hashlib.md5(content.encode()).hexdigest()
    return None


class EnosDeviceSide(DeviceSide):
    name = "enos-mqtt"
    extra_fields: ClassVar[frozenset[str]] = frozenset({"deviceKey", "productKey", "orgId", "secureMode"})
    # [I] EnOS documents no limit; a device needs a handful of its own topics, and every message
    # of the organisation is routed past each subscription (40,000 made a round trip 70 ms)
    max_subscriptions: ClassVar[int | None] = 1000
    # [I] EnOS documents no disconnect reasons: a disabled or deleted device's will, on its own
    # topics, would be served as that device's post
    will_when_withdrawn: ClassVar[bool] = False

    def __init__(self, cloud: FakeCloud) -> None:
        super().__init__(cloud)
        #: (org, asset id) -> its connections: the SDK's client ids carry a timestamp, so one
        #: device may be logged in twice, and is offline only once neither is connected ([I])
        self._open: Counter[tuple[str, str]] = Counter()
        self._counting = threading.Lock()

    def _found(self, product_key: str, device_key: str) -> list[tuple[Tenant, Device]]:
        """Every organisation's device of these keys: a seed may give two organisations the same
        product key (EnOS makes them unique), and each device logs in with its own secret."""
        found = []
        for org in self.cloud.registry.tenants("enos"):
            device = org.keys.get(device_key)
            if device is not None and device.product == product_key:
                found.append((org, device))
        return found

    def call(self, operation: str, hello: Hello) -> Call:
        """The keys the user name names (``deviceKey&productKey``), there before the login is
        checked: a Connect fault rule matching ``deviceKey`` never fired (its keys came with
        admission, after the rule was asked)."""
        call = super().call(operation, hello)
        device_key, _, product_key = (hello.username or "").partition("&")
        if device_key and product_key:
            call.params.update(deviceKey=device_key, productKey=product_key)
        return call

    def identify(self, hello: Hello) -> dict[str, Any]:
        """The login's secure mode, and the organisation when one alone holds the device (which
        of two the login is for only its signature tells)."""
        device_key, _, product_key = (hello.username or "").partition("&")
        parsed = CLIENT_ID.fullmatch(hello.client_id)
        params: dict[str, Any] = {} if parsed is None else {"secureMode": int(parsed["mode"])}
        found = self._found(product_key, device_key) if device_key and product_key else []
        if len(found) == 1:
            params["orgId"] = params["tenant"] = found[0][0].id
        return params

    def admit(self, hello: Hello) -> Admitted:
        device_key, _, product_key = (hello.username or "").partition("&")
        parsed = CLIENT_ID.fullmatch(hello.client_id)
        if not device_key or not product_key or parsed is None:
            raise Refused(
                BAD_CREDENTIALS, "EnOS logins use the user name deviceKey&productKey and the SDK's client id"
            )
        found = self._found(product_key, device_key)
        if not found:
            raise Refused(BAD_CREDENTIALS, f"no device {device_key} of product {product_key}")
        refusal: Refused | None = None
        for org, device in found:  # the first whose secret signed the login
            try:
                return self._admit(hello, parsed, org, device)
            except Refused as exc:
                refusal = refusal or exc
        assert refusal is not None
        raise refusal

    def _admit(self, hello: Hello, parsed: re.Match[str], org: Tenant, device: Device) -> Admitted:
        device_key, product_key = device.key, device.product or ""
        mode = int(parsed["mode"])
        product = org.products.get(product_key)
        attrs = product.attributes if product is not None else {}
        if mode == STATIC:
            secret = device.secret or ""
        elif mode == DYNAMIC:
            if not attrs.get("dynamicActivateEnabled"):
                raise Refused(NOT_AUTHORIZED, f"product {product_key} does not allow dynamic activation")
            if (device.extra or {}).get("activeTime"):
                raise Refused(
                    NOT_AUTHORIZED, f"device {device_key} was activated before: log in with its secret"
                )
            secret = attrs.get("productSecret") or ""
        else:
            raise Refused(NOT_AUTHORIZED, f"securemode={mode} is not a device login (2: static, 3: dynamic)")
        params = {
            "productKey": product_key,
            "deviceKey": device_key,
            "clientId": parsed["id"],
            "timestamp": parsed["timestamp"],
        }
        expected = signature(secret, params, parsed["method"])
        if expected is None or expected != hello.password:
            raise Refused(BAD_CREDENTIALS, "the password is not the signature of the login parameters")
        if device.status == "disable":
            raise Refused(NOT_AUTHORIZED, f"device {device_key} is disabled")
        pushes = []
        if mode == DYNAMIC:
            info = {
                "id": str(org.ids.uuid()),
                "method": "thing.activate.info",
                "version": "1.0",
                "params": {"productKey": product_key, "deviceKey": device_key, "deviceSecret": device.secret},
            }
            topic = f"/ext/session/{product_key}/{device_key}/thing/activate/info"
            pushes.append(Publish(topic, json.dumps(info).encode(), 0, False))
        return Admitted(
            realm=("enos", org.id),
            tenant=org.id,
            params={"deviceKey": device_key, "productKey": product_key, "orgId": org.id, "secureMode": mode},
            pushes=pushes,
            principal=(org, device.id),
            credentials=frozenset({("devices", device.key)}),
        )

    # -- topics: a device's own only -------------------------------------------------------------
    def _own(self, session: Session, topic: str) -> bool:
        """``/sys/{productKey}/{deviceKey}/…`` or ``/ext/session/{productKey}/{deviceKey}/…`` of
        this device: its keys in the place EnOS's topics put them, not merely somewhere."""
        params = session.admitted.params
        levels = topic.split("/")
        if levels[:2] == ["", "sys"]:
            start = 2
        elif levels[:3] == ["", "ext", "session"]:
            start = 3
        else:
            return False
        keys, rest = levels[start : start + 2], levels[start + 2 :]
        return keys == [params["productKey"], params["deviceKey"]] and bool(rest)

    def may_subscribe(self, session: Session, topic_filter: str) -> bool:
        return self._own(session, topic_filter)

    def may_publish(self, session: Session, topic: str, retain: bool = False) -> bool:
        return self._own(session, topic)

    def may_receive(self, session: Session, topic: str) -> bool:
        return self._own(session, topic)

    # -- status and measure points ---------------------------------------------------------------
    def revoked(self, session: Session) -> str | None:
        """A device deleted or disabled is logged out, as it could not log in again: its session
        went on being answered."""
        found = self._device(session)
        key = session.admitted.params["deviceKey"]
        if found is None:
            return f"device {key} was deleted"
        if found[1].key != key:  # ReplaceDevice: the old key and secret no longer log in
            return f"device {key} was replaced by {found[1].key}"
        if found[1].status == "disable":
            return f"device {key} is disabled"
        return None

    def _device(self, session: Session) -> tuple[Tenant, Device] | None:
        org, asset = session.admitted.principal
        device = org.devices.get(asset)
        return (org, device) if device is not None else None

    def _opened(self, session: Session) -> tuple[str, str]:
        """Whose connections a session counts among: its org and asset, whatever becomes of them."""
        org, asset = session.admitted.principal
        return org.id, asset

    def reset(self) -> None:
        super().reset()
        self._open.clear()

    def connected(self, session: Session) -> list[Publish]:
        found = self._device(session)
        with self._counting:
            self._open[self._opened(session)] += 1
        if found is not None:
            org, device = found
            with org.lock:
                now = org.clock.ms()
                extra = {**(device.extra or {}), "lastOnlineTime": now}
                extra.setdefault("activeTime", now)
                if device.status != "disable":
                    org.update_device(device, {"status": "online", "extra": extra})
        return []

    def disconnected(self, session: Session, reason: str) -> list[Publish]:
        opened = self._opened(session)
        with self._counting:
            left = self._open.pop(opened, 1) - 1
            if left > 0:  # another login of the device is still connected: it stays online
                self._open[opened] = left
                return []
        found = self._device(session)
        if found is not None:
            org, device = found
            with org.lock:
                if device.status == "online":
                    extra = {**(device.extra or {}), "lastOfflineTime": org.clock.ms()}
                    org.update_device(device, {"status": "offline", "extra": extra})
        return []

    def published(self, session: Session, message: Publish) -> list[Publish]:
        """A device's request answered on ``<topic>_reply`` (its own replies to the cloud's
        downstream calls, ``…_reply``, are not requests)."""
        topic = message.topic
        if topic.endswith("_reply"):
            return []
        if not message.payload.strip():
            reply = _reply(None, PAYLOAD_EMPTY, None, "Payload is empty")
        else:
            try:
                request: Any = jsonio.loads(message.payload, what="the payload")
            except jsonio.JSONInputError:
                request = None
            if not isinstance(request, dict):
                reply = _reply(None, PAYLOAD_FORMAT, None, "Payload format error")
            else:
                reply = self._answer(session, REQUEST.fullmatch(topic), request)
        return [Publish(topic + "_reply", json.dumps(reply).encode(), 0, False)]

    def _answer(
        self, session: Session, kind: re.Match[str] | None, request: dict[str, Any]
    ) -> dict[str, Any]:
        ident = request.get("id")
        if kind is None:
            return _reply(ident, NOT_SUPPORTED, None, "The MQTT topic is not supported")
        found = self._device(session)
        if found is None:
            return _reply(ident, NOT_SUPPORTED, None, "Publish to topic with no write permission")
        org, device = found
        params = request.get("params")
        if kind["points"]:
            self._stamp(org, device, "measurepointLastUpdate")
        elif kind["event"]:
            self._stamp(org, device, "eventLastUpdate")
        elif kind["attribute"] in ("update", "delete") and isinstance(params, dict):
            self._attributes(org, device, kind["attribute"], params.get("attributes"))
        elif kind["attribute"] == "query":
            names = params.get("attributes") if isinstance(params, dict) else None
            held = device.attributes or {}
            wanted = held if not names else {n: held[n] for n in names if isinstance(n, str) and n in held}
            return _reply(ident, SUCCESS, dict(wanted), "")
        elif kind["topo"]:
            return _reply(ident, SUCCESS, [], "")
        return _reply(ident, SUCCESS, {}, "")

    @staticmethod
    def _stamp(org: Tenant, device: Device, field: str) -> None:
        """When the device last reported this kind of data (GetDevice's ``…LastUpdate``)."""
        with org.lock:
            now = org.devices.get(device.id) or device
            org.replace_extra(now, {**(now.extra or {}), field: org.clock.ms()})

    @staticmethod
    def _attributes(org: Tenant, device: Device, action: str, given: Any) -> None:
        """An attribute update (merged by name) or delete (by names), as UpdateDevice's
        ``deviceAttributes`` would, and ``attributeLastUpdate``."""
        with org.lock:
            now = org.devices.get(device.id) or device
            held = dict(now.attributes or {})
            if action == "update" and isinstance(given, dict):
                held.update(given)
            elif action == "delete" and isinstance(given, list):
                held = {k: v for k, v in held.items() if k not in given}
            else:
                return
            extra = {**(now.extra or {}), "attributeLastUpdate": org.clock.ms()}
            org.update_device(now, {"attributes": held or None, "extra": extra})


def _reply(ident: Any, code: int, data: Any, message: str) -> dict[str, Any]:
    """The SDK's ``{id, code, data, message}`` answer."""
    return {"id": ident, "code": code, "data": data, "message": message}
