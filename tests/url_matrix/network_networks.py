"""URL × role matrix entries of the networks part (qmss.network.urls_networks).

Who is in a network is public (issue #11): the index, a network's entries, its versions and their diff, the annex
and the brief show no tenant secret to anybody – the managing organisation's name appears only to its members.
The manager's pages (new network, edit, tiers, entries, brief items) show it and are checked as usual."""

PUBLIC = {
    "sit/": "index of networks: public by design",
    "sit/<int:network_pk>/": "a network's services by tier: public by design",
    "sit/<int:network_pk>/verze/": "versions of a network: public by design",
    "sit/<int:network_pk>/verze/rozdil/": "diff of two versions of a network: public by design",
    "sit/<int:network_pk>/priloha.<str:fmt>": "annex of a network version (XLSX / CSV): public by design",
    "sit/<int:network_pk>/zadani/": "brief of a network with its gaps: public by design (the manager posts here)",
}
