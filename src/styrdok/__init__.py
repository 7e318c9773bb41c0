"""styrdok: styrdokument and the ledningssystem for systematiskt kvalitetsarbete as code."""

__version__ = "0.1.0"
