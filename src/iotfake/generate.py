"""Seeded, realistic generated devices: "an org with a product of 9,999 meters" in one line.

Wherever a fixtures document lists devices (``enos.orgs[].devices``, ``aws.accounts[].things``,
``scriptr.accounts[].devices``), an item may be a *generator* instead of a device::

    {"generate": 9999, "productKey": "p1", "seed": 7, "kind": "meter", "country": "DE",
     "deviceTags": {"fleet": "north"}}

``generate`` is the number of devices; ``seed`` (optional) pins the data whatever else the document
or the cloud draws; ``kind`` names the devices (``"Jena Meter 017"``; by default the product name,
the thing type or ``device``); ``country`` (optional, ISO 3166 alpha-2) keeps every site in one
country. Every other field is one of the provider's own device fields and goes into every device,
objects merged over the generated ones. Each generated device is an ordinary item for the provider's
loader, so it meets the same rules (and would pass the same wire validation) as a hand-written one.

Faker is slow per call, so it fills small pools once per seed (real places with their coordinates
and time zones, manufacturers, installers, streets) and a seeded ``random.Random`` combines them.
Dates are drawn before a fixed reference day, not the wall clock, so the same seed gives the same
data on any day.
"""

from __future__ import annotations

import os
import random
import re
import string
import unicodedata
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NamedTuple

from .documents import DocumentError, expect

if TYPE_CHECKING:
    from .cloud import FakeCloud
    from .registry.models import Room

#: the generator's own fields; everything else in a generator item is a device field
GENERATOR_FIELDS = ("generate", "seed", "kind", "country")
#: one generator makes at most this many devices (a typo of three zeros should not eat the memory)
MAX_DEVICES = 1_000_000
#: generated dates lie in the five years before this day
REFERENCE = datetime(2025, 1, 1, tzinfo=UTC)
REFERENCE_MS = int(REFERENCE.timestamp() * 1000)
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

#: zh_CN names for the usual kinds of device; others keep their own name
ZH_KINDS = {
    "device": "设备",
    "meter": "电表",
    "smart meter": "智能电表",
    "electricity meter": "电表",
    "water meter": "水表",
    "gas meter": "燃气表",
    "inverter": "逆变器",
    "sensor": "传感器",
    "gateway": "网关",
    "feeder gateway": "馈线网关",
    "charger": "充电桩",
    "turbine": "风机",
    "wind turbine": "风机",
    "battery": "储能电池",
    "thermostat": "温控器",
    "camera": "摄像头",
}
#: EnOS device states and how often a real fleet shows them
STATUS_WEIGHTS = (("online", 80), ("offline", 13), ("inactive", 7))


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    country: str
    timezone: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Maker:
    name: str
    code: str
    models: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pools:
    """What faker contributes, drawn once per (seed, country)."""

    sites: tuple[Site, ...]
    site_weights: tuple[float, ...]
    makers: tuple[Maker, ...]
    firmware: tuple[str, ...]
    firmware_weights: tuple[float, ...]
    installers: tuple[str, ...]
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    """One generator item, checked."""

    count: int
    seed: int | str
    kind: str
    country: str | None
    #: the provider's own device fields, applied to every generated device
    fixed: dict[str, Any]
    #: the kind in zh_CN device names
    kind_zh: str = ""
    #: secrets from os.urandom: the cloud is unseeded and so is the generator (ids.py's rule)
    unguessable: bool = False


class Sample(NamedTuple):
    """One generated device in provider-neutral terms; the providers' shapers pick from it.

    A named tuple: a hundred thousand of them are made in a few seconds.
    """

    key: str
    serial: str
    name: str
    name_zh: str
    site: Site
    latitude: float
    longitude: float
    maker: Maker
    model: str
    firmware: str
    #: ISO date (``2021-06-14``)
    installed: str
    created: int
    status: str
    active: int
    last_online: int
    last_offline: int
    installer: str
    street: str
    #: EnOS assetId and deviceSecret: 8 and 20 letters and digits
    asset_id: str
    secret: str


