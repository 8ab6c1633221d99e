"""The business report: the tiers of the published marts as one offline HTML file and a PNG per chart.

`python -m report` (or `make report`) reads the marts (marts.py), draws the charts with Plotly
(figures.py, bilingual words in labels.py), embeds a subset of a CJK font (fonts.py) and
plotly.js into one HTML file (page.py) and screenshots each chart in headless Chromium (png.py).
The command line is __main__.py. See README "The report" and DECISIONLOG D100-D105.
"""
