"""Outreach keeps no personal data: announcements, scripts, rounds and guidance name areas,
buildings and staff roles, not residents. A broadcast round's ``staff`` is the names of the
office's own staff who drove it, kept as long as the round (a record of the office's work),
and the notification run's calls are screening's rows, under screening's rules. No rule is
registered."""
