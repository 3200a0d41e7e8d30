"""URL × role matrix entries of the analysis part (qmss.network urls_analysis)."""

PUBLIC = {
    "sit/analyza/": "network analysis: choice of a region and kind group (public data)",
    "sit/analyza/<str:region_code>/": "network analysis: registry capacity and territory population (public data)",
    "sit/analyza/<str:region_code>/export.xlsx": "network analysis export: the public table as XLSX",
}
