"""Harness only, installed into the Windows Python's site-packages by tools/wine/setup.sh.

scapy >= 2.6 binds secur32's SSPI functions when it is imported (scapy/arch/windows/sspi.py),
among them SspiGetTargetHostName, which Wine's secur32.dll does not export: the AttributeError
would make every `import scapy` fail under Wine. Under Wine only, a missing Sspi* name resolves
to a function that answers SEC_E_UNSUPPORTED_FUNCTION, as Windows does for a package that lacks
it. On real Windows, and for every other name, nothing changes.
"""

import ctypes
import sys
from typing import ClassVar

SEC_E_UNSUPPORTED_FUNCTION = 0x80090302


def _under_wine() -> bool:
    try:
        return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")
    except (AttributeError, OSError):  # not Windows
        return False


class _Secur32(ctypes.WinDLL):
    _stubs: ClassVar[list] = []  # the callbacks must outlive the function pointers made from them

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except AttributeError:
            if not (isinstance(name, str) and name.startswith("Sspi")):
                raise
            callback = ctypes.WINFUNCTYPE(ctypes.c_ulong)(lambda: SEC_E_UNSUPPORTED_FUNCTION)
            self._stubs.append(callback)
            # A fresh pointer to the callback, so the caller may set argtypes and restype on it
            # (extra arguments are harmless in the x64 calling convention).
            func = self._FuncPtr(ctypes.cast(callback, ctypes.c_void_p).value)
            func.__name__ = name
            return func


if sys.platform == "win32" and _under_wine():
    ctypes.windll.secur32 = _Secur32("secur32")
