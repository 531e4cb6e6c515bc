"""The device side: an MQTT broker that shares the cloud, and where the registry decides who gets in.

Layout (one concept a module):

- ``packets``: MQTT 3.1.1 packets as plain records and the protocol's constants;
- ``codec``: reading and writing them, by amqtt's codec (the optional ``mqtt`` extra);
- ``topics``: topic names and filters;
- ``broker``: the asyncio broker in a thread of its own: connections, keep-alive, routing by
  realm, faults and journal; registry work off the event loop;
- ``tls``: the TLS listener's context: the server certificate from the cloud's root CA, client
  certificates checked against what the registry knows;
- ``sides``: what a provider's device side is (a Provider without HTTP, so fault rules name it)
  and how a connection finds its side;
- ``aws``, ``enos``: the two device sides.

A new provider's device side is a :class:`~iotfake.mqtt.sides.DeviceSide` subclass answering
``admit`` / ``may_*`` / ``published``, listed in ``providers.provider_classes`` and picked in
``Sides.pick``. Nothing here but ``codec`` and ``broker`` imports amqtt, so a cloud without the
extra still loads the sides (their fault rules validate) and answers HTTP as before.
"""
