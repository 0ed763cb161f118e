"""Retention of daily reports: none to purge.

A report holds an area's figures (counts, no person) and its office's notes about the day;
it is the record of what was reported upward and is kept as long as the area exists, so no
rule is registered (docs/data-dictionary.md, daily.*). Report templates are blank forms (no
person in them) and deadlines a time of day: kept with their area too.
"""