# -- reading a generator item ----------------------------------------------------------------------
def is_generator(item: Any) -> bool:
    return isinstance(item, dict) and "generate" in item


def spec(
    cloud: FakeCloud,
    item: dict[str, Any],
    path: str,
    *,
    default_kind: str,
    unique: tuple[str, ...],
    default_kind_zh: str | None = None,
) -> Spec:
    """Check a generator item; ``unique`` are the device fields one value cannot fill for many.

    ``default_kind_zh`` names the default kind in Chinese (an EnOS product's zh_CN name).
    """
    count = expect(item["generate"], int, f"{path}.generate", "a number of devices")
    if not 0 <= count <= MAX_DEVICES:
        raise DocumentError(f"{path}.generate", f"a generator makes 0 to {MAX_DEVICES:,} devices")
    for field in unique:
        if field in item:
            raise DocumentError(f"{path}.{field}", f"{field} is generated, one per device; leave it out")
    seed = item.get("seed")
    unguessable = seed is None and cloud.ids.seed is None
    if seed is None:
        seed = cloud.ids.integer(0, 2**63 - 1)
    elif isinstance(seed, bool) or not isinstance(seed, int | str):
        raise DocumentError(f"{path}.seed", "expected an integer or a string")
    kind = item.get("kind", default_kind)
    if not isinstance(kind, str) or not kind.strip() or len(kind) > 40:
        raise DocumentError(f"{path}.kind", "expected a device kind of 1-40 characters, like meter")
    country = item.get("country")
    if country is not None and (not isinstance(country, str) or country not in _places_by_country()):
        raise DocumentError(
            f"{path}.country",
            f"{country!r} is not a country faker knows places in (ISO 3166 alpha-2, like DE or CN)",
        )
    fixed = {k: v for k, v in item.items() if k not in GENERATOR_FIELDS}
    kind = kind.strip()
    kind_zh = ("kind" not in item and default_kind_zh) or ZH_KINDS.get(kind.lower()) or kind
    return Spec(count, seed, kind, country, fixed, kind_zh, unguessable)


def check_room(spec: Spec, path: str, room: Room | None) -> None:
    """Refuse up front a generator that would take its tenant or product past a device limit
    (the registry would refuse the first device over it anyway; this names the generator)."""
    if room is not None and spec.count > room.free:
        raise DocumentError(
            f"{path}.generate",
            f"{spec.count} more devices would exceed the quota of {room.limit} of {room.holder}, "
            f"which holds {room.held}",
        )


# -- pools -----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _places_by_country() -> dict[str, tuple[tuple[str, ...], ...]]:
    from faker.providers.geo import Provider as Geo

    places: dict[str, list[tuple[str, ...]]] = {}
    for place in Geo.land_coords:
        places.setdefault(place[3], []).append(place)
    return {country: tuple(found) for country, found in places.items()}


@lru_cache(maxsize=16)
def pools(seed: int | str, country: str | None) -> Pools:
    """Faker's share of the data: a few dozen values per kind, drawn once."""
    from faker import Faker

    rng = random.Random(f"iotfake.generate.pools:{seed}:{country}")
    fake = Faker("en_US")
    fake.seed_instance(rng.getrandbits(64))
    sites: dict[str, Site] = {}
    for _ in range(400):
        if len(sites) == 40:
            break
        if country is None:
            latitude, longitude, name, code, zone = fake.location_on_land()
        else:
            latitude, longitude, name, code, zone = rng.choice(_places_by_country()[country])
        sites.setdefault(name, Site(name, code, zone, float(latitude), float(longitude)))
    makers: list[Maker] = []
    for _ in range(6):
        name = fake.company()
        code = _maker_code(name, {m.code for m in makers})
        models = tuple(
            f"{code}-{rng.randint(100, 990)}{rng.choice(('', '', 'E', 'S', 'X'))}" for _ in range(2)
        )
        makers.append(Maker(name, code, models))
    major = rng.randint(1, 4)
    firmware, minor = [], rng.randint(0, 6)
    for _ in range(5):
        minor += rng.randint(1, 3)
        firmware.append(f"{major}.{minor}.{rng.randint(0, 30)}")
    return Pools(
        sites=tuple(sites.values()),
        site_weights=tuple(accumulate(1 / (rank + 1) for rank in range(len(sites)))),
        makers=tuple(makers),
        firmware=tuple(firmware),
        firmware_weights=tuple(accumulate((1, 2, 3, 6, 12))),
        installers=tuple(fake.name() for _ in range(24)),
        streets=tuple(fake.street_address() for _ in range(64)),
    )


