# Replaces pyinstaller-hooks-contrib's hook, which collects every phonenumbers submodule: the
# app only parses and validates numbers, so the geocoding, carrier and time-zone tables (about
# 40 MB) stay out. A module that needs them fails the bundle's self-test (it imports them all).
from PyInstaller.utils.hooks import collect_submodules

_UNUSED = (
    "phonenumbers.geodata",
    "phonenumbers.geocoder",
    "phonenumbers.carrier",
    "phonenumbers.timezone",
    "phonenumbers.tzdata",
)

hiddenimports = collect_submodules("phonenumbers", filter=lambda name: not name.startswith(_UNUSED))
