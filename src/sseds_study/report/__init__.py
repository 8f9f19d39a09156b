"""A report on one's own table (``sseds report``): the book's chapters executed on one profile and
built as a small Jupyter Book under ``results/<profile>/report/`` (``build``), from the template in
``book/report_template/`` (its ``_config.yml``, ``_toc.yml`` and chapter notebooks); ``profile``
says which study a report runs (the profile, or its quick tier)."""
