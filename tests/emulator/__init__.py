"""A local emulator of the Google Sheets API v4 (and the Drive v3 calls gspread makes), for tests.

>>> from tests.emulator import SheetsEmulator
>>> with SheetsEmulator() as emu:
...     emu.url.startswith("http://127.0.0.1:")
True
"""

from .api import Call
from .emulator import SheetsEmulator
from .views import CellView, SheetView

__all__ = ["Call", "CellView", "SheetView", "SheetsEmulator"]
