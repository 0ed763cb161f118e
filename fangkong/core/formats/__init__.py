"""One way to write a date on every page (``settings.FORMAT_MODULE_PATH``).

Tables, forms, lists and details write dates as 2026-12-07 and times as 2026-12-07 14:05, in
Chinese as in English: the way a date input shows it and an export writes it, so one date no
longer looks three ways (2026年12月7日 beside 2026-12-07 beside 2026/12/7). A ``{{ day }}`` or a
``|date`` without a format takes these. Only display formats are set here: Django's own
modules still give the input formats, so 2026/12/7 and 2026年12月7日 are still read.
"""
