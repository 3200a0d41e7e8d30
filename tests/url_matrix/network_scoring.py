"""URL × role matrix entries of the scoring part (qmss.network urls_scoring).

The ranking, explanation and comparison are the network manager's working material (members of the managing
organisation); the explanation of an application is also open to the provider organisation that filed it. All
three are GET-only pages and are checked as usual (no entries needed here)."""
