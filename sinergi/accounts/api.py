from ninja import Router, Schema

from .selectors import user_roles

router = Router(tags=["accounts"])


class MeOut(Schema):
    email: str
    name: str
    roles: list[str]
    language: str


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request):
    user = request.user
    return {
        "email": user.email,
        "name": user.full_name,
        "roles": sorted(user_roles(user)),
        "language": user.language,
    }
