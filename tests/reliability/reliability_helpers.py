"""Checks shared by the reliability tests."""

from __future__ import annotations

from iotfake import FakeCloud


def assert_consistent(cloud: FakeCloud) -> None:
    """The registry's indexes agree with each other and every quota holds."""
    for tenant in cloud.registry.tenants():
        where = f"{tenant.provider}/{tenant.id}"
        assert len(tenant.devices) == len(tenant.keys), where
        for device_id, device in tenant.devices.items():
            assert device.id == device_id, where
            assert tenant.keys.get(device.key) is device, (where, device.key)
            if device.product is not None:
                assert tenant.products[device.product].devices.get(device.key) is device, (where, device.key)
        held = 0
        for key, product in tenant.products.items():
            assert product.key == key, where
            for device_key, device in product.devices.items():
                assert device.product == key and tenant.keys.get(device_key) is device, (where, device_key)
            held += len(product.devices)
            if product.quota is not None:
                assert len(product.devices) <= product.quota, (where, key)
        assert held == sum(1 for d in tenant.devices.values() if d.product is not None), where
        assert tenant.uncounted <= set(tenant.keys), where
        if tenant.quota is not None:  # devices every account has (scriptr's built-in one) are uncounted
            assert len(tenant.devices) - len(tenant.uncounted) <= tenant.quota, where
