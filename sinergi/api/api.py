"""The /api/v1/ surface, assembled from each app's router."""

from ninja import NinjaAPI

import sinergi
from sinergi.accounts.api import router as accounts_router
from sinergi.certificates.api import router as certificates_router
from sinergi.learning.api import router as learning_router
from sinergi.library.api import router as library_router
from sinergi.partners.api import router as partners_router
from sinergi.training.api import router as training_router
from sinergi.visits.api import router as visits_router

from .auth import default_auth

api = NinjaAPI(
    title="Sinergi API",
    version=sinergi.__version__,
    description=(
        "Integration API of Sinergi. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`) or, in the browser, with your session."
    ),
    auth=default_auth,
    urls_namespace="api-1",
    docs_url="/docs",
)
api.add_router("/", accounts_router)
api.add_router("/", partners_router)
api.add_router("/", training_router)
api.add_router("/", learning_router)
api.add_router("/", certificates_router)
api.add_router("/", visits_router)
api.add_router("/", library_router)
