"""Server-rendered pages for scientists and curators."""
