"""Rendering: the one cross-reference resolver shared by the site and the pandoc editions."""
