/* Stand-ins for Windows programs Clearline starts, for the Wine harness only (README.md, "The
 * Windows stand-ins"). Wine's powershell.exe is a stub that runs no script, and Wine has no
 * route.exe and an arp.exe of its own wording, so Clearline's real Windows subprocess code
 * would never see a report to parse. One program, copied under each name; its own file name
 * says which program it stands in for, and an environment variable names the recording it
 * answers with:
 *
 *   powershell.exe  CLEARLINE_STANDIN_POWERSHELL  reads all of standard input first, as
 *                                                 "-Command -" does
 *   route.exe       CLEARLINE_STANDIN_ROUTE
 *   arp.exe         CLEARLINE_STANDIN_ARP
 *
 * It writes the recording's bytes to standard output unchanged (binary mode: a cp932 recording
 * stays cp932, CR LF stays CR LF) and exits 0. Also read, by every name:
 *   CLEARLINE_STANDIN_STDIN  file to save the bytes received on standard input to (powershell)
 *   CLEARLINE_STANDIN_ARGV   file to add the arguments to: UTF-8, one a line, argv[0] first,
 *                            then an empty line (appended, so a test can count the runs)
 *   CLEARLINE_STANDIN_SLEEP  seconds to wait before answering (after reading standard input)
 * Without its recording variable it says why on standard error and exits 1. With the argument
 * --standin-version it prints "clearline-standin <version> <name>" and exits 0: how the tests
 * tell the stand-in from a real program.
 *
 * Built by tools/wine/setup.sh with Debian's mingw-w64 (gcc-mingw-w64-x86-64) and copied into
 * the Wine prefix's system32 over Wine's own files. Nothing here goes into Clearline. */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#define STANDIN_VERSION "1"

struct tool {
    const wchar_t *name; /* file name without ".exe", lower case */
    const wchar_t *recording;
    int reads_stdin;
};

static const struct tool TOOLS[] = {
    {L"powershell", L"CLEARLINE_STANDIN_POWERSHELL", 1},
    {L"route", L"CLEARLINE_STANDIN_ROUTE", 0},
    {L"arp", L"CLEARLINE_STANDIN_ARP", 0},
};

static char name_utf8[MAX_PATH * 3];

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s (Clearline harness stand-in): ", name_utf8);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

/* An environment variable, or NULL when unset or empty. */
static wchar_t *env(const wchar_t *name)
{
    static wchar_t value[4][32768];
    static int next;
    wchar_t *buf = value[next++ % 4];
    DWORD n = GetEnvironmentVariableW(name, buf, 32768);
    return (n == 0 || n >= 32768) ? NULL : buf;
}

static char *utf8(const wchar_t *text)
{
    static char buf[4][32768 * 3];
    static int next;
    char *out = buf[next++ % 4];
    if (!WideCharToMultiByte(CP_UTF8, 0, text, -1, out, sizeof buf[0], NULL, NULL))
        out[0] = '\0';
    return out;
}

static FILE *open_or_die(const wchar_t *path, const wchar_t *mode, const wchar_t *what)
{
    FILE *fp = _wfopen(path, mode);
    if (!fp) {
        char msg[32768 * 3 + 64];
        snprintf(msg, sizeof msg, "%s %s", utf8(what), utf8(path));
        die("cannot open %s", msg);
    }
    return fp;
}

static void save(const wchar_t *path, const char *data, size_t size)
{
    FILE *fp = open_or_die(path, L"wb", L"file to save to:");
    if (fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        die("cannot write %s", utf8(path));
}

int wmain(int argc, wchar_t **argv)
{
    wchar_t self[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, self, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        wcscpy(self, argv[0]);
    wchar_t *base = self;
    for (wchar_t *p = self; *p; p++)
        if (*p == L'\\' || *p == L'/')
            base = p + 1;
    size_t len = wcslen(base);
    if (len > 4 && _wcsicmp(base + len - 4, L".exe") == 0)
        base[len - 4] = L'\0';
    _wcslwr(base);
    snprintf(name_utf8, sizeof name_utf8, "%s.exe", utf8(base));

    const struct tool *tool = NULL;
    for (size_t i = 0; i < sizeof TOOLS / sizeof TOOLS[0]; i++)
        if (wcscmp(base, TOOLS[i].name) == 0)
            tool = &TOOLS[i];
    if (!tool)
        die("%s", "no program of this name is stood in for");

    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);

    for (int i = 1; i < argc; i++)
        if (wcscmp(argv[i], L"--standin-version") == 0) {
            printf("clearline-standin %s %s\n", STANDIN_VERSION, utf8(tool->name));
            return 0;
        }

    const wchar_t *argv_file = env(L"CLEARLINE_STANDIN_ARGV");
    if (argv_file) {
        FILE *fp = open_or_die(argv_file, L"ab", L"file to add to:");
        for (int i = 0; i < argc; i++)
            fprintf(fp, "%s\n", utf8(argv[i]));
        fputc('\n', fp);
        if (fclose(fp) != 0)
            die("cannot write %s", utf8(argv_file));
    }

    if (tool->reads_stdin) {
        size_t size = 0, cap = 1 << 16;
        char *data = malloc(cap);
        size_t got;
        while (data && (got = fread(data + size, 1, cap - size, stdin)) > 0) {
            size += got;
            if (size == cap)
                data = realloc(data, cap *= 2);
        }
        if (!data)
            die("%s", "out of memory");
        const wchar_t *stdin_file = env(L"CLEARLINE_STANDIN_STDIN");
        if (stdin_file)
            save(stdin_file, data, size);
        free(data);
    }

    const wchar_t *delay = env(L"CLEARLINE_STANDIN_SLEEP");
    if (delay) {
        double seconds = wcstod(delay, NULL);
        if (seconds > 0)
            Sleep((DWORD)(seconds * 1000.0));
    }

    const wchar_t *recording = env(tool->recording);
    if (!recording)
        die("%s is not set: no recording to answer with", utf8(tool->recording));
    FILE *fp = open_or_die(recording, L"rb", L"recording");
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        if (fwrite(buf, 1, got, stdout) != got)
            die("%s", "cannot write to standard output");
    if (ferror(fp))
        die("cannot read %s", utf8(recording));
    fclose(fp);
    if (fflush(stdout) != 0)
        die("%s", "cannot write to standard output");
    return 0;
}
