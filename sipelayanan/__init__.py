"""SiPelayanan: online WhatsApp public services of Disdukcapil Kabupaten Way Kanan."""

__version__ = "0.1.0"
