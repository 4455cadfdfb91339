/* Helpers shared by the examples: checks that print where they failed and exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winevt.h>

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s (last error %u)\n", __FILE__,        \
                    __LINE__, #cond, (unsigned)GetLastError());                          \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

/* The call failed with exactly this last error. */
#define CHECK_ERROR(call, code)                                                          \
    do {                                                                                 \
        SetLastError(0);                                                                 \
        if ((call) || GetLastError() != (DWORD)(code)) {                                 \
            fprintf(stderr, "%s:%d: %s: expected failure %u, got last error %u\n",       \
                    __FILE__, __LINE__, #call, (unsigned)(code),                         \
                    (unsigned)GetLastError());                                           \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

/* A UTF-16 string as ASCII (enough for the examples' checks). */
static inline void narrow(const WCHAR *w, char *out, size_t size) {
    size_t i = 0;
    for (; w[i] && i + 1 < size; i++) out[i] = (char)(w[i] < 128 ? w[i] : '?');
    out[i] = 0;
}

/* ASCII as UTF-16 (glibc's wide functions assume a 32-bit wchar_t, so none is used). */
static inline void widen(const char *s, WCHAR *out, size_t size) {
    size_t i = 0;
    for (; s[i] && i + 1 < size; i++) out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
}

/* EvtRender of an event as XML, the documented two calls; returns malloc'd ASCII. */
static inline char *render_xml(EVT_HANDLE event) {
    DWORD used = 0, count = 0;
    CHECK(!EvtRender(NULL, event, EvtRenderEventXml, 0, NULL, &used, &count));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    WCHAR *xml = malloc(used);
    CHECK(EvtRender(NULL, event, EvtRenderEventXml, used, xml, &used, &count));
    CHECK(count == 0);
    char *text = malloc(used / 2);
    narrow(xml, text, used / 2);
    free(xml);
    return text;
}