def _maker_code(name: str, taken: set[str]) -> str:
    words = [
        w for w in re.split(r"[^A-Za-z]+", ascii_fold(name)) if w and w.lower() not in ("and", "inc", "llc")
    ]
    code = "".join(w[0] for w in words[:2]).upper().ljust(2, "X")
    for suffix in ("", *"ABCDEFGHJKLMNPQRSTUVWXYZ"):
        if code + suffix not in taken:
            return code + suffix
    return code + str(len(taken))


# -- devices ---------------------------------------------------------------------------------------
def samples(
    spec: Spec,
    taken: Callable[[str], bool],
    *,
    status: str | None = None,
    taken_id: Callable[[str], bool] = lambda _: False,
) -> Iterator[Sample]:
    """``spec.count`` devices whose keys ``taken`` (and asset ids ``taken_id``) does not hold.

    ``status`` fixes every device's status. Draws use ``random()`` arithmetic rather than
    ``randrange``/``choice``, which cost a microsecond each.
    """
    data = pools(spec.seed, spec.country)
    rng = random.Random(f"iotfake.generate.devices:{spec.seed}")
    rnd = rng.random
    randbytes = os.urandom if spec.unguessable else rng.randbytes
    sites, site_cum = data.sites, data.site_weights
    site_total = site_cum[-1]
    firmware, firmware_cum = data.firmware, data.firmware_weights
    firmware_total = firmware_cum[-1]
    makers, installers, streets = data.makers, data.installers, data.streets
    slug = _slug(spec.kind)
    title = spec.kind[0].upper() + spec.kind[1:]
    zh = spec.kind_zh or spec.kind
    statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)
    status_cum = tuple(accumulate(status_weights))
    status_total = status_cum[-1]
    numbers: dict[str, int] = {}
    seen: set[str] = set()
    # registered one after another over the span, as a real registry's devices were: creation
    # order is createTime order (EnOS lists newest createTime first by reading it backwards)
    slot, start = SPAN_DAYS * DAY_MS / max(spec.count, 1), REFERENCE_MS - (SPAN_DAYS + 1) * DAY_MS
    for index in range(spec.count):
        site = sites[bisect(site_cum, rnd() * site_total)]
        maker = makers[int(rnd() * len(makers))]
        created = start + int((index + rnd()) * slot)
        installed, year, _ = _day((REFERENCE_MS - created - 1) // DAY_MS + 1)
        while True:
            serial = f"{maker.code}{year}{int(rnd() * 100_000_000):08d}"
            key = f"{slug}-{serial}"
            if key not in seen and not taken(key):
                break
        seen.add(key)
        while True:
            asset_id = randbytes(8).translate(_ALNUM).decode()
            if not taken_id(asset_id):
                break
        number = numbers[site.name] = numbers.get(site.name, 0) + 1
        state = status or statuses[bisect(status_cum, rnd() * status_total)]
        active, online, offline = _times(rnd, state, created)
        yield Sample(
            key,
            serial,
            f"{site.name} {title} {number:03d}",
            f"{site.name} {zh} {number:03d}",
            site,
            round(site.latitude + (rnd() - 0.5) * 0.06, 5),
            round(site.longitude + (rnd() - 0.5) * 0.06, 5),
            maker,
            maker.models[int(rnd() * len(maker.models))],
            firmware[bisect(firmware_cum, rnd() * firmware_total)],
            installed,
            created,
            state,
            active,
            online,
            offline,
            installers[int(rnd() * len(installers))],
            streets[int(rnd() * len(streets))],
            asset_id,
            randbytes(20).translate(_ALNUM).decode(),
        )


#: bytes -> letters and digits (a byte's value modulo 62; the slight bias does not matter here)
_ALNUM = bytes((string.ascii_letters + string.digits).encode()[i % 62] for i in range(256))
SPAN_DAYS = 5 * 365


@lru_cache(maxsize=SPAN_DAYS + 1)
def _day(days_before: int) -> tuple[str, str, int]:
    """(ISO date, two-digit year, midnight UTC in ms) of the day ``days_before`` the reference."""
    day = REFERENCE.date() - timedelta(days=days_before)
    return day.isoformat(), f"{day.year % 100:02d}", _ms(day)


def _times(rnd: Callable[[], float], status: str, created: int) -> tuple[int, int, int]:
    """(activeTime, lastOnlineTime, lastOfflineTime), consistent with the status; 0 = never."""
    if status == "inactive":
        return 0, 0, 0
    active = min(created + HOUR_MS // 6 + int(rnd() * 14 * DAY_MS), REFERENCE_MS - HOUR_MS)
    if status == "offline":
        offline = max(active + 1, REFERENCE_MS - HOUR_MS - int(rnd() * 20 * DAY_MS))
        online = max(active, offline - 60_000 - int(rnd() * 7 * DAY_MS))
    else:
        online = max(active, REFERENCE_MS - 60_000 - int(rnd() * 6 * HOUR_MS))
        offline = max(active, online - HOUR_MS - int(rnd() * 30 * DAY_MS))
    return active, online, offline


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")[:20].strip("-") or "device"


def merged(generated: dict[str, Any], fixed: dict[str, Any]) -> dict[str, Any]:
    """``fixed`` over ``generated``; objects on both sides are merged one level deep."""
    out = dict(generated)
    for name, value in fixed.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = {**out[name], **value}
        else:
            out[name] = value
    return out


# -- the providers' shapes -------------------------------------------------------------------------
def enos_device(sample: Sample, fixed: dict[str, Any]) -> dict[str, Any]:
    """A fixtures item for ``enos.orgs[].devices`` (the CreateDevice fields plus seeded ones)."""
    item: dict[str, Any] = {
        "deviceKey": sample.key,
        "assetId": sample.asset_id,
        "deviceSecret": sample.secret,
        "deviceName": {
            "defaultValue": sample.name,
            "i18nValue": {"en_US": sample.name, "zh_CN": sample.name_zh},
        },
        "timezone": sample.site.timezone,
        "deviceAttributes": {
            "serialNumber": sample.serial,
            "manufacturer": sample.maker.name,
            "model": sample.model,
            "firmwareVersion": sample.firmware,
            "installDate": sample.installed,
            "latitude": sample.latitude,
            "longitude": sample.longitude,
        },
        "deviceTags": {"site": sample.site.name, "country": sample.site.country},
        "deviceDesc": f"{sample.street}, {sample.site.name}; installed by {sample.installer}",
        "status": sample.status,
        "createTime": sample.created,
    }
    if sample.status != "inactive":
        item.update(
            activeTime=sample.active, lastOnlineTime=sample.last_online, lastOfflineTime=sample.last_offline
        )
    return merged(item, fixed)


def aws_thing(sample: Sample, fixed: dict[str, Any], limit: int) -> dict[str, Any]:
    """A fixtures item for ``aws.accounts[].things``: a thing name in ``[a-zA-Z0-9:_-]+`` and at
    most ``limit`` attributes (3 without a thing type), the fixed ones first, each value in
    ``[a-zA-Z0-9_.,@/:#=\\[\\]-]*``."""
    attributes = dict(fixed.get("attributes") or {})
    for name, value in (
        ("serialNumber", sample.serial),
        ("firmwareVersion", sample.firmware),
        ("site", _attribute(sample.site.name)),
        ("model", sample.model),
        ("manufacturer", _attribute(sample.maker.name)),
        ("installDate", sample.installed),
        ("latitude", f"{sample.latitude:.5f}"),
        ("longitude", f"{sample.longitude:.5f}"),
        ("timezone", sample.site.timezone),
        ("country", sample.site.country),
    ):
        if len(attributes) >= limit:
            break
        if name not in attributes and _AWS_VALUE.fullmatch(value):
            attributes[name] = value
    return {**fixed, "thingName": sample.key, "attributes": attributes}


_AWS_VALUE = re.compile(r"[a-zA-Z0-9_.,@/:#=\[\]-]*")


def _attribute(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_.@/:#=\[\]-]+", "_", ascii_fold(text).replace(",", "")).strip("_")[:800]


def scriptr_device(sample: Sample, fixed: dict[str, Any], groups: list[str] | None) -> dict[str, Any]:
    """A fixtures item for ``scriptr.accounts[].devices``: custom fields with declared types; the
    group is one of the account's groups, or the site's name when the account declares none."""
    if groups:
        group = groups[sum(map(ord, sample.key)) % len(groups)]
    else:
        group = re.sub(r"[^A-Za-z0-9 _-]+", "", ascii_fold(sample.site.name)).strip()[:128] or "site"
    item = {
        "id": sample.key,
        "name": sample.name,
        "description": f"{sample.maker.name} {sample.model} at {sample.street}, {sample.site.name}",
        "groups": [group],
        "serialNumber": sample.serial,
        "manufacturer": sample.maker.name,
        "model": sample.model,
        "firmwareVersion": sample.firmware,
        "installDate": sample.installed,
        "location": f"{sample.latitude},{sample.longitude}",
        "timezone": sample.site.timezone,
        "site": sample.site.name,
        "meta.types": {"installDate": "date", "location": "geospatial"},
    }
    return merged(item, fixed)


# -- the Python API --------------------------------------------------------------------------------
def populate(
    cloud: FakeCloud,
    provider: str,
    devices: int,
    *,
    org: str | None = None,
    product: str | None = None,
    account: str | None = None,
    region: str | None = None,
    seed: int | str | None = None,
    kind: str | None = None,
    country: str | None = None,
    **fields: Any,
) -> list[str]:
    """Generate ``devices`` devices through the fixtures machinery; returns their keys."""
    generator: dict[str, Any] = {"generate": devices, **fields}
    for name, value in (("seed", seed), ("kind", kind), ("country", country)):
        if value is not None:
            generator[name] = value
    builtin = ""  # a device every account of the provider has, which populate did not make
    if provider == "enos":
        if org is None or product is None:
            raise TypeError('populate("enos", ...) needs org= and product=')
        document = {"enos": {"orgs": [{"orgId": org, "devices": [{"productKey": product, **generator}]}]}}
        tenant_id = org
    elif provider == "aws":
        from .providers.aws_iot.arns import DEFAULT_ACCOUNT, DEFAULT_REGION
        from .providers.aws_iot.arns import tenant_id as aws_tenant

        entry = {"accountId": account or DEFAULT_ACCOUNT, "region": region or DEFAULT_REGION}
        document = {"aws": {"accounts": [{**entry, "things": [generator]}]}}
        tenant_id = aws_tenant(entry["accountId"], entry["region"])
    elif provider == "scriptr":
        from .providers.scriptr.accounts import BUILTIN as builtin

        name = account or "default"
        document = {"scriptr": {"accounts": [{"name": name, "devices": [generator]}]}}
        tenant_id = name
    else:
        raise ValueError(f"provider must be enos, aws or scriptr, not {provider!r}")
    with cloud.registry.lock:
        tenant = cloud.registry.find_tenant(provider, tenant_id)
        before = set(tenant.keys) if tenant is not None else set()
        cloud.seed(document)
        after = cloud.registry.tenant(provider, tenant_id).keys
        return [key for key in after if key not in before and key != builtin]
