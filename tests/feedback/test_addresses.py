"""Client addresses: the networks settings name, and what rate limits count a client by."""

import pytest

from feedback.addresses import client_key, in_networks, networks


@pytest.mark.parametrize(("address", "expected"), [
    ("85.132.10.200", True), ("85.132.11.1", False), ("::ffff:85.132.10.1", True), ("", False), ("unix", False),
])
def test_in_networks(address, expected):
    assert in_networks(address, networks("85.132.10.0/24", name="test")) is expected


@pytest.mark.parametrize(("address", "key"), [
    ("85.132.10.7", "85.132.10.7"),
    ("::ffff:85.132.10.7", "85.132.10.7"),
    # One subscriber's /64: every address in it is one client.
    ("2a02:4780:12:3456::1", "2a02:4780:12:3456::/64"),
    ("2a02:4780:12:3456:ffff:1:2:3", "2a02:4780:12:3456::/64"),
    ("2a02:4780:12:3457::1", "2a02:4780:12:3457::/64"),
    ("not an address", "not an address"),
    (None, ""),
])
def test_client_key(address, key):
    assert client_key(address) == key


def test_networks_reads_addresses_and_blocks_and_names_the_setting_on_a_typo():
    assert [str(n) for n in networks("10.0.0.1, 2001:db8::/32  85.132.10.0/24", name="X")] == [
        "10.0.0.1/32", "2001:db8::/32", "85.132.10.0/24"]
    assert networks("", name="X") == ()
    with pytest.raises(ValueError, match="REY_SOMETHING"):
        networks("10.0.0.0/33", name="REY_SOMETHING")
