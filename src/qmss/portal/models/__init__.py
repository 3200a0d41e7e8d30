"""Models of the portal app: editors' situation phrasings (finder), reports of unregistered services (podněty)
and the awareness-campaign content (articles, leaflets, posters, spots) with revisions and attachments.

Each part's module lists its models in ``__all__``; everything is re-exported here."""

from qmss.portal.models.content import *  # noqa: F403
from qmss.portal.models.reports import *  # noqa: F403
from qmss.portal.models.situations import *  # noqa: F403
