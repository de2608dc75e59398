"""The documentation generator behind scripts/build_docs.py, one module per concern.

- ``markdown``: paths, Markdown helpers, links between reference pages
- ``tables``, ``codelists``, ``issues``, ``indicators``, ``cli``: the reference pages, by subject
- ``pages``: every reference page and the reference index
- ``downloads``: the downloads (``schema/<version>/...``) and their page
- ``embeds``, ``runner``: ``mcds-embed`` and ``mcds-run`` blocks in hand-written pages
- ``site``: the whole generation (pages, the MkDocs nav), checking and writing
- ``hook``: the MkDocs hook
"""
