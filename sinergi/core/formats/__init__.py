"""Format overrides (FORMAT_MODULE_PATH): what Django's own locales get wrong for Sinergi.

Only the first input format changes: a widget without a format of its own renders its value
in it, and `<input type="date">` / `datetime-local` / `time` accept nothing but the HTML
formats (yyyy-mm-dd, yyyy-mm-ddThh:mm, hh:mm). Django's Indonesian locale puts dd-mm-yyyy
first, which a browser's date input drops: saving the form unchanged then erased the date.
Everything Django accepts on input stays accepted; dates for reading keep the locale's formats.
"""
