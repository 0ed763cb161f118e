"""Screening pages, one module per part of the work:

* ``campaigns`` — the list, the coverage page, creating, starting, closing, moving households
  between callers and adding helpers;
* ``questionnaires`` — the builder (add, reorder, condition questions) and the phone preview;
* ``calls`` — the caller's phone screen: today's list, a household, the call button, the
  outcome, the questionnaire, moved away;
* ``alerts`` — open alerts to act on, and move-outs waiting for the grid worker;
* ``transfer`` — the register's export and summary, and the import of answers on paper.

Views parse input, call a service, render; every row comes through ``restrict()`` or
the campaigns above the user, which reach down to them (``Campaign.scope_rule``).
"""
