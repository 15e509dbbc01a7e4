from num2words import num2words


def format_rupiah(amount: int) -> str:
    """Return `amount` as Indonesians write money: Rp750.000 (dots between thousands)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def rupiah_in_words(amount: int) -> str:
    """Return the amount in Indonesian words, as on a receipt ("Tujuh ratus ribu rupiah")."""
    words = num2words(amount, lang="id")
    return f"{words[0].upper()}{words[1:]} rupiah"
