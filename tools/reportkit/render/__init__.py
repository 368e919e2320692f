"""Rendering the editions: the one resolver they share, pandoc's judged AST and writers, the MkDocs plugin."""
