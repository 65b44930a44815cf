"""Values an office has before its admin saves the profile. A module without the database
layer, so that the command line's fast status answer reads the same defaults."""

from __future__ import annotations

DEFAULT_OFFICE_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Way Kanan"
