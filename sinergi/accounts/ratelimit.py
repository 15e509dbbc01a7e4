"""How django-axes names the account a log-in attempt is for."""


def login_username(request, credentials: dict | None = None) -> str | None:
    """Return the e-mail address of a log-in attempt, lower-cased as stored.

    Log-in ignores the case of the address, so the failure count must too: otherwise each
    spelling ("ani@…", "Ani@…", "ANI@…") would get its own five attempts.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username.strip().lower() if username else username
