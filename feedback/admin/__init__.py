"""The admin side: centers, services, staff, kiosks, API keys. Every page here is for the admin role only."""

from importlib import import_module

from flask import Blueprint, abort
from flask_login import current_user

from feedback.extensions import login_manager
from feedback.models import Role

bp = Blueprint("admin", __name__, template_folder="../templates")

#: Route modules of this blueprint; add a line to add a page group.
ROUTE_MODULES = [
    "feedback.admin.routes",
    "feedback.admin.users",
    "feedback.admin.kiosks",
    "feedback.admin.api_keys",
    "feedback.admin.posters",
    "feedback.admin.model",
    "feedback.admin.log",
    "feedback.admin.erasure",
]


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != Role.admin:
        abort(403)
    return None


for _module in ROUTE_MODULES:
    import_module(_module)
