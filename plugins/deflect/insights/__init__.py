"""Insights from ticket exports: import, topics, gap and impact reports."""
