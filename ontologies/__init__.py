"""Experimental-technique terms (PaNET), their hierarchy, and the NeXus definition mapping."""
