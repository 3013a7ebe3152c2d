"""Tillidsguiden: answers from the guidance material on trust and cooperation, with sources."""
