"""NeXus metadata extraction and datasets in the PaNOSC search API shape."""
