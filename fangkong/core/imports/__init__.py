"""What every import shares: the upload store, rejected rows, places, and the page flow.

An app's import (the registry's residents, health's records, screening's answers) reads a
file through ``fangkong.core.spreadsheets`` and is built from these parts:

* ``rows``: ``RowError`` (a rejected row as a worker reads it: row number as Excel shows it,
  the column as the file names it, the reason) and ``RowProblem`` (a cell that cannot be
  used, raised by the parsers and turned into a ``RowError``);
* ``places``: what workers write for a building, unit and room (``1号楼``, ``东园1号楼``,
  ``1-502``) resolved to a community's building (``BuildingIndex``) and numbers;
* ``uploads``: files kept between the preview and the import, through Django's storage
  API (the ``uploads`` alias of ``STORAGES``) so that web and worker may run on different
  machines;
* ``flow``: upload → preview → confirm (or cancel) → import, each step a ``core.Job``;
  ``do_confirm_import`` starts an import at most once per preview, however many clicks.
"""
