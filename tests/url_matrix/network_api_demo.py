"""URL × role matrix entries of the network API (qmss.network.api_networks, api_scoring).

Who is in a network is public (issue #11): the list of networks, one network and the entries of a version show no
tenant secret by design. The scores (``networks/<network_pk>/scores``) are checked as usual: only the members of
the managing organisation (and superusers) see them; everybody else gets 403."""

PUBLIC = {
    "api/v1/network/networks": "network API: networks are public by design",
    "api/v1/network/networks/<network_pk>": "network API: a network with its tiers and versions, public by design",
    "api/v1/network/networks/<network_pk>/entries": "network API: entries of a network version, public by design",
}
