"""Whether a Windows process holds an elevated token (administrator rights after the UAC
prompt), and its parent: what the elevated door (app.elevation_door) needs to tell a process the
administrator prompt started from one an administrator's own elevated shell started.

I/O only; every failure is None (not known), never a guess."""

from __future__ import annotations

import os
import sys

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
TOKEN_QUERY = 0x0008
TOKEN_ELEVATION = 20  # TOKEN_INFORMATION_CLASS.TokenElevation


def elevated(pid: int | None = None) -> bool | None:
    """Whether process ``pid`` (this one by default) runs with an elevated token."""
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
    advapi32.OpenProcessToken.argtypes = (
        wintypes.HANDLE,
        wintypes.DWORD,
        ctypes.POINTER(wintypes.HANDLE),
    )
    advapi32.GetTokenInformation.argtypes = (
        wintypes.HANDLE,
        ctypes.c_int,
        ctypes.c_void_p,
        wintypes.DWORD,
        ctypes.POINTER(wintypes.DWORD),
    )
    process = kernel32.OpenProcess(
        PROCESS_QUERY_LIMITED_INFORMATION, False, os.getpid() if pid is None else pid
    )
    if not process:
        return None
    token = wintypes.HANDLE()
    try:
        if not advapi32.OpenProcessToken(process, TOKEN_QUERY, ctypes.byref(token)):
            return None
        try:
            value, size = wintypes.DWORD(), wintypes.DWORD()
            if not advapi32.GetTokenInformation(
                token,
                TOKEN_ELEVATION,
                ctypes.byref(value),
                ctypes.sizeof(value),
                ctypes.byref(size),
            ):
                return None
            return bool(value.value)
        finally:
            kernel32.CloseHandle(token)
    finally:
        kernel32.CloseHandle(process)


def under_wine() -> bool:
    """Wine (how the Windows code is tested here): it has no UAC prompt, and a process started
    from the Unix side has no Windows parent."""
    if sys.platform != "win32":
        return False
    import ctypes

    try:
        return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")
    except OSError:
        return False


def parent() -> tuple[int, bool] | None:
    """(pid, started before this process) of this process's parent, or None when not known.
    A parent that started after this process is another process that took a freed number."""
    import psutil

    try:
        me = psutil.Process()
        ppid = me.ppid()
        if not ppid:
            return None
        return ppid, psutil.Process(ppid).create_time() <= me.create_time()
    except (psutil.Error, OSError):
        return None
