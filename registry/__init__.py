"""Analysis procedures, their versions, facilities, instruments and linked resources."""
