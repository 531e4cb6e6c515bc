"""The broker's index of who listens to what, held to the plain matcher: every session whose
filter selects a topic, at the highest QoS such a filter was granted, through subscribes,
unsubscribes and sessions' ends, in two realms."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake.mqtt.subscribers import Subscribers
from iotfake.mqtt.topics import matches


class Listener:
    """A session, as the index reads one: its realm and its grants; hashed by identity."""

    def __init__(self, realm: str, **grants: Any) -> None:
        self.admitted = SimpleNamespace(realm=("r", realm))
        self.subscriptions = dict(grants)


filters = (
    st.lists(st.sampled_from(["a", "b", "", "$x", "+", "#"]), min_size=1, max_size=4)
    .filter(lambda parts: "#" not in parts[:-1])
    .map("/".join)
)
names = st.lists(st.sampled_from(["a", "b", "", "$x", "$SYS"]), min_size=1, max_size=4).map("/".join)
steps = st.lists(
    st.tuples(
        st.sampled_from(["subscribe", "unsubscribe", "end"]), st.integers(0, 3), filters, st.integers(0, 1)
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(steps, st.lists(names, min_size=1, max_size=4))
def test_the_index_finds_what_matching_every_session_finds(plan, topics) -> None:
    sessions = [Listener(str(i % 2)) for i in range(4)]
    index = Subscribers()
    for action, which, topic_filter, qos in plan:
        session = sessions[which]
        if action == "subscribe":
            session.subscriptions[topic_filter] = qos
            index.add(session, topic_filter, qos)
        elif action == "unsubscribe" and session.subscriptions.pop(topic_filter, None) is not None:
            index.remove(session, topic_filter)
        elif action == "end":
            index.drop(session)
            session.subscriptions = {}
        for realm in (("r", "0"), ("r", "1")):
            for topic in topics:
                expected = {
                    id(s): max(q for f, q in s.subscriptions.items() if matches(f, topic))
                    for s in sessions
                    if s.admitted.realm == realm and any(matches(f, topic) for f in s.subscriptions)
                }
                found = {id(s): qos for s, qos in index.matching(realm, topic).items()}
                assert found == expected, (realm, topic)


def test_an_index_with_nobody_left_holds_no_realm() -> None:
    session = Listener("0", **{"a/+/#": 1})
    index = Subscribers()
    index.add(session, "a/+/#", 1)
    assert index.matching(("r", "0"), "a/b") == {session: 1}
    index.drop(session)
    assert index.matching(("r", "0"), "a/b") == {}
    assert index._realms == {}  # pruned to nothing
