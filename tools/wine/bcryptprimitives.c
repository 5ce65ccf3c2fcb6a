/* A bcryptprimitives.dll stand-in for the Wine harness only (README.md, workaround e). Rust's
 * standard library (1.78 and newer) gets random bytes from ProcessPrng in bcryptprimitives.dll,
 * which Windows 10 has and Wine 8 does not, so every Rust-built Python extension (rpds-py under
 * jsonschema, pydantic-core under xarf) fails to load with "DLL load failed". Here ProcessPrng
 * takes its bytes from RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 *
 * Built by tools/wine/setup.sh with Debian's mingw-w64 into the prefix's system32. Nothing here
 * goes into Clearline or its build. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
