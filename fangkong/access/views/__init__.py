"""Access pages: the gate scanner (online and offline), passes, policy, exemptions,
suspensions, the gate log and its reports, visitors.

Views parse, call a service, render. Every row comes through ``restrict()`` (outside the
user's scope: 404; inside without the right: 403). Forms are core's ``ServiceFormView``,
buttons core's ``ServiceActionView`` (``common.AccessActionView``): a refusal is the 403 page
or the form with its reason on top, as on every app's pages.
"""
