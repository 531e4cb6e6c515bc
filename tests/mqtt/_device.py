"""The tests' device: the package's own synchronous paho wrapper."""

from iotfake.mqtt.clients import DeviceClient as Device

__all__ = ["Device"]
