"""What the navigation of every page needs to know about the user."""

from spbe.front.pedoman import STAGES
from spbe.org import access


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_stages": []}
    scope = access.scope_for(user)
    stages = [(slug, title) for slug, (title, _lead, _reqs) in STAGES.items() if slug != "pengaturan"]
    return {
        "nav_stages": stages if scope.is_staff_member else [],
        "nav_is_staff_member": scope.is_staff_member,
        "nav_can_manage_org": access.can_manage_org(user),
        "nav_is_system_admin": scope.is_system_admin,
    }
