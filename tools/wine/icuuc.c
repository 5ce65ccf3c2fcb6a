/* A stand-in for Windows 10's icuuc.dll, which Wine does not ship (harness only).
 *
 * Qt6Core.dll imports these twenty ICU converter functions. Without the DLL Windows' loader
 * refuses Qt6Core ("DLL load failed: Module not found"). Every converter fails to open, so
 * Qt never holds a converter and falls back to its own codecs (UTF-8, UTF-16, Latin-1 and
 * the system code page through MultiByteToWideChar), which is what Clearline uses anyway.
 * The functions that take a converter are never reached; they fail safely all the same.
 *
 * Built by tools/wine/setup.sh with Debian's mingw-w64 (gcc-mingw-w64-x86-64) and put in the
 * Wine prefix's system32, never next to Qt: PyInstaller leaves system32 out of the app. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT __declspec(dllexport)
typedef int32_t UErrorCode;
typedef uint16_t UChar;
typedef struct UConverter UConverter;
enum { U_ZERO_ERROR = 0, U_FILE_ACCESS_ERROR = 4, U_UNSUPPORTED_ERROR = 16 };

static void fail(UErrorCode *err, UErrorCode code)
{
    if (err && *err <= U_ZERO_ERROR)
        *err = code;
}

/* Converters: none can be opened, none are listed. */
EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err) { (void)name; fail(err, U_FILE_ACCESS_ERROR); return NULL; }
EXPORT void ucnv_close(UConverter *cnv) { (void)cnv; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err) { (void)name; (void)standard; fail(err, U_FILE_ACCESS_ERROR); return NULL; }

/* What takes an open converter: unreachable, since none opens. */
EXPORT void ucnv_reset(UConverter *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 1; }
EXPORT const char *ucnv_getName(const UConverter *cnv, UErrorCode *err) { (void)cnv; fail(err, U_UNSUPPORTED_ERROR); return NULL; }
EXPORT void ucnv_getToUCallBack(const UConverter *cnv, void **action, const void **context) { (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_getFromUCallBack(const UConverter *cnv, void **action, const void **context) { (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_setToUCallBack(UConverter *cnv, void *action, const void *context, void **old_action, const void **old_context, UErrorCode *err) { (void)cnv; (void)action; (void)context; (void)old_action; (void)old_context; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT void ucnv_setFromUCallBack(UConverter *cnv, void *action, const void *context, void **old_action, const void **old_context, UErrorCode *err) { (void)cnv; (void)action; (void)context; (void)old_action; (void)old_context; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT void ucnv_toUnicode(UConverter *cnv, UChar **target, const UChar *target_limit, const char **source, const char *source_limit, int32_t *offsets, int8_t flush, UErrorCode *err) { (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT void ucnv_fromUnicode(UConverter *cnv, char **target, const char *target_limit, const UChar **source, const UChar *source_limit, int32_t *offsets, int8_t flush, UErrorCode *err) { (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT int32_t ucnv_toUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; fail(err, U_UNSUPPORTED_ERROR); return 0; }
EXPORT int32_t ucnv_fromUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; fail(err, U_UNSUPPORTED_ERROR); return 0; }

/* Callbacks Qt passes by address to the setters above. */
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset_index, UErrorCode *err) { (void)args; (void)source; (void)length; (void)offset_index; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *source_limit, int32_t offset_index, UErrorCode *err) { (void)args; (void)source; (void)source_limit; (void)offset_index; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length, int32_t code_point, int32_t reason, UErrorCode *err) { (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; fail(err, U_UNSUPPORTED_ERROR); }
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length, int32_t reason, UErrorCode *err) { (void)context; (void)args; (void)units; (void)length; (void)reason; fail(err, U_UNSUPPORTED_ERROR); }
