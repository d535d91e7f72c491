"""The PaNOSC search API: loopback-style filters over datasets and documents."""
