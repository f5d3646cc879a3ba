"""IP address string functions: isValidIp, isValidIpV4, isValidIpV6, isIpInSubnet, isIpv4InSubnet, isIpv6InSubnet.

AWS documents each as "returns true if the field is a valid v4/v6 address (within the given CIDR subnet)":
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
(IP address string functions). Addresses are parsed by Python's ``ipaddress``, which refuses IPv4 octets
with leading zeros and accepts IPv6 in every RFC 4291 text form.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from cartmon_emulator.engines.insights.expressions import _Node
from cartmon_emulator.engines.insights.values import _render

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: Any) -> _Address | None:
    try:
        return ipaddress.ip_address(_render(value).strip())
    except ValueError:
        return None


def _network(value: Any) -> _Network | None:
    """A CIDR subnet; host bits may be set (``192.0.2.7/24`` means ``192.0.2.0/24``)."""
    text = _render(value).strip()
    if "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _is_valid(version: int | None) -> Callable[[Any, list[_Node]], Any]:
    def apply(row: Any, args: list[_Node]) -> Any:
        value = args[0].eval(row)
        if value is None:
            return None  # a missing field is unknown, like a comparison with it
        address = _address(value)
        return address is not None and (version is None or address.version == version)

    return apply


def _in_subnet(version: int | None) -> Callable[[Any, list[_Node]], Any]:
    def apply(row: Any, args: list[_Node]) -> Any:
        value, subnet = args[0].eval(row), args[1].eval(row)
        if value is None or subnet is None:
            return None
        address, network = _address(value), _network(subnet)
        if address is None or network is None or address.version != network.version:
            return False
        return (version is None or address.version == version) and address in network

    return apply


# name (lower case) -> (callable, min args, max args, positions that must be periods)
IP_FUNCTIONS: dict[str, tuple[Callable[[Any, list[_Node]], Any], int, int | None, tuple[int, ...]]] = {
    "isvalidip": (_is_valid(None), 1, 1, ()),
    "isvalidipv4": (_is_valid(4), 1, 1, ()),
    "isvalidipv6": (_is_valid(6), 1, 1, ()),
    "isipinsubnet": (_in_subnet(None), 2, 2, ()),
    "isipv4insubnet": (_in_subnet(4), 2, 2, ()),
    "isipv6insubnet": (_in_subnet(6), 2, 2, ()),
}
