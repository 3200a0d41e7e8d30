"""URL × role matrix entries of the open-data part (qmss.portal.urls_open_data, api_open_data).

Everything here is the public registry catalogue (registered services, their providers and places) or fixed
text (robots.txt): no tenant data, public by design."""

PUBLIC = {
    "otevrena-data/": "open data page: what is published and under which terms",
    "otevrena-data/hsds.json": "HSDS 3.0 catalogue: public registry data by design",
    "otevrena-data/hsds/sluzby/<int:service_portal_id>.json": "one service in HSDS 3.0: public registry data",
    "otevrena-data/sluzby.csv": "CSV catalogue: public registry data by design",
    "sitemap.xml": "sitemap of the public pages",
    "robots.txt": "robots.txt: fixed text",
    "api/v1/portal/hsds/services": "HSDS 3.0 API: public registry data by design",
    "api/v1/portal/hsds/services/<service_portal_id>": "HSDS 3.0 API, one service: public registry data",
}
