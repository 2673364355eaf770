"""Certificates of attendance: one page per person who came, verified by a code on a public page."""
