"""Imaging: decoding, measuring and rendering images with libvips and numpy."""
