"""Login and logout are Django's own views (see urls.py); axes throttles failed logins."""
