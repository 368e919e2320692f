"""The report's apparatus: endnotes, citations, numbered figures, tables and boxes, the glossary.

Each part reads the loaded report (the model) and nothing else, so that the three editions number,
cite and expand alike: `files` reads glossary.yml and references.yml, `order` says in which order
the printed editions set the text out, `notes`, `captions`, `citations` and `glossary` find each
part in the text, number it and check it, `edits` is what the resolver writes for each edition, and
`judge` holds pandoc's reading of the text to the same account. The renderers' side is in
`render/apparatus.py` (PDF, DOCX), `render/citeproc.py` (the one citeproc run) and
`render/site_apparatus.py` (the site).
"""
