"""Plots, clip animations and widgets for the book, one module per chapter topic."""
