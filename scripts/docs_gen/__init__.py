"""The documentation generator behind scripts/build_docs.py, one module per concern.

- ``markdown``: paths, Markdown helpers, links between reference pages
- ``tables``, ``codelists``, ``issues``, ``indicators``, ``json_schema``, ``cli``: the reference pages, by subject
- ``versions``: versions' status, when fields, codes and indicators came in, the version switcher
- ``changes``: what each version changed (its changelog entry, and every addition and deprecation)
- ``guidance``: the published guidance the standard names (``guidance.csv``), linked
- ``pages``: every reference page of every version, and the reference index
- ``downloads``: the downloads (``schema/<version>/...``) and their page
- ``toolkit``: the toolkit's wheel and sdist (``toolkit/...``), built offline, and the install steps
- ``guides``: the mappings and synthetic exports of the case-management guides (``examples/<system>/...``)
- ``mapping``: the mapping file's keys, from its JSON Schema
- ``embeds``, ``runner``: ``mcds-embed`` and ``mcds-run`` blocks in hand-written pages
- ``site``: the whole generation (pages, the MkDocs nav), checking and writing
- ``hook``: the MkDocs hook (downloads, table cells labelled for phones, the search worker's query separator)
"""
