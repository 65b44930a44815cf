"""The resident's status page: a static site free of personal data, built from the database and
published by the app itself to a folder, an SFTP server or a WebDAV/HTTP PUT target.

- :mod:`.build` (no Qt) the office's site settings and the build: ``index.html`` with its own JS
  and CSS (``resources/statussite/``), ``config.json`` (salt, iterations) and one small JSON file
  per open or recently finished request, named by PBKDF2-SHA256 of its tracking code.
- :mod:`.publish` sends a built tree to its target, only what changed, removing expired files.
- :mod:`.cli` the ``sipelayanan status-site build|publish`` commands.
"""
